"""Celery tasks of the Excel import: thin wrappers around ledgers.services (safe to run twice and to
be killed half-way; see there)."""

import logging

from celery import shared_task
from django.db import transaction

from core.jobs import TRANSIENT_DATABASE_ERRORS as TRANSIENT

from .models import ImportJob
from .services import job_check, job_confirm, job_fail, jobs_lost, jobs_tidy

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def check_import(job_id: int) -> None:
    try:
        job_check(job_id=job_id)
    except TRANSIENT:
        raise
    except Exception as error:  # kept on the job for the page; the file itself is refused with a reason
        logger.exception("Import %s failed while checking", job_id)
        job_fail(job_id=job_id, error=str(error))


@shared_task(acks_late=True, ignore_result=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def confirm_import(job_id: int) -> None:
    try:
        job_confirm(job_id=job_id)
    except TRANSIENT:
        raise
    except Exception as error:
        logger.exception("Import %s failed while writing", job_id)
        job_fail(job_id=job_id, error=str(error))


def send_job(job: ImportJob) -> None:
    """Send the job's next step to a worker once the request's transaction commits."""
    task = confirm_import if job.status == ImportJob.Status.CONFIRMING else check_import
    transaction.on_commit(lambda: task.delay(job.pk))


@shared_task(ignore_result=True)
def tidy_imports() -> None:
    """Beat: send again the jobs whose message was lost, abandon old previews, remove old files."""
    for job in ImportJob.objects.filter(pk__in=jobs_lost()):
        send_job(job)
    jobs_tidy()
