"""The drill-down page (/dashboard/drill/): the projects or deliveries behind one report figure.

A figure is an indicator × a scope (the city, a unit or a 大组) × a period (a month alone or the year
to date) of a year. The list is what `indicator_scope` says the figure counts — the very condition
the report aggregates (targets.reporting.figures) — narrowed to the scope's units, so the list's
own total is the figure.

Confidentiality (DESIGN §5), one rule: the figure and the list's total are the bureau's whole total,
confidential projects included; a confidential project the reader may not see (`project_visibility`:
leaders and admins see all, a unit's people their unit's, others none) is never listed. The page
says how many such projects the figure holds ("另有保密项目 N 个") and nothing more: their amounts are
folded into the total, never shown per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Unit
from accounts.pages import page_view
from projects.models import project_visibility
from targets.drilldown import PERIOD_MONTH
from targets.forms import DrillForm, bad_request
from targets.models import Indicator, Report, ReportRow, UnitGroup
from targets.reporting.figures import CENTS, MONTH, YTD, Periods, Scope, indicator_scope

PAGE_SIZE = 50


@dataclass(frozen=True)
class Figure:
    """One figure's list: the rows behind it (all of them, whoever reads) and who reads."""

    indicator: Indicator
    year: int
    month: int
    period: str
    unit: Unit | None
    group: UnitGroup | None

    @property
    def scope_name(self) -> str:
        return self.unit.name if self.unit else (self.group.name if self.group else "全市")

    @property
    def period_name(self) -> str:
        return f"{self.month}月当月" if self.period == PERIOD_MONTH else f"1-{self.month}月累计"

    @property
    def on_deliveries(self) -> bool:
        return self.indicator.measure == Indicator.Measure.DELIVERED_AMOUNT

    def rows(self) -> tuple[QuerySet, Scope]:
        """Every row the figure counts, confidential ones included, and the measure that sums them."""
        scope = indicator_scope(
            self.indicator, [i.pk for i in self.indicator.industries.all()], Periods.of(self.year, self.month),
            MONTH if self.period == PERIOD_MONTH else YTD,
        )  # fmt: skip
        rows = scope.rows()
        unit_field = "project__unit_id" if self.on_deliveries else "unit_id"
        if self.unit:
            rows = rows.filter(**{unit_field: self.unit.pk})
        elif self.group:
            rows = rows.filter(**{f"{unit_field}__in": [u.pk for u in self.group.units.all()]})
        return rows, scope

    def stored_row(self) -> ReportRow | None:
        """The figure as the stored report of that month has it, when there is one."""
        report = Report.objects.filter(
            year=self.year, month=self.month, status__in=[Report.Status.PROVISIONAL, Report.Status.PUBLISHED]
        ).first()
        if report is None:
            return None
        return report.rows.filter(indicator=self.indicator, unit=self.unit, group=self.group).first()


def totals(rows: QuerySet, scope: Scope, user, on_deliveries: bool) -> dict:
    """One SQL aggregate over the whole set: the figure, the number of rows, and how many projects
    behind it the reader may not see."""
    aggregates = {"total": scope.measure(), "count": Count("pk")}  # the rows are the scope's already
    visibility = project_visibility(user, prefix="project__" if on_deliveries else "")
    if visibility:  # an empty Q means the reader sees every project
        project = "project" if on_deliveries else "pk"
        aggregates["hidden"] = Count(project, distinct=True, filter=~visibility)
    figures = rows.aggregate(**aggregates)
    figures.setdefault("hidden", 0)
    figures["total"] = Decimal(figures["total"] or 0).quantize(CENTS)  # as the report stores it
    return figures


def _page_links(request: HttpRequest, page) -> dict:
    def url(number: int) -> str:
        query = request.GET.copy()
        query["page"] = number
        return f"{request.path}?{query.urlencode()}"

    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
    }


@page_view
def drill(request: HttpRequest) -> HttpResponse:
    form = DrillForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form, "无法打开这个数字的明细")
    data = form.cleaned_data
    figure = Figure(
        indicator=data["indicator"], year=data["year"], month=data["month"], period=data["period"],
        unit=data["unit"], group=data["group"],
    )  # fmt: skip
    rows, scope = figure.rows()
    figures = totals(rows, scope, request.user, figure.on_deliveries)
    visibility = project_visibility(request.user, prefix="project__" if figure.on_deliveries else "")
    if figure.on_deliveries:
        listed = rows.filter(visibility).select_related("project__unit").order_by("-delivered_on", "-pk")
    else:
        listed = rows.filter(visibility).select_related("unit").order_by("-signed_on", "-pk")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    stored = figure.stored_row()
    stored_value = None
    if stored is not None:
        stored_value = stored.month_value if figure.period == PERIOD_MONTH else stored.ytd_value
    return render(
        request,
        "targets/drill.html",
        {
            "figure": figure,
            "indicator": figure.indicator,
            "page": page,
            "pages": _page_links(request, page),
            "total": figures["total"],
            "count": figures["count"],
            "hidden": figures["hidden"],
            "stored": stored,
            "stored_value": stored_value,  # the report's figure, which a later correction may differ from
            "difference": None if stored_value is None else figures["total"] - stored_value,
        },
    )
