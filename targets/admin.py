"""Admin for indicators and targets (audited, written through targets.services), and the monthly
reports, which are read-only here: their rows are computed by the report job, and a published report
never changes again."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ServiceHistoryAdmin, Writes
from projects.models import Project

from . import services
from .models import Indicator, Report, ReportRow, Target

CITY = _("全市")


@admin.register(Indicator)
class IndicatorAdmin(ServiceHistoryAdmin):
    writes = Writes("indicator", services.indicator_save, services.indicator_delete)
    list_display = ("code", "name", "measure", "basis", "origin_names", "category", "min_total_investment",
                    "position", "active")
    list_filter = ("measure", "active", "category", "returning_merchant", "mountain_sea", "channel")
    search_fields = ("code", "name")
    filter_horizontal = ("industries",)

    @admin.display(description=_("资金来源"))
    def origin_names(self, obj: Indicator) -> str:
        labels = dict(Project.Origin.choices)
        return "、".join(str(labels.get(code, code)) for code in obj.origins)


@admin.register(Target)
class TargetAdmin(ServiceHistoryAdmin):
    writes = Writes("target", services.target_save, services.target_delete)
    list_display = ("year", "indicator", "scope", "value")
    list_filter = ("year", "indicator", "unit")
    list_select_related = ("indicator", "unit")
    search_fields = ("indicator__code", "indicator__name", "unit__code", "unit__name")
    autocomplete_fields = ("indicator", "unit")

    @admin.display(description=_("范围"), ordering="unit__code")
    def scope(self, obj: Target):
        return obj.unit or CITY


class ReadOnlyAdminMixin:
    """Viewable by whoever holds the view permission; written only by the report job. Not even an
    administrator deletes a report here: posting its month again recomputes it, unless published."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReportRowInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ReportRow
    fields = ("indicator", "unit", "month_value", "ytd_value", "target", "completion_pct", "time_progress_pct",
              "pace", "last_year_ytd", "yoy_pct", "rank")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator", "unit")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "status", "computed_at", "published_at", "published_by")
    list_filter = ("status", "year")
    list_select_related = ("published_by",)
    inlines = (ReportRowInline,)


@admin.register(ReportRow)
class ReportRowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("report", "indicator", "scope", "month_value", "ytd_value", "target", "completion_pct",
                    "pace", "rank")
    list_filter = ("report", "indicator", "pace", "unit")
    list_select_related = ("report", "indicator", "unit")
    search_fields = ("indicator__code", "indicator__name", "unit__name")

    @admin.display(description=_("范围"), ordering="unit__code")
    def scope(self, obj: ReportRow):
        return obj.unit or CITY
