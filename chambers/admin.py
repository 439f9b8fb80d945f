"""Admin for chambers, their contacts and agreements; every write goes through chambers.services.

Events are registered in projects/admin.py: their signed totals are sums over projects, and this app
may not import projects (apps import only the apps below them). They still show under this app.
"""

from django.contrib import admin

from accounts.admin import ServiceAdmin, Writes

from . import services
from .models import Agreement, Chamber, Contact

CONTACT_WRITES = Writes("contact", services.contact_save, services.contact_delete)
AGREEMENT_WRITES = Writes("agreement", services.agreement_save, services.agreement_delete)
EVENT_WRITES = Writes("event", services.event_save, services.event_delete)


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ("name", "organization", "title", "phone", "email")
    extra = 0


class AgreementInline(admin.TabularInline):
    model = Agreement
    fields = ("title", "kind", "signed_on", "expires_on")
    extra = 0


@admin.register(Chamber)
class ChamberAdmin(ServiceAdmin):
    writes = Writes("chamber", services.chamber_save, services.chamber_delete)
    inline_writes = {Contact: CONTACT_WRITES, Agreement: AGREEMENT_WRITES}
    list_display = ("name", "kind", "region", "phone", "updated_at")
    list_filter = ("kind", "region")
    search_fields = ("name", "region")
    inlines = (ContactInline, AgreementInline)


@admin.register(Contact)
class ContactAdmin(ServiceAdmin):
    writes = CONTACT_WRITES
    list_display = ("name", "organization", "title", "chamber", "phone", "email")
    list_filter = ("chamber__kind",)
    list_select_related = ("chamber",)
    search_fields = ("name", "organization", "phone", "email", "chamber__name")
    autocomplete_fields = ("chamber",)


@admin.register(Agreement)
class AgreementAdmin(ServiceAdmin):
    writes = AGREEMENT_WRITES
    list_display = ("title", "chamber", "kind", "signed_on", "expires_on")
    list_filter = ("kind", "chamber__kind")
    list_select_related = ("chamber",)
    search_fields = ("title", "chamber__name")
    autocomplete_fields = ("chamber",)
    date_hierarchy = "signed_on"
