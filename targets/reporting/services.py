"""The life of a monthly report: requested, computed, published, previewed, recovered.

A report moves queued → running → provisional, or → failed with the error kept; a leader then
publishes a provisional report, and a published report never changes again.

Safety of the computation (issue 3):
- The rows of a month are replaced in one transaction (delete + insert) that holds a row lock on
  the Report (SELECT ... FOR UPDATE; on SQLite the IMMEDIATE transaction's write lock), so two runs
  of one month serialize, and a reader sees the previous complete rows or the new complete rows.
- A run killed half-way leaves its transaction rolled back: the previous rows stay, the report
  stays "running", and the reconciler (report_reconcile, every minute) re-enqueues it once no
  live run holds it.
- Every run checks, under the lock, that the month is not published.

This module knows nothing of Celery: targets/tasks.py sends the jobs for the reports that
`report_request`, `report_reconcile` and `report_request_open_months` return.
"""

from __future__ import annotations

import contextlib
import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ConflictError
from targets.models import Report, ReportRow, report_rows_check, validate_year_month

from .figures import build_rows

logger = logging.getLogger(__name__)


class ReportPublishedError(ConflictError):
    """Recomputing a published month is refused: a published bulletin never changes (HTTP 409)."""

    def __init__(self, report: Report):
        super().__init__(
            _("%(year)s年%(month)s月通报已发布，不能重新计算。") % {"year": report.year, "month": report.month},
            code="report_published",
        )


class ReportNotProvisionalError(ConflictError):
    """Only a provisional report can be published (HTTP 409)."""

    def __init__(self, report: Report):
        super().__init__(
            _("只有待发布的通报才能发布；%(year)s年%(month)s月通报当前状态为“%(status)s”。")
            % {"year": report.year, "month": report.month, "status": report.get_status_display()},
            code="report_not_provisional",
        )


def _locked(report_id: int) -> Report:
    """The report with its row locked until the end of the transaction."""
    return Report.objects.select_for_update().get(pk=report_id)


def _claim(*, year: int, month: int) -> Report:
    """Get or create the month's report, locked, refuse it if published, and mark it queued.
    Call inside a transaction."""
    validate_year_month(year=year, month=month)  # a 400 naming the field, before the database's CHECK
    report, _created = Report.objects.select_for_update().get_or_create(year=year, month=month)
    if report.is_published:
        raise ReportPublishedError(report)
    report.status = Report.Status.QUEUED
    report.queued_at = timezone.now()
    report.error = ""
    report.save(update_fields=["status", "queued_at", "error"])
    return report


@transaction.atomic
def report_request(*, year: int, month: int) -> Report:
    """Mark a month's report queued, creating it on first request; a published month is refused
    with ReportPublishedError. The caller sends the job (targets.tasks.request_report).

    Requesting a month while it is being computed waits for that run to commit (it holds the
    report's lock), then queues a fresh run that will see any data written meanwhile."""
    return _claim(year=year, month=month)


def report_compute(*, report_id: int) -> Report:
    """Compute a report's rows and replace the old ones: the work of the Celery task.

    Raises ReportPublishedError for a published month (nothing changes) and Report.DoesNotExist for
    an unknown id. Any other error marks the report failed, keeps the message on it, and is re-raised.
    """
    with transaction.atomic():
        report = _locked(report_id)
        if report.is_published:
            raise ReportPublishedError(report)
        report.status = Report.Status.RUNNING
        report.started_at = timezone.now()
        report.save(update_fields=["status", "started_at"])
    # Committed: readers and the reconciler see the run. If it is killed from here on, the
    # transaction below rolls back and the report stays "running" with its previous rows.
    try:
        with transaction.atomic():
            report = _locked(report_id)  # a second run of the month waits here for this one
            if report.is_published:  # published meanwhile by a run that finished before us
                raise ReportPublishedError(report)
            rows = build_rows(year=report.year, month=report.month, report=report)
            report_rows_check(rows)  # figures too large for their columns fail the run, unstored
            report.rows.all().delete()
            ReportRow.objects.bulk_create(rows)
            report.status = Report.Status.PROVISIONAL
            report.computed_at = timezone.now()
            report.error = ""
            report.save(update_fields=["status", "computed_at", "error"])
    except ReportPublishedError:
        raise
    except Exception as exc:
        logger.exception("Report %s failed", report_id)
        _mark_failed(report_id, exc)
        raise
    return report


