"""The 计入 note beside the project form: which indicators a project will count in, as filled so far.

The indicators are data (DESIGN §3), so the note asks each active indicator's own filter, the one the
monthly report selects projects with (`targets.reporting.figures.indicator_filter`), whether the
form's values pass it: `Q.check` evaluates that condition in the database against the values, with no
project row. Nothing of the rules is restated here.
"""

from django import forms
from django.db.models import BooleanField, CharField, DecimalField, IntegerField, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.pages import page_view
from projects.models import Industry, Project

from .models import Indicator
from .reporting.figures import indicator_filter


class FigureValues(forms.Form):
    """The project fields an indicator can filter on, read leniently: a value not (yet) valid is empty."""

    origin = forms.ChoiceField(choices=Project.Origin.choices, required=False)
    category = forms.ChoiceField(choices=Project.Category.choices, required=False)
    returning_merchant = forms.BooleanField(required=False)
    mountain_sea = forms.BooleanField(required=False)
    total_investment = forms.DecimalField(max_digits=14, decimal_places=2, required=False)
    industry = forms.ModelChoiceField(Industry.objects.all(), required=False)
    channel = forms.ChoiceField(choices=Project.Channel.choices, required=False)


def _values(data) -> dict:
    form = FigureValues(data)
    form.is_valid()
    return {name: form.cleaned_data.get(name) for name in FigureValues.base_fields}


def counts_in(data) -> dict:
    """The note's content from a project form's values (a QueryDict or a dict of field values):
    `ready` (资金来源 and 项目类别 chosen), the indicators counted at signing and on delivery."""
    values = _values(data)
    if not values["origin"] or not values["category"]:
        return {"ready": False, "on_signing": [], "on_delivery": []}
    industry = values["industry"]
    against = {
        "origin": Value(values["origin"], output_field=CharField()),
        "category": Value(values["category"], output_field=CharField()),
        "returning_merchant": Value(bool(values["returning_merchant"]), output_field=BooleanField()),
        "mountain_sea": Value(bool(values["mountain_sea"]), output_field=BooleanField()),
        "total_investment": Value(values["total_investment"] or 0, output_field=DecimalField()),
        "industry_id": Value(industry.pk if industry else None, output_field=IntegerField()),
        "channel": Value(values["channel"] or "", output_field=CharField()),
    }
    on_signing, on_delivery = [], []
    indicators = Indicator.objects.filter(active=True).prefetch_related("industries").order_by("position", "code")
    for indicator in indicators:
        condition = indicator_filter(indicator, [industry.pk for industry in indicator.industries.all()])
        if condition and not condition.check(against):
            continue
        if indicator.measure == Indicator.Measure.DELIVERED_AMOUNT:
            on_delivery.append(indicator)
        else:
            on_signing.append(indicator)
    return {"ready": True, "on_signing": on_signing, "on_delivery": on_delivery}


@page_view
@require_GET
def counts_in_view(request: HttpRequest) -> HttpResponse:
    """The note as an htmx partial, from the form's values in the query string."""
    return render(request, "targets/_counts_in.html", {"note": counts_in(request.GET)})
