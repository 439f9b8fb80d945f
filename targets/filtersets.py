"""The filters of the target list, shared by the REST API and the staff pages."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from core.filters import BooleanFilter, CodeFilter, FilterSet, IntegerFilter

from .models import CITY_SCOPE, FIRST_YEAR, LAST_YEAR, Indicator, Target, UnitGroup


class TargetFilterSet(FilterSet):
    year = IntegerFilter(label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    indicator = CodeFilter(label=_("指标"), queryset=Indicator.objects.all())
    unit = CodeFilter(label=_("责任单位"), queryset=Unit.objects.all())
    group = CodeFilter(label=_("考核大组"), queryset=UnitGroup.objects.all())
    city = BooleanFilter(label=_("全市目标"), method="filter_city")

    class Meta:
        model = Target
        fields: list[str] = []

    def filter_city(self, queryset, name, value):
        return queryset.city() if value else queryset.exclude(CITY_SCOPE)


class UnitGroupFilterSet(FilterSet):
    year = IntegerFilter(label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    unit = CodeFilter(label=_("成员单位"), field_name="units", queryset=Unit.objects.all())

    class Meta:
        model = UnitGroup
        fields: list[str] = []
