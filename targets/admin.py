"""Admin for indicators, assessment groups and targets (audited, written through targets.services),
and the monthly reports, which are read-only here: their rows are computed by the report job, and a published report
never changes again."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.admin import ServiceHistoryAdmin, Writes
from projects.models import Project

from . import services
from .models import Indicator, Report, ReportRow, Target, UnitGroup


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


class UnitGroupForm(forms.ModelForm):
    """Shows a member taken by another group of the year beside the members' field, before the
    service checks it again under its lock."""

    class Meta:
        model = UnitGroup
        fields = ("year", "position", "code", "name", "units")

    def clean(self):
        cleaned = super().clean()
        year, units = cleaned.get("year"), cleaned.get("units")
        if year is not None and units:
            try:
                UnitGroup(pk=self.instance.pk, year=year).check_members(units)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(UnitGroup)
class UnitGroupAdmin(ServiceHistoryAdmin):
    """Assessment groups (大组) with their members: saved with the members in one call of
    unit_group_save, which checks that no unit is in two groups of a year."""

    form = UnitGroupForm
    writes = Writes("group", services.unit_group_save, services.unit_group_delete, m2m=("units",))
    list_display = ("year", "position", "name", "code", "member_names")
    list_display_links = ("name",)
    list_filter = ("year",)
    search_fields = ("code", "name", "units__name")
    filter_horizontal = ("units",)
    ordering = ("-year", "position", "code")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("units")

    @admin.display(description=_("成员单位"))
    def member_names(self, obj: UnitGroup) -> str:
        return "、".join(unit.name for unit in sorted(obj.units.all(), key=lambda unit: unit.code))



@admin.register(Target)
class TargetAdmin(ServiceHistoryAdmin):
    writes = Writes("target", services.target_save, services.target_delete)
    list_display = ("year", "indicator", "scope_name", "value")
    list_filter = ("year", "indicator", "unit", "group")
    list_select_related = ("indicator", "unit", "group")
    search_fields = ("indicator__code", "indicator__name", "unit__code", "unit__name", "group__name")
    autocomplete_fields = ("indicator", "unit", "group")

    @admin.display(description=_("范围"), ordering="unit__code")
    def scope_name(self, obj: Target):
        return obj.scope


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
    fields = ("indicator", "unit", "group", "month_value", "ytd_value", "target", "completion_pct", "time_progress_pct",
              "pace", "last_year_ytd", "yoy_pct", "rank")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator", "unit", "group")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "status", "computed_at", "published_at", "published_by")
    list_filter = ("status", "year")
    list_select_related = ("published_by",)
    inlines = (ReportRowInline,)


@admin.register(ReportRow)
class ReportRowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("report", "indicator", "scope_name", "month_value", "ytd_value", "target", "completion_pct",
                    "pace", "rank")
    list_filter = ("report", "indicator", "pace", "unit", "group")
    list_select_related = ("report", "indicator", "unit", "group")
    search_fields = ("indicator__code", "indicator__name", "unit__name", "group__name")

    @admin.display(description=_("范围"), ordering="unit__code")
    def scope_name(self, obj: ReportRow):
        return obj.scope
