"""The life of an import: upload, check (the preview), confirm or abandon, and the clean-up.

A small file is checked and written in the request; a file over SYNC_MAX_BYTES goes to a Celery job
(ledgers.tasks) and the page shows its progress. Either way the work is the same function, and it is
safe to run twice and to be killed half-way: checking writes nothing but the job's preview, and
confirming writes every row in one transaction, so a killed worker leaves nothing written and the
job, still "confirming", is run again from the start (the broker redelivers it, acks_late, or the
reconciler sends it again).
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Unit, User
from projects.models import can_edit_unit

from .importing import ImportRefused, Options, run
from .models import ImportJob
from .reading import MAX_BYTES

SYNC_MAX_BYTES = 256 * 1024  # about 2,000 project rows: checked within the request, in about a second
PROGRESS_EVERY_ROWS = 1000


def _keep_hours() -> int:
    return getattr(settings, "LEDGER_FILE_KEEP_HOURS", 24)


def job_create(*, user: User, kind: str, filename: str, content: bytes, unit: Unit | None,
               correct_published: bool = False) -> ImportJob:  # fmt: skip
    """A new import of one file; the caller then checks it (job_check or the task)."""
    if kind not in ImportJob.Kind.values:
        raise ValidationError({"kind": _("请选择台账类型。")})
    if not content:
        raise ValidationError({"file": _("文件是空的。")})
    if len(content) > MAX_BYTES:
        raise ValidationError({"file": _("文件超过 20 MB，请拆分后分批导入。")})
    if unit is None and not user.has_perm("projects.change_every_unit"):
        unit = user.unit  # staff import for their own unit
    if unit is not None and not can_edit_unit(user, unit.pk):
        raise PermissionDenied(_("您只能导入本单位的台账。"))
    if unit is None and not can_edit_unit(user, None):
        raise PermissionDenied(_("您的账号没有所属单位，不能导入台账。"))
    return ImportJob.objects.create(
        kind=kind, filename=filename[:200], content=content, size=len(content), unit=unit,
        correct_published=correct_published, created_by=user,
    )  # fmt: skip


def job_runs_in_request(job: ImportJob) -> bool:
    return job.size <= SYNC_MAX_BYTES


def _options(job: ImportJob) -> Options:
    return Options(kind=job.kind, user=job.created_by, filename=job.filename, unit=job.unit,
                   correct_published=job.correct_published)  # fmt: skip


def job_check(*, job_id: int) -> ImportJob | None:
    """Read the file and store its preview; nothing else is written. None for a job that is over."""
    job = ImportJob.objects.select_related("created_by", "unit").get(pk=job_id)
    if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING):
        return None
    ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.CHECKING, rows_done=0, updated_at=timezone.now())

    def progress(rows: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(rows_done=rows, updated_at=timezone.now())

    preview = run(bytes(job.content), _options(job), write=False, progress=progress)
    job.preview, job.rows_done, job.status = preview.as_dict(), preview.total, ImportJob.Status.PREVIEWED
    job.save(update_fields=["preview", "rows_done", "status", "updated_at"])
    return job


def job_request_confirm(*, job: ImportJob, user: User) -> ImportJob:
    """The user's go-ahead: only the importing user, only for a preview without errors."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.created_by_id != user.pk:
            raise PermissionDenied(_("只有上传该文件的人可以确认导入。"))
        if not job.can_confirm:
            raise ValidationError(_("该文件有错误行或已处理，不能确认导入。"))
        job.status = ImportJob.Status.CONFIRMING
        job.save(update_fields=["status", "updated_at"])
    return job


def job_confirm(*, job_id: int) -> ImportJob | None:
    """Write every row of a confirmed job in one transaction, or none: the file is read and checked
    again under the lock, so what another import or user wrote since the preview is seen. A file that
    now has error rows goes back to the preview with them. None for a job that is not confirming."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).select_related("created_by", "unit").get(pk=job_id)
        if job.status != ImportJob.Status.CONFIRMING:
            return None  # done already (a second delivery of the message) or abandoned
        try:
            preview = run(bytes(job.content), _options(job), write=True)
        except ImportRefused as refusal:
            preview = refusal.preview
            transaction.set_rollback(True)
            status = ImportJob.Status.PREVIEWED
        else:
            status = ImportJob.Status.DONE
    # The rows' transaction is over (committed or rolled back): record the outcome.
    job.preview, job.status = preview.as_dict(), status
    job.finished_at = timezone.now() if status == ImportJob.Status.DONE else None
    job.save(update_fields=["preview", "status", "finished_at", "updated_at"])
    return job


def job_fail(*, job_id: int, error: str) -> None:
    ImportJob.objects.filter(pk=job_id, status__in=ImportJob.RUNNING).update(
        status=ImportJob.Status.FAILED, error=error[:2000], finished_at=timezone.now(), updated_at=timezone.now()
    )


def job_abandon(*, job: ImportJob, user: User) -> None:
    if job.created_by_id != user.pk and not user.has_perm("projects.change_every_unit"):
        raise PermissionDenied(_("只有上传该文件的人可以放弃该导入。"))
    ImportJob.objects.filter(pk=job.pk, status__in=[ImportJob.Status.PREVIEWED, ImportJob.Status.FAILED]).update(
        status=ImportJob.Status.ABANDONED, finished_at=timezone.now(), updated_at=timezone.now()
    )


def jobs_tidy(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The clean-up (beat, hourly): a preview left unconfirmed for LEDGER_ABANDON_AFTER_DAYS is
    abandoned; the file of a job over (done, abandoned, failed) for LEDGER_FILE_KEEP_HOURS is removed."""
    now = now or timezone.now()
    abandon_days = getattr(settings, "LEDGER_ABANDON_AFTER_DAYS", 7)
    abandoned = ImportJob.objects.filter(
        status=ImportJob.Status.PREVIEWED, updated_at__lt=now - datetime.timedelta(days=abandon_days)
    ).update(status=ImportJob.Status.ABANDONED, finished_at=now)
    removed = ImportJob.objects.filter(
        status__in=[ImportJob.Status.DONE, ImportJob.Status.ABANDONED, ImportJob.Status.FAILED],
        finished_at__lt=now - datetime.timedelta(hours=_keep_hours()),
        file_removed_at__isnull=True,
    ).update(content=b"", file_removed_at=now)
    return {"abandoned": abandoned, "removed": removed}


def jobs_lost(*, older_than: datetime.timedelta = datetime.timedelta(minutes=10)) -> list[int]:
    """Jobs still queued, checking or confirming with no progress for a while: their message was lost
    (a killed worker on the embedded broker). The reconciler sends them again."""
    stale = timezone.now() - older_than
    return list(
        ImportJob.objects.filter(status__in=ImportJob.RUNNING, updated_at__lt=stale).values_list("pk", flat=True)
    )
