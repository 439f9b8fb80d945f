"""An import of a ledger file: the file itself until it is confirmed or abandoned, and its preview."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Unit


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        PROJECTS = "projects", _("项目")
        DELIVERIES = "deliveries", _("到位资金")
        ACTIVITIES = "activities", _("跟进记录")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        CHECKING = "checking", _("正在检查")
        PREVIEWED = "previewed", _("待确认")
        CONFIRMING = "confirming", _("正在导入")
        DONE = "done", _("已导入")
        ABANDONED = "abandoned", _("已放弃")
        FAILED = "failed", _("失败")

    # Jobs a worker is (or should be) running: the reconciler sends them again if their message is lost.
    RUNNING = (Status.QUEUED, Status.CHECKING, Status.CONFIRMING)

    kind = models.CharField(_("台账类型"), max_length=20, choices=Kind.choices)
    filename = models.CharField(_("文件名"), max_length=200)
    # The file is kept in the database, not on a disk: the web process and the Celery worker may run on
    # different hosts, and they share only the database. Emptied once the job is over (ledgers.services).
    content = models.BinaryField(_("文件内容"), editable=False)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    unit = models.ForeignKey(
        Unit, verbose_name=_("导入到单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    correct_published = models.BooleanField(_("更正已发布月份"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveIntegerField(_("已检查行数"), default=0)
    preview = models.JSONField(_("预览"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    file_removed_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The import page's list of a user's recent imports.
            models.Index(fields=["created_by", "-created_at"], name="importjob_user_recent"),
            # The reconciler and the clean-up: jobs by status, oldest change first.
            models.Index(fields=["status", "updated_at"], name="importjob_status_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def can_confirm(self) -> bool:
        preview = self.preview or {}
        counts = preview.get("counts", {})
        return (
            self.status == self.Status.PREVIEWED
            and not preview.get("refused")
            and counts.get("error", 0) == 0
            and counts.get("create", 0) + counts.get("update", 0) > 0
        )

    @property
    def has_errors(self) -> bool:
        preview = self.preview or {}
        return bool(preview.get("refused") or preview.get("errors"))

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING
