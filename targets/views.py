"""The leaders' dashboard (一月一通报), /dashboard/?year=&month=: one month's stored report, the city
table, every indicator's units ranked, and the charts. It reads stored report rows only (see
targets.dashboard); its query count does not grow with the number of units or indicators."""

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Role
from accounts.pages import page_view
from land.selectors import land_figures

from . import dashboard
from .actions import actions_context
from .bulletin.views import bulletin_context
from .drilldown import PERIOD_MONTH, PERIOD_YTD, drill_url
from .models import Report, ReportRow

# The figures' part of the page is the same for every reader of one report computation (but for the
# reader's own unit, which is in the key): rendering its 1,000 rows once per computation rather than
# once per view is what keeps the page as fast at a million projects as at a thousand. A recompute
# changes computed_at and so the key; an hour bounds how long a renamed unit or indicator shows its
# old name.
BODY_SECONDS = 3600
BODY_VERSION = 2  # raised when templates/targets/_dashboard_body.html or _ranking.html change


@page_view
def home(request: HttpRequest) -> HttpResponse:
    reports = dashboard.report_months()
    choice = dashboard.report_choose(reports, year=request.GET.get("year"), month=request.GET.get("month"))
    report = choice.report
    context = {"report": report, "message": choice.message, "picker": _picker(reports, report)}
    if report is not None:
        context["badge"] = dashboard.BADGES.get(report.status, report.get_status_display())
        if report.status in dashboard.READABLE:
            context["body"] = _report_body(report, own_unit_id=_own_unit_id(request.user))
            context.update(bulletin_context(report))
            context["land_figures"] = land_figures(report.year)  # live, like the land pages: not a report row
    # The actions act on the month shown, or on this month when there is no report yet.
    today = timezone.localdate()
    year, month = (report.year, report.month) if report else (today.year, today.month)
    context.update(actions_context(request.user, year, month, report=report))
    return render(request, "targets/home.html", context)


def _own_unit_id(user) -> int | None:
    """Staff belong to a unit and see its rows highlighted; leaders and admins read the whole city."""
    return user.unit_id if user.role == Role.STAFF else None


def _report_body(report: Report, *, own_unit_id: int | None) -> SafeString:
    """The tables and charts of one report, rendered once per computation and reader's unit."""
    key = body_cache_key(report, own_unit_id=own_unit_id)
    body = cache.get(key)
    if body is None:
        body = render_to_string("targets/_dashboard_body.html", _body_context(report, own_unit_id))
        cache.set(key, body, BODY_SECONDS)
    # Safe: the body is the template engine's own output (unit, group and indicator names escaped
    # there); the cache hands it back as a plain str, so its safe mark is restored here.
    return mark_safe(body)  # noqa: S308


def body_cache_key(report: Report, *, own_unit_id: int | None) -> str:
    computed = report.computed_at.isoformat() if report.computed_at else ""
    return f"dashboard:body:{BODY_VERSION}:{report.pk}:{computed}:{own_unit_id or 0}"


def _body_context(report: Report, own_unit_id: int | None) -> dict:
    tables = dashboard.report_tables(report, own_unit_id=own_unit_id)
    for table in tables:
        for row in [table.city, *table.units, *table.groups]:
            if row is not None:
                row.links = _links(report, row)
    charts = dashboard.charts_data(report, tables)
    dashboard.monthly_table(report, tables, charts)
    city_rows = [table.city for table in tables if table.city]
    return {"report": report, "tables": tables, "rows": city_rows, "charts": charts}


@page_view
def capital(request: HttpRequest) -> HttpResponse:
    """The dashboard's capital section (htmx, /dashboard/capital/?year=&month=): the year's signed and
    delivered capital by origin and by industry up to the month of a report that has figures. The
    one read over projects the dashboard makes, so it comes after the page rather than inside it, and
    is kept per report computation (targets.dashboard.capital_breakdown)."""
    reports = dashboard.report_months()
    year, month = request.GET.get("year", ""), request.GET.get("month", "")
    report = next((r for r in reports if (f"{r.year}", f"{r.month}") == (year.strip(), month.strip())), None)
    if report is None or report.status not in dashboard.READABLE:
        return HttpResponseBadRequest(format_html('<p class="empty">{}年{}月没有可读的通报。</p>', year, month))
    breakdown = dashboard.capital_breakdown(report)
    context = {
        "report": report,
        "breakdown": breakdown,
        "breakdown_tables": [("origin", "资金来源", breakdown["origin"]), ("industry", "产业", breakdown["industry"])],
    }
    return render(request, "targets/_capital.html", context)


def _links(report: Report, row: ReportRow) -> dict:
    """Where the row's 当月, 累计 and 上年同期 lead: the projects or deliveries behind each."""
    figure = {
        "indicator_code": row.indicator.code, "month": report.month, "unit_id": row.unit_id, "group_id": row.group_id,
    }
    return {
        "month": drill_url(year=report.year, period=PERIOD_MONTH, **figure),
        "ytd": drill_url(year=report.year, period=PERIOD_YTD, **figure),
        "last_year": drill_url(year=report.year - 1, period=PERIOD_YTD, **figure),
    }


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
