"""The parameters of the report pages (drill-down, leaders' actions), checked as forms: a bad value is
a Chinese message on a 400 page, never a 500."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Unit
from targets.drilldown import PERIOD_MONTH, PERIOD_YTD
from targets.models import FIRST_MONTH, FIRST_YEAR, LAST_MONTH, LAST_YEAR, Indicator, UnitGroup


class MonthForm(forms.Form):
    """A report month from the query string or a posted form."""

    year = forms.IntegerField(label="年度", min_value=FIRST_YEAR, max_value=LAST_YEAR)
    month = forms.IntegerField(label="月份", min_value=FIRST_MONTH, max_value=LAST_MONTH)


class DrillForm(MonthForm):
    """The figure's address, checked: every bad value is a Chinese message, never a 500."""

    indicator = forms.CharField(label="指标", max_length=40)
    period = forms.ChoiceField(label="期间", choices=[(PERIOD_MONTH, "当月"), (PERIOD_YTD, "累计")])
    unit = forms.IntegerField(label="单位", required=False, min_value=1)
    group = forms.IntegerField(label="大组", required=False, min_value=1)

    def clean_indicator(self) -> Indicator:
        code = self.cleaned_data["indicator"]
        indicator = Indicator.objects.prefetch_related("industries").filter(code=code).first()
        if indicator is None:
            raise forms.ValidationError(f"没有编码为“{code}”的指标。")
        return indicator

    def clean_unit(self) -> Unit | None:
        unit_id = self.cleaned_data.get("unit")
        if unit_id is None:
            return None
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise forms.ValidationError("没有这个单位。")
        return unit

    def clean_group(self) -> UnitGroup | None:
        group_id = self.cleaned_data.get("group")
        if group_id is None:
            return None
        group = UnitGroup.objects.prefetch_related("units").filter(pk=group_id).first()
        if group is None:
            raise forms.ValidationError("没有这个大组。")
        return group

    def clean(self):
        data = super().clean()
        if data.get("unit") and data.get("group"):
            raise forms.ValidationError("一个数字只属于一个单位或一个大组，不能同时指定两者。")
        return data


def bad_request(request: HttpRequest, form: forms.Form, title: str) -> HttpResponse:
    """The 400 page: what was wrong with the address, field by field, in Chinese."""
    return render(request, "targets/bad_request.html", {"form": form, "title": title}, status=400)
