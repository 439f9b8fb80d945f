"""The filters of the target list, shared by the REST API and the staff pages."""

from django.utils.translation import gettext_lazy as _

from accounts.models import Unit
from core.filters import BooleanFilter, CodeFilter, FilterSet, IntegerFilter

from .models import FIRST_YEAR, LAST_YEAR, Indicator, Target


class TargetFilterSet(FilterSet):
    year = IntegerFilter(label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    indicator = CodeFilter(label=_("指标"), queryset=Indicator.objects.all())
    unit = CodeFilter(label=_("责任单位"), queryset=Unit.objects.all())
    city = BooleanFilter(label=_("全市目标"), field_name="unit", lookup_expr="isnull")

    class Meta:
        model = Target
        fields: list[str] = []
