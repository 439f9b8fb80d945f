"""The leaders' actions on a month's report, on the pages: compute or recompute it (the Celery job of
targets.tasks, its progress polled over htmx), publish it after a confirmation, and for a published
month the restatement: its frozen figures beside today's recomputation.

Computing and publishing need `targets.publish_report` (leaders and admins, accounts.roles): staff and
API readers get the 403 page. The restatement is a reading, as the API's preview is: every role of the
pages may open it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from accounts.models import Unit
from accounts.pages import page_view, require_permission
from core.errors import ConflictError
from targets.forms import MonthForm, bad_request
from targets.models import Report, ReportRow, UnitGroup
from targets.reporting import report_preview, report_publish
from targets.services import report_request

PUBLISH = "targets.publish_report"
IN_PROGRESS = (Report.Status.QUEUED, Report.Status.RUNNING)


def with_month(view):
    """The view gets the report month (year, month) of the query string, or of the form posted; a bad
    one is the 400 page saying what is wrong."""

    @wraps(view)
    def parsed(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = MonthForm(request.POST if request.method == "POST" else request.GET)
        if not form.is_valid():
            return bad_request(request, form, "无法打开这个月的通报")
        return view(request, form.cleaned_data["year"], form.cleaned_data["month"], *args, **kwargs)

    return parsed


def month_query(year: int, month: int, **extra) -> str:
    return urlencode({"year": year, "month": month, **extra})


def actions_context(user, year: int, month: int, back: str = "", report: Report | None = None) -> dict:
    """What `targets/_report_actions.html` shows: the month's report (or none yet) and what the
    user may do with it; `back` is the page to return to after an action (the page showing the
    partial). A page includes the partial with `{% report_actions year month %}`; a page that has
    read the month's report already passes it as `report`."""
    if report is None:
        report = Report.objects.filter(year=year, month=month).first()
    return {
        "back": back,
        "publish_query": month_query(year, month, **({"next": back} if back else {})),
        "report": report,
        "year": year,
        "month": month,
        "can_act": user.has_perm(PUBLISH),
        "in_progress": bool(report and report.status in IN_PROGRESS),
        "query": month_query(year, month),
    }


