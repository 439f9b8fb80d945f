from django.contrib import admin

from accounts.admin import ServiceHistoryAdmin, Writes

from . import services
from .models import ZoneOutline


@admin.register(ZoneOutline)
class ZoneOutlineAdmin(ServiceHistoryAdmin):
    writes = Writes("outline", services.zone_outline_save, services.zone_outline_delete)
    list_display = ("unit", "updated_at")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
