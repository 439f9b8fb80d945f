"""Celery tasks of the monthly report: thin wrappers around targets.reporting.

Every task is safe to run twice and to be killed half-way (see targets/reporting/services.py): a
computation replaces a month's rows in one locked transaction. A message can be lost (the embedded
broker deletes it as soon as a worker takes it, so a killed worker loses it); what recovers each
task is the database, not the broker:
- compute_report: the reconciler sends it again for a report left queued or running (every minute);
- reconcile_reports: beat sends the next one a minute later;
- recompute_open_reports: it only marks the open months queued and sends their jobs after commit, in
  milliseconds; killed after its commit, the reconciler finds the months queued; killed before, the
  months keep their rows until the next night (or a leader's request).
"""

import logging

from celery import shared_task
from django.db import transaction

from core.jobs import TRANSIENT_DATABASE_ERRORS
from targets.models import Report

from .reporting import (
    ReportPublishedError,
    report_compute,
    report_reconcile,
    report_request,
    report_request_open_months,
)

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    ignore_result=True,
    # Transient database errors only (a dropped connection, SQLite's "database is locked"); any
    # other error is kept on the report as "failed".
    autoretry_for=TRANSIENT_DATABASE_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def compute_report(report_id: int) -> None:
    try:
        report_compute(report_id=report_id)
    except ReportPublishedError:
        logger.info("Report %s is published: not recomputed", report_id)
    except Report.DoesNotExist:
        logger.warning("Report %s no longer exists", report_id)


def send_compute_jobs(reports: list[Report]) -> None:
    """Send each report's job once the transaction that queued it commits (at once outside one)."""
    for report in reports:
        transaction.on_commit(lambda report_id=report.pk: compute_report.delay(report_id))


@transaction.atomic
def request_report(*, year: int, month: int) -> Report:
    """Queue a month's computation: its report is marked queued and the job sent after commit."""
    report = report_request(year=year, month=month)
    send_compute_jobs([report])
    return report


@shared_task(acks_late=True, ignore_result=True)
def recompute_open_reports() -> None:
    """Nightly (beat): the current month, and the previous month until it is published."""
    with transaction.atomic():
        send_compute_jobs(report_request_open_months())


@shared_task(acks_late=True, ignore_result=True)
def reconcile_reports() -> None:
    """Every minute (beat): send again the jobs of reports whose job was lost (report_reconcile)."""
    send_compute_jobs(report_reconcile())