@page_view
@with_month
def report_page(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """A month's report with its actions and its city figures, each leading to its drill-down."""
    context = actions_context(request.user, year, month, back=request.get_full_path())
    rows = []
    if context["report"] and context["report"].status in (Report.Status.PROVISIONAL, Report.Status.PUBLISHED):
        rows = context["report"].rows.filter(**city_rows()).select_related("indicator")
        rows = rows.order_by("indicator__position", "indicator__code")
    return render(request, "targets/report.html", context | {"rows": rows})


def back_to(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """After an action: the page it was made from (`next`, when it is one of ours), else the month's page."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(f"{reverse('dashboard_report')}?{month_query(year, month)}")


def city_rows() -> dict:
    """The lookup of a report's city rows: neither a unit's nor a 大组's."""
    return {"unit__isnull": True, "group__isnull": True}


@page_view
@with_month
def report_status(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """The actions partial, polled every 2 s while the job is queued or running. When a poll finds
    the job done (or failed) the page reloads, so its figures are the new ones."""
    context = actions_context(request.user, year, month, back=request.GET.get("next", ""))
    if request.GET.get("poll") and not context["in_progress"]:
        return HttpResponseClientRefresh()
    return render(request, "targets/_report_actions.html", context)


def leaders_only(view):
    """The 403 page for a role that may not compute or publish, whatever the method."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        require_permission(request.user, PUBLISH)
        return view(request, *args, **kwargs)

    return guarded


@page_view
@leaders_only
@require_POST
@with_month
def compute(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """Queue the month's computation as the Celery job; a published month is refused, with why."""
    context = actions_context(request.user, year, month, back=request.POST.get("next", ""))
    try:
        report_request(actor=request.user, year=year, month=month)
    except ConflictError as refused:  # published: its figures are frozen
        if not request.htmx:
            messages.error(request, refused.message)
            return back_to(request, year, month)
        return render(request, "targets/_report_actions.html", context | {"refusal": refused.message})
    if request.htmx:
        context = actions_context(request.user, year, month, back=context["back"])  # now queued
        return render(request, "targets/_report_actions.html", context)
    messages.success(request, f"已提交{year}年{month}月通报的计算。")
    return back_to(request, year, month)


@page_view
@leaders_only
@require_http_methods(["GET", "POST"])
@with_month
def publish(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """GET: the confirmation (a real form, no script); POST: publish, then back to the report."""
    report = Report.objects.filter(year=year, month=month).first()
    refusal = ""
    if request.method == "POST" and report is not None:
        try:
            report_publish(report=report, actor=request.user)
        except ConflictError as refused:
            refusal = refused.message
        else:
            messages.success(request, f"{year}年{month}月通报已发布，数字从此冻结。")
            return back_to(request, year, month)
    if report is None:
        refusal = f"{year}年{month}月还没有通报，请先计算。"
    elif report.status != Report.Status.PROVISIONAL and not refusal:
        refusal = f"只有待发布的通报才能发布；{year}年{month}月通报当前状态为“{report.get_status_display()}”。"
    context = {
        "report": report, "year": year, "month": month, "refusal": refusal, "query": month_query(year, month),
        "back": request.POST.get("next") or request.GET.get("next", ""),
    }  # fmt: skip
    return render(request, "targets/publish_confirm.html", context, status=409 if refusal else 200)


# --- Restatement ----------------------------------------------------------------------------------

COMPARED = ("month_value", "ytd_value", "target", "last_year_ytd", "completion_pct")


@dataclass(frozen=True)
class Restated:
    """One figure of a published month: as frozen, and as today's data gives it."""

    indicator: object
    scope: str
    frozen: ReportRow | None
    today: ReportRow | None

    def _value(self, row: ReportRow | None, field: str):
        return getattr(row, field) if row is not None else None

    def difference(self, field: str) -> Decimal | None:
        frozen, today = self._value(self.frozen, field), self._value(self.today, field)
        if frozen is None or today is None:
            return None
        return today - frozen

    @property
    def month_difference(self) -> Decimal | None:
        return self.difference("month_value")

    @property
    def ytd_difference(self) -> Decimal | None:
        return self.difference("ytd_value")

    @property
    def changed(self) -> bool:
        return any(self._value(self.frozen, f) != self._value(self.today, f) for f in COMPARED)


def _key(row: ReportRow) -> tuple:
    return row.indicator_id, row.unit_id, row.group_id


def restatement_rows(report: Report) -> list[Restated]:
    """The frozen rows beside today's recomputation (report_preview), in the report's order."""
    frozen = {_key(row): row for row in report.rows.select_related("indicator")}
    today = report_preview(report=report)
    units = dict(Unit.objects.values_list("pk", "name"))
    groups = dict(UnitGroup.objects.filter(year=report.year).values_list("pk", "name"))

    def scope(key) -> str:
        _indicator, unit_id, group_id = key
        return units.get(unit_id, "") if unit_id else (groups.get(group_id, "") if group_id else "全市")

    restated = [Restated(row.indicator, scope(_key(row)), frozen.pop(_key(row), None), row) for row in today]
    restated += [Restated(row.indicator, scope(key), row, None) for key, row in frozen.items()]  # gone today
    return restated


@page_view
@with_month
def restatement(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """A published month: its frozen figures beside today's recomputation, the differences marked."""
    report = Report.objects.filter(year=year, month=month).first()
    context = {"report": report, "year": year, "month": month, "query": month_query(year, month)}
    if report is None or not report.is_published:
        return render(request, "targets/restatement.html", context, status=409 if report else 404)
    try:
        rows = restatement_rows(report)
    except ConflictError as refused:  # today's figures would not fit their columns
        return render(request, "targets/restatement.html", context | {"refusal": refused.message}, status=409)
    changed = [row for row in rows if row.changed]
    only_changed = request.GET.get("changed") == "1"
    context |= {"rows": changed if only_changed else rows, "changed_count": len(changed), "only_changed": only_changed}
    return render(request, "targets/restatement.html", context)
