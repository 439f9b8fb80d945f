"""Admin for projects with their deliveries and timeline, ready land, industries, and events.

Projects and their parts are scoped by `visible_to` as on every other page, although the admin site's
users (leaders, view only, and administrators) see them all. Every write, inline rows included, goes
through projects.services (see accounts.admin.ServiceAdmin): validated by the model's rules, the
project row locked where its figures change, the admin user recorded in the audit history.
"""

from decimal import Decimal

from django.contrib import admin
from django.utils import formats
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accounts.admin import ServiceAdmin, ServiceHistoryAdmin, Writes
from chambers.admin import EVENT_WRITES
from chambers.models import Event

from . import selectors, services
from .models import Activity, CapitalDelivery, Industry, Parcel, Project


def money(value: Decimal | None) -> str | None:
    """An amount in 万元 with its two decimals, as the admin shows a DecimalField (a sum may lose them)."""
    return None if value is None else formats.number_format(value, 2)


DELIVERY_WRITES = Writes("delivery", services.delivery_save, services.delivery_delete)
ACTIVITY_WRITES = Writes("activity", services.activity_save, services.activity_delete)


@admin.register(Industry)
class IndustryAdmin(ServiceAdmin):
    writes = Writes("industry", services.industry_save, services.industry_delete)
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Parcel)
class ParcelAdmin(ServiceHistoryAdmin):
    writes = Writes("parcel", services.parcel_save, services.parcel_delete)
    # The life cycle moves by its actions (the land page's 意向 and 释放) and the project's signing.
    readonly_fields = ("status", "project", "reserved_on", "taken_on")
    list_display = (
        "code",
        "name",
        "unit",
        "area_mu",
        "min_investment_intensity",
        "status",
        "published",
        "published_on",
    )
    list_filter = ("status", "published", "unit", "industries")
    list_select_related = ("unit",)
    search_fields = ("code", "name", "location")
    autocomplete_fields = ("unit",)
    filter_horizontal = ("industries",)
    date_hierarchy = "published_on"


class DeliveryInline(admin.TabularInline):
    model = CapitalDelivery
    fields = ("delivered_on", "amount", "note")
    extra = 0


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ("happened_on", "kind", "contact", "summary", "next_action", "next_action_on", "created_by")
    readonly_fields = ("created_by",)
    autocomplete_fields = ("contact",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by", "contact")


@admin.register(Project)
class ProjectAdmin(ServiceHistoryAdmin):
    writes = Writes("project", services.project_save, services.project_delete)
    inline_writes = {CapitalDelivery: DELIVERY_WRITES, Activity: ACTIVITY_WRITES}
    list_display = (
        "name",
        "investor",
        "unit",
        "stage",
        "total_investment",
        "signed_amount",
        "signed_on",
        "delivered_total",
        "confidential",
        "updated_at",
    )
    list_filter = (
        "stage",
        "category",
        "origin",
        "channel",
        "investor_kind",
        "returning_merchant",
        "mountain_sea",
        "confidential",
        "unit",
        "industry",
    )
    list_select_related = ("unit",)
    search_fields = ("name", "investor")
    date_hierarchy = "signed_on"
    autocomplete_fields = ("unit", "industry", "chamber", "event", "introduced_by", "parcel", "owner")
    readonly_fields = ("delivered_total", "created_at", "updated_at")
    fieldsets = (
        (
            _("基本信息"),
            {"fields": ("name", "investor", "investor_kind", "unit", "industry", "category", "owner", "confidential")},
        ),
        (
            _("来源与渠道"),
            {
                "fields": (
                    "origin",
                    "returning_merchant",
                    "mountain_sea",
                    "channel",
                    "chamber",
                    "event",
                    "introduced_by",
                )
            },
        ),
        (
            _("进展"),
            {
                "fields": (
                    "stage",
                    "total_investment",
                    "signed_amount",
                    "signed_on",
                    "started_on",
                    "producing_on",
                    "dropped_on",
                    "delivered_total",
                )
            },
        ),
        (_("用地"), {"fields": ("land_area_mu", "parcel")}),
        (_("跟进"), {"fields": ("next_follow_up_on", "notes", "created_at", "updated_at")}),
    )
    inlines = (DeliveryInline, ActivityInline)

    def get_queryset(self, request):
        projects = super().get_queryset(request).visible_to(request.user)
        return projects.annotate(delivered_sum=selectors.delivered_total())

    @admin.display(description=_("累计到位资金（万元）"), ordering="delivered_sum")
    def delivered_total(self, obj: Project) -> str | None:
        return money(getattr(obj, "delivered_sum", None))  # None on the add page: nothing delivered yet


@admin.register(CapitalDelivery)
class CapitalDeliveryAdmin(ServiceHistoryAdmin):
    writes = DELIVERY_WRITES
    list_display = ("delivered_on", "project", "project_unit", "amount", "note")
    list_filter = ("project__unit",)
    list_select_related = ("project__unit",)
    search_fields = ("project__name", "project__investor", "note")
    date_hierarchy = "delivered_on"
    autocomplete_fields = ("project",)

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description=_("责任单位"), ordering="project__unit__code")
    def project_unit(self, obj: CapitalDelivery):
        return obj.project.unit


@admin.register(Activity)
class ActivityAdmin(ServiceAdmin):
    writes = ACTIVITY_WRITES
    list_display = ("happened_on", "project", "kind", "summary_short", "next_action_on", "created_by")
    list_filter = ("kind", "project__unit")
    list_select_related = ("project", "created_by")
    search_fields = ("summary", "next_action", "project__name")
    date_hierarchy = "happened_on"
    autocomplete_fields = ("project", "contact")
    readonly_fields = ("created_by", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description=_("情况摘要"))
    def summary_short(self, obj: Activity) -> str:
        return Truncator(obj.summary).chars(40)


@admin.register(Event)
class EventAdmin(ServiceAdmin):
    """Events with what they brought in: the projects they led to that are signed and not dropped."""

    writes = EVENT_WRITES

    list_display = (
        "name",
        "kind",
        "starts_on",
        "location",
        "organizer",
        "invited_count",
        "signed_count",
        "signed_total",
    )
    list_filter = ("kind", "organizer")
    list_select_related = ("organizer",)
    search_fields = ("name", "location")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("organizer",)
    readonly_fields = ("signed_count", "signed_total")

    def get_queryset(self, request):
        return selectors.events_with_signed_totals(super().get_queryset(request))

    @admin.display(description=_("签约项目数"), ordering="signed_count")
    def signed_count(self, obj: Event) -> int | None:
        return getattr(obj, "signed_count", None)

    @admin.display(description=_("签约协议引资额（万元）"), ordering="signed_total")
    def signed_total(self, obj: Event) -> str | None:
        return money(getattr(obj, "signed_total", None))