def _mark_failed(report_id: int, exc: BaseException) -> None:
    message = f"{type(exc).__name__}: {exc}"[:2000]
    try:
        with transaction.atomic():
            Report.objects.filter(pk=report_id).exclude(status=Report.Status.PUBLISHED).update(
                status=Report.Status.FAILED, error=message
            )
    except DatabaseError:  # e.g. the connection is gone: the reconciler will find the report
        logger.exception("Could not mark report %s failed", report_id)


def report_compute_month(*, year: int, month: int) -> Report:
    """Compute a month now, in this process (the compute_report command): create its report if
    needed, refuse a published one, then run report_compute."""
    with transaction.atomic():
        report = _claim(year=year, month=month)
    return report_compute(report_id=report.pk)


@transaction.atomic
def report_publish(*, report: Report, actor: User) -> Report:
    """Publish a provisional report: who and when are kept, and its rows are frozen for ever.
    Waits for a computation of the month in progress (it holds the report's lock)."""
    if not actor.has_perm("targets.publish_report"):
        raise PermissionDenied(_("只有领导可以发布月度通报。"))
    locked = _locked(report.pk)
    if locked.status != Report.Status.PROVISIONAL:
        raise ReportNotProvisionalError(locked)
    locked.status = Report.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = actor
    locked.save(update_fields=["status", "published_at", "published_by"])
    for field in ("status", "published_at", "published_by"):
        setattr(report, field, getattr(locked, field))
    return locked


def report_preview(*, report: Report) -> list[ReportRow]:
    """What recomputing the report from today's data would give, without writing anything: unsaved
    rows in the order of the report's own, to show late corrections beside a published report's
    frozen figures. Works for a report in any state; figures too large to store are a
    ReportFiguresTooLargeError (409), as they would fail the computation."""
    rows = build_rows(year=report.year, month=report.month, report=report)
    report_rows_check(rows)
    return rows


def report_reconcile(
    *, queued_after: datetime.timedelta | None = None, running_after: datetime.timedelta | None = None
) -> list[Report]:
    """Mark queued again, and return, the reports whose job was lost; the caller sends their jobs again.

    The report's status in the database is the truth, whatever the broker kept:
    - queued for longer than queued_after (REPORT_REQUEUE_QUEUED_AFTER): no run has claimed it, so
      its message was lost (the embedded broker deletes a message as soon as a worker takes it; a
      process killed between its commit and the send loses one on any broker). If the message was
      only slow, the second run recomputes the month once more: harmless, runs take turns.
    - running for longer than running_after (REPORT_REQUEUE_RUNNING_AFTER) with no live run
      holding it: its worker died. A live run holds the report for the whole of its computing
      transaction (report_compute: SELECT ... FOR UPDATE on PostgreSQL, skipped here by SKIP
      LOCKED; on SQLite its IMMEDIATE transaction's write lock, which this IMMEDIATE transaction
      waits for, so that no run is computing while it looks). The short grace covers the instant
      between a run's two transactions.
    """
    if queued_after is None:
        queued_after = datetime.timedelta(seconds=settings.REPORT_REQUEUE_QUEUED_AFTER)
    if running_after is None:
        running_after = datetime.timedelta(seconds=settings.REPORT_REQUEUE_RUNNING_AFTER)
    with transaction.atomic():
        now = timezone.now()  # once the transaction began: on SQLite, after any run in progress committed
        queued_long = Q(status=Report.Status.QUEUED) & (
            Q(queued_at__isnull=True) | Q(queued_at__lte=now - queued_after)
        )
        running_dead = Q(status=Report.Status.RUNNING) & (
            Q(started_at__isnull=True) | Q(started_at__lte=now - running_after)
        )
        lost = Report.objects.select_for_update(skip_locked=True).filter(queued_long | running_dead)
        reports = list(lost.order_by("year", "month"))
        for report in reports:
            since = report.started_at if report.status == Report.Status.RUNNING else report.queued_at
            logger.warning("Re-enqueuing report %s, %s since %s: its job was lost", report.pk, report.status, since)
            report.status = Report.Status.QUEUED
            report.queued_at = now
            report.save(update_fields=["status", "queued_at"])
    return reports


def report_request_open_months(*, today: datetime.date | None = None) -> list[Report]:
    """The nightly job: recompute the current month, and the previous month until it is published,
    by the bureau's calendar (TIME_ZONE, Asia/Shanghai)."""
    today = today or timezone.localdate()
    previous = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    requested = []
    for year, month in (previous, (today.year, today.month)):
        with contextlib.suppress(ReportPublishedError):  # published: frozen for ever
            requested.append(report_request(year=year, month=month))
    return requested
