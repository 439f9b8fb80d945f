"""The leaders' dashboard (一月一通报), /dashboard/?year=&month=: one month's stored report, the city
table, every indicator's units ranked, and the charts. It reads stored report rows only (see
targets.dashboard); its query count does not grow with the number of units or indicators."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from accounts.pages import page_view

from . import dashboard
from .models import Report


@page_view
def home(request: HttpRequest) -> HttpResponse:
    reports = dashboard.report_months()
    choice = dashboard.report_choose(reports, year=request.GET.get("year"), month=request.GET.get("month"))
    report = choice.report
    context = {
        "report": report,
        "message": choice.message,
        "picker": _picker(reports, report),
        "tables": [],
    }
    if report is not None and report.status in dashboard.READABLE:
        tables = dashboard.report_tables(report, own_unit_id=_own_unit_id(request.user))
        charts = dashboard.charts_data(report, tables)
        dashboard.monthly_table(report, tables, charts)
        breakdown = dashboard.capital_breakdown(report)
        context.update(
            tables=tables,
            rows=[table.city for table in tables if table.city],
            charts={**charts, "breakdown": breakdown},
            breakdown_tables=[("origin", "资金来源", breakdown["origin"]), ("industry", "产业", breakdown["industry"])],
        )
    if report is not None:
        context["badge"] = dashboard.BADGES.get(report.status, report.get_status_display())
    return render(request, "targets/home.html", context)


def _own_unit_id(user) -> int | None:
    """Staff belong to a unit and see its rows highlighted; leaders and admins read the whole city."""
    return user.unit_id if user.role == Role.STAFF else None


def _picker(reports: list[Report], shown: Report | None) -> dict:
    """The month picker: the years that have reports (newest first), and the months of each with
    their status, for the select boxes and the links of the shown year."""
    years: dict[int, list[Report]] = {}
    for report in reports:
        years.setdefault(report.year, []).append(report)
    shown_year = shown.year if shown else None
    return {
        "years": list(years),
        "months": sorted(years.get(shown_year, []), key=lambda r: r.month),
        "shown_year": shown_year,
        "shown_month": shown.month if shown else None,
        "all_months": range(1, 13),
    }
