"""The bulletin's downloads (.docx, .xlsx) and its text on the dashboard, from a stored report."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.pages import page_view
from targets.models import FIRST_MONTH, FIRST_YEAR, LAST_MONTH, LAST_YEAR, ROW_ORDER, Report, ReportRow

from .files import docx_bytes, xlsx_bytes
from .tables import Table, all_tables
from .text import Draft, draft_bulletin

FINISHED = (Report.Status.PROVISIONAL, Report.Status.PUBLISHED)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_rows(report: Report) -> list[ReportRow]:
    return list(
        ReportRow.objects.filter(report=report).select_related("indicator", "unit", "group").order_by(*ROW_ORDER)
    )


def previous_rows(report: Report) -> list[ReportRow] | None:
    """Last month's rows in the same year, when that month has a finished report (two queries)."""
    if report.month == FIRST_MONTH:
        return None
    previous = Report.objects.filter(year=report.year, month=report.month - 1, status__in=FINISHED).first()
    return report_rows(previous) if previous else None


def bulletin_of(report: Report) -> tuple[Draft, list[Table]]:
    rows = report_rows(report)
    draft = draft_bulletin(rows, year=report.year, month=report.month, previous=previous_rows(report))
    return draft, all_tables(rows)


def bulletin_context(report: Report | None) -> dict:
    """What `targets/bulletin/_text.html` shows on the dashboard: the drafted text and the links to
    the files. Three or four queries, whatever the number of units and indicators."""
    if report is None or report.status not in FINISHED:
        return {"bulletin": None}
    draft, _tables = bulletin_of(report)
    args = {"year": report.year, "month": report.month}
    return {
        "bulletin": {
            "draft": draft,
            "text": draft.text,
            "docx_url": reverse("dashboard_bulletin_docx", kwargs=args),
            "xlsx_url": reverse("dashboard_bulletin_xlsx", kwargs=args),
        }
    }


def _finished_report(request: HttpRequest, year: int, month: int) -> Report | HttpResponse:
    """The month's report, or the page that says why there is no bulletin (404 or 409)."""
    if not (FIRST_YEAR <= year <= LAST_YEAR and FIRST_MONTH <= month <= LAST_MONTH):
        raise Http404(f"没有 {year} 年 {month} 月：年度须在 {FIRST_YEAR}–{LAST_YEAR}，月份须在 1–12 之间。")
    report = Report.objects.filter(year=year, month=month).first()
    if report is None or report.status not in FINISHED:
        # No report: the month is unknown (404). A report still queued, running or failed: not yet (409).
        context = {"year": year, "month": month, "report": report, "dashboard_url": reverse("dashboard")}
        return render(request, "targets/bulletin/unavailable.html", context, status=409 if report else 404)
    return report


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _issued_on(report: Report):
    stamp = report.published_at or report.computed_at
    return timezone.localdate(stamp) if stamp else timezone.localdate()


def _docx(report: Report) -> bytes:
    draft, tables = bulletin_of(report)
    return docx_bytes(draft, tables, issuer=settings.BULLETIN_ISSUER, issued_on=_issued_on(report))


def _xlsx(report: Report) -> bytes:
    return xlsx_bytes(all_tables(report_rows(report)))


@page_view
@require_GET
def bulletin_page(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """The month's drafted bulletin on a page of its own (`dashboard_bulletin`), to read, copy or print."""
    report = _finished_report(request, year, month)
    if isinstance(report, HttpResponse):
        return report
    context = {"report": report, "dashboard_url": reverse("dashboard"), **bulletin_context(report)}
    return render(request, "targets/bulletin/page.html", context)


FILES = {"docx": (_docx, DOCX), "xlsx": (_xlsx, XLSX)}


@page_view
@require_GET
def bulletin_file(request: HttpRequest, year: int, month: int, file_format: str) -> HttpResponse:
    """The month's bulletin as .docx or .xlsx (`dashboard_bulletin_docx`, `dashboard_bulletin_xlsx`)."""
    report = _finished_report(request, year, month)
    if isinstance(report, HttpResponse):
        return report
    make, content_type = FILES[file_format]
    return _download(make(report), content_type, f"bulletin-{year}-{month:02d}.{file_format}")
