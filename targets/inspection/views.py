"""The quarterly inspection page (一季一督查, `dashboard_inspection`) and its lists as XLSX files
(`dashboard_inspection_xlsx`). Readers are the pages' users (staff, leaders, admins); every
project list shows only what the reader may see, and says how many confidential projects it hides."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.pages import page_view
from projects.exports import PROJECT_COLUMNS, Column, rows_of, xlsx_bytes
from targets.models import FIRST_YEAR, LAST_YEAR, Report

from .rules import (
    FINISHED,
    QUARTER_NAMES,
    BehindUnit,
    Quarter,
    behind_two_months,
    counts,
    not_started,
    quarter_of,
    under_delivered,
    visible,
)

SHOWN = 50  # rows of a project list on the page; the XLSX holds the whole list
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class QuarterForm(forms.Form):
    year = forms.IntegerField(
        label="年度", min_value=FIRST_YEAR, max_value=LAST_YEAR,
        error_messages={"invalid": "请输入年份，例如 2011。", "required": "请填写年度。"},
    )  # fmt: skip
    quarter = forms.TypedChoiceField(
        label="季度", choices=list(QUARTER_NAMES.items()), coerce=int,
        error_messages={"invalid_choice": "请选择第一至第四季度。", "required": "请选择季度。"},
    )  # fmt: skip


def _default_quarter() -> Quarter:
    """The quarter of the latest finished report; without one, today's quarter."""
    latest = Report.objects.filter(status__in=FINISHED).order_by("-year", "-month").values("year", "month").first()
    if latest:
        return quarter_of(latest["year"], latest["month"])
    today = timezone.localdate()
    return quarter_of(today.year, today.month)


def _quarter_from(request: HttpRequest) -> tuple[QuarterForm, Quarter | None]:
    if "year" not in request.GET and "quarter" not in request.GET:
        quarter = _default_quarter()
        return QuarterForm(initial={"year": quarter.year, "quarter": quarter.number}), quarter
    form = QuarterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, Quarter(form.cleaned_data["year"], form.cleaned_data["quarter"])


# --- The lists, each with its XLSX columns --------------------------------------------------------

NOT_STARTED_COLUMNS = [
    c
    for c in PROJECT_COLUMNS
    if c.path in ("id", "name", "investor", "unit__name", "stage", "signed_amount", "signed_on")
]
UNDER_DELIVERED_COLUMNS = [
    *[
        c
        for c in PROJECT_COLUMNS
        if c.path in ("id", "name", "investor", "unit__name", "stage", "signed_amount", "signed_on", "started_on")
    ],
    Column("delivered", "截至季末到位资金（万元）"),
    Column("expected", "按时间进度应到位（万元）"),
]
PROJECT_LISTS = {
    "not-started": ("签约超期未开工项目", not_started, NOT_STARTED_COLUMNS),
    "under-delivered": ("资金到位滞后项目", under_delivered, UNDER_DELIVERED_COLUMNS),
}
UNIT_LIST = "behind-units"
UNIT_TITLE = "连续两个月滞后序时进度的单位"


def _xlsx_url(name: str, quarter: Quarter) -> str:
    query = urlencode({"year": quarter.year, "quarter": quarter.number})
    return f"{reverse('dashboard_inspection_xlsx', kwargs={'name': name})}?{query}"


@page_view
@require_GET
def inspection(request: HttpRequest) -> HttpResponse:
    form, quarter = _quarter_from(request)
    context = {"form": form, "quarter": quarter, "shown": SHOWN}
    if quarter is None:
        return render(request, "targets/inspection.html", context, status=400)
    context["days"] = settings.INSPECTION_START_DAYS
    context["lists"] = {
        key.replace("-", "_"): {
            "title": title, "listing": visible(selector(quarter), request.user, limit=SHOWN),
            "xlsx_url": _xlsx_url(key, quarter),
        }
        for key, (title, selector, _columns) in PROJECT_LISTS.items()
    }  # fmt: skip
    for project in context["lists"]["not_started"]["listing"].rows:
        project.waited_days = (quarter.end - project.signed_on).days
    context["behind"] = {
        "title": UNIT_TITLE,
        "units": behind_two_months(quarter),
        "xlsx_url": _xlsx_url(UNIT_LIST, quarter),
    }
    context["projects_url"] = reverse("projects:list")
    return render(request, "targets/inspection.html", context)


def _unit_rows(units: list[BehindUnit]) -> Iterator[list]:
    for unit in units:
        yield [unit.unit_name, unit.indicator_name, unit.months_words, unit.completion_pct, unit.time_progress_pct]


UNIT_COLUMNS = [
    Column("unit", "责任单位"), Column("indicator", "指标"), Column("months", "滞后月份"),
    Column("completion", "最近一月完成率（%）"), Column("progress", "时间进度（%）"),
]  # fmt: skip


@page_view
@require_GET
def inspection_xlsx(request: HttpRequest, name: str) -> HttpResponse:
    """One list of the inspection, whole: the projects the reader may see, then a line saying how
    many confidential ones are hidden."""
    if name != UNIT_LIST and name not in PROJECT_LISTS:
        raise Http404("没有这份督查名单。")
    form, quarter = _quarter_from(request)
    if quarter is None:
        return render(request, "targets/inspection.html", {"form": form, "quarter": None}, status=400)
    if name == UNIT_LIST:
        body = xlsx_bytes(UNIT_COLUMNS, _unit_rows(behind_two_months(quarter)), title=UNIT_TITLE)
    else:
        title, selector, columns = PROJECT_LISTS[name]
        _total, hidden = counts(selector(quarter), request.user)
        rows = rows_of(selector(quarter).visible_to(request.user), columns)
        if hidden:
            rows = chain(rows, [[f"另有保密项目 {hidden} 个"]])
        body = xlsx_bytes(columns, rows, title=title)
    response = HttpResponse(body, content_type=XLSX)
    filename = f"inspection-{quarter.year}-q{quarter.number}-{name}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
