"""In-app reminders (站内提醒): follow-ups due or overdue and projects left without a follow-up.

Written only by `notifications.services.reminders_send` (the nightly task); a user reads them at
/notifications/ and marks them read.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        DUE_TODAY = "due_today", _("今日跟进")
        OVERDUE = "overdue", _("跟进逾期")
        STALE = "stale", _("久未跟进")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    message = models.CharField(_("内容"), max_length=400)
    # The day the reminder is about: the follow-up's date (due, overdue), or the day the project
    # became stale. With (user, project, kind) it names one reminder, so a second run of the nightly
    # job adds nothing, and an overdue follow-up is not reported again every night.
    due_on = models.DateField(_("日期"))
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内提醒")
        verbose_name_plural = _("站内提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "project", "kind", "due_on"], name="notification_once"),
        ]
        indexes = [
            # The nav's unread count and the list's unread first: WHERE user_id = … AND read_at IS NULL.
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
        ]

    def __str__(self) -> str:
        return self.message
