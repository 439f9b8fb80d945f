"""Writes of the reminders: the nightly job that writes them, and a user marking them read.

Notifications are not audited (`audited_save` is for the bureau's records, whose history matters):
a reminder is a derived, disposable message, written in bulk by the nightly job. Each row is still
checked by the model's field rules (`clean_fields`) before the bulk insert, and the unique constraint
(user, project, kind, due_on) makes a second run of the job a no-op, even two runs at once.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from projects.models import Project

from . import selectors
from .models import Notification

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemindersSent:
    created: int
    emailed: int


def reminders_send(*, today: datetime.date | None = None) -> RemindersSent:
    """Write today's reminders: each owner's follow-ups due today or overdue, and each open project
    without a follow-up for STALE_PROJECT_DAYS days (to its owner, or to every staff member of its
    unit when it has none). Only reminders not written before are added; their recipients with an
    e-mail address get them by e-mail (the console in the embedded default), once."""
    today = today or timezone.localdate()
    wanted = [*_follow_up_reminders(today), *_stale_reminders(today)]
    with transaction.atomic():
        new = _without_existing(wanted)
        for notification in new:
            notification.clean_fields(exclude=["user", "project"])  # both come from the database's own rows
        Notification.objects.bulk_create(new, ignore_conflicts=True)
    emailed = _email(new)
    return RemindersSent(created=len(new), emailed=emailed)


def _follow_up_reminders(today: datetime.date) -> list[Notification]:
    # An owner is reminded only of projects it may see (a confidential project of another unit is not).
    projects = (
        selectors.follow_ups_due(Project.objects.filter(owner__is_active=True), until=today)
        .filter(Q(confidential=False) | Q(unit_id=F("owner__unit_id")) | Q(owner__role__in=[Role.LEADER, Role.ADMIN]))
        .only("pk", "name", "owner_id", "next_follow_up_on")
    )
    reminders = []
    for project in projects:
        due = project.next_follow_up_on
        if due == today:
            kind, message = Notification.Kind.DUE_TODAY, _("“%(name)s”今天（%(date)s）应跟进。")
        else:
            kind, message = Notification.Kind.OVERDUE, _("“%(name)s”的跟进已逾期：应于 %(date)s 跟进。")
        reminders.append(
            Notification(
                user_id=project.owner_id,
                project_id=project.pk,
                kind=kind,
                due_on=due,
                message=message % {"name": project.name, "date": due.isoformat()},
            )
        )
    return reminders


def _stale_reminders(today: datetime.date) -> list[Notification]:
    days = settings.STALE_PROJECT_DAYS
    projects = list(
        selectors.stale_projects(Project.objects.all(), today=today).only("pk", "name", "unit_id", "owner_id")
    )
    owners = set(
        User.objects.filter(pk__in={p.owner_id for p in projects if p.owner_id}, is_active=True).values_list(
            "pk", flat=True
        )
    )
    unit_staff: dict[int, list[int]] = {}
    ownerless_units = {p.unit_id for p in projects if p.owner_id not in owners}
    for user_id, unit_id in User.objects.filter(
        role=Role.STAFF, is_active=True, unit_id__in=ownerless_units
    ).values_list("pk", "unit_id"):
        unit_staff.setdefault(unit_id, []).append(user_id)
    reminders = []
    for project in projects:
        recipients = [project.owner_id] if project.owner_id in owners else unit_staff.get(project.unit_id, [])
        last = project.last_activity.isoformat() if project.last_activity else _("无跟进记录")
        message = _("“%(name)s”已 %(days)s 天以上没有跟进（最近一次跟进：%(last)s）。") % {
            "name": project.name,
            "days": days,
            "last": last,
        }
        # The day it became stale: one reminder per quiet spell, not one a night.
        stale_on = project.quiet_since + datetime.timedelta(days=days)
        reminders.extend(
            Notification(
                user_id=user_id, project_id=project.pk, kind=Notification.Kind.STALE, due_on=stale_on, message=message
            )
            for user_id in recipients
        )
    return reminders


def _without_existing(wanted: list[Notification]) -> list[Notification]:
    if not wanted:
        return []
    existing = set(
        Notification.objects.filter(project_id__in={n.project_id for n in wanted}).values_list(
            "user_id", "project_id", "kind", "due_on"
        )
    )
    seen = set()
    new = []
    for notification in wanted:
        key = (notification.user_id, notification.project_id, notification.kind, notification.due_on)
        if key not in existing and key not in seen:
            seen.add(key)
            new.append(notification)
    return new


def new_lead_notify(*, project: Project, message: str, flags: dict[int, str] | None = None) -> RemindersSent:
    """Tell the staff of a new lead's unit (a lead that came in from outside, such as an investor's
    enquiry on the public land page) to follow it up today; each gets it in the app and, with an
    address, by e-mail. `flags` adds a line for some recipients only (by user id): what only they
    may read, such as the projects of theirs it may duplicate.

    It is a 今日跟进 reminder dated today: the (user, project, kind, due_on) rule still makes it once."""
    today = timezone.localdate()
    flags = flags or {}
    recipients = User.objects.filter(role=Role.STAFF, is_active=True, unit_id=project.unit_id).values_list(
        "pk", flat=True
    )
    new = [
        Notification(
            user_id=user_id,
            project_id=project.pk,
            kind=Notification.Kind.DUE_TODAY,
            due_on=today,
            message=(f"{message} {flags[user_id]}" if user_id in flags else message)[:400],
        )
        for user_id in recipients
    ]
    with transaction.atomic():
        new = _without_existing(new)
        for notification in new:
            notification.clean_fields(exclude=["user", "project"])
        Notification.objects.bulk_create(new, ignore_conflicts=True)
    subject = _("InvestPro 新线索：%(name)s") % {"name": project.name}
    return RemindersSent(created=len(new), emailed=_email(new, subject=subject))


def _email(new: list[Notification], *, subject: str | None = None) -> int:
    """One e-mail per recipient with an address, listing its new reminders. A mail server that
    fails is logged: the reminders are written and shown in the app all the same."""
    if not new:
        return 0
    by_user: dict[int, list[Notification]] = {}
    for notification in new:
        by_user.setdefault(notification.user_id, []).append(notification)
    recipients = User.objects.filter(pk__in=by_user).exclude(email="").only("pk", "email", "username")
    sent = 0
    for user in recipients:
        messages = by_user[user.pk]
        subject_line = subject or _("InvestPro 跟进提醒（%(count)s 条）") % {"count": len(messages)}
        body = "\n".join(
            [
                *(f"· {notification.message}" for notification in messages),
                "",
                _("请登录 InvestPro，在“提醒”页面（/notifications/）查看。"),
            ]
        )
        try:
            send_mail(subject_line, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except Exception:  # noqa: BLE001 — any mail failure; the in-app reminder stands
            logger.exception("reminder e-mail to user %s failed", user.pk)
            continue
        sent += 1
    return sent


def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    """Mark one of the user's own reminders read (a second time changes nothing)."""
    if notification.user_id != user.pk:
        raise PermissionDenied(_("这不是您的提醒。"))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread reminder of the user read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
