"""The nightly reminders (notifications.services.reminders_send): who is reminded of what, once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from notifications.selectors import unread_count
from notifications.services import notification_mark_read, notifications_mark_all_read, reminders_send
from projects.models import Project
from tests.factories import ActivityFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _recent(project, today, days_ago=2):
    return ActivityFactory(project=project, happened_on=today - datetime.timedelta(days=days_ago))


def _kinds(user):
    return sorted(Notification.objects.filter(user=user).values_list("project__name", "kind"))


def test_owners_are_reminded_of_follow_ups_due_today_and_overdue_only(staff_user, unit, today):
    colleague = UserFactory(role="staff", unit=unit)
    for name, due, stage, owner in [
        ("今天", today, Project.Stage.LEAD, staff_user),
        ("逾期", today - 3 * DAY, Project.Stage.NEGOTIATING, staff_user),
        ("下周", today + 3 * DAY, Project.Stage.LEAD, staff_user),
        ("已投产", today - 3 * DAY, Project.Stage.PRODUCING, staff_user),
        ("同事的", today, Project.Stage.LEAD, colleague),
    ]:
        fields = {"signed": True} if stage == Project.Stage.PRODUCING else {}
        project = ProjectFactory(name=name, unit=unit, owner=owner, next_follow_up_on=due, **fields)
        Project.objects.filter(pk=project.pk).update(stage=stage)
        _recent(project, today)  # not stale

    result = reminders_send(today=today)

    assert _kinds(staff_user) == [("今天", "due_today"), ("逾期", "overdue")]
    assert _kinds(colleague) == [("同事的", "due_today")]
    assert result.created == 3
    overdue = Notification.objects.get(user=staff_user, kind="overdue")
    assert overdue.due_on == today - 3 * DAY
    assert "逾期" in overdue.message and "逾期" in overdue.get_kind_display()


def test_a_second_run_writes_nothing_and_emails_nothing(staff_user, unit, today):
    staff_user.email = "zhang@example.cn"
    staff_user.save(update_fields=["email"])
    project = ProjectFactory(unit=unit, owner=staff_user, next_follow_up_on=today - DAY)
    _recent(project, today)

    first = reminders_send(today=today)
    second = reminders_send(today=today)
    third = reminders_send(today=today + DAY)  # still the same overdue follow-up: no new reminder

    assert (first.created, first.emailed) == (1, 1)
    assert (second.created, second.emailed) == (0, 0)
    assert third.created == 0
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhang@example.cn"]
    assert project.name in mail.outbox[0].body
    assert "跟进提醒" in mail.outbox[0].subject


def test_a_follow_up_due_today_is_reminded_again_when_it_becomes_overdue(staff_user, unit, today):
    project = ProjectFactory(unit=unit, owner=staff_user, next_follow_up_on=today)
    _recent(project, today)

    reminders_send(today=today)
    reminders_send(today=today + DAY)

    assert sorted(Notification.objects.values_list("kind", flat=True)) == ["due_today", "overdue"]


def test_users_without_an_email_address_get_the_reminder_in_the_app_only(staff_user, unit, today):
    project = ProjectFactory(unit=unit, owner=staff_user, next_follow_up_on=today)
    _recent(project, today)

    result = reminders_send(today=today)

    assert (result.created, result.emailed) == (1, 0)
    assert mail.outbox == []


def test_stale_projects_go_to_their_owner_or_else_to_every_staff_member_of_the_unit(staff_user, unit, today):
    colleague = UserFactory(role="staff", unit=unit)
    other_unit_staff = UserFactory(role="staff", unit=UnitFactory())
    UserFactory(role="leader")
    quiet = ProjectFactory(name="久未跟进", unit=unit, owner=staff_user)
    _recent(quiet, today, days_ago=31)
    ownerless = ProjectFactory(name="无人负责", unit=unit)
    _recent(ownerless, today, days_ago=45)
    never = ProjectFactory(name="从未跟进", unit=unit, owner=colleague)
    Project.objects.filter(pk=never.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    fresh_lead = ProjectFactory(name="新线索", unit=unit, owner=staff_user)  # created today: not stale
    busy = ProjectFactory(name="常跟进", unit=unit, owner=staff_user)
    _recent(busy, today, days_ago=29)
    _recent(busy, today, days_ago=90)
    done = ProjectFactory(name="已终止", unit=unit, owner=staff_user, stage="dropped", dropped_on=today - 60 * DAY)
    _recent(done, today, days_ago=60)

    reminders_send(today=today)

    assert _kinds(staff_user) == [("久未跟进", "stale"), ("无人负责", "stale")]
    assert _kinds(colleague) == [("从未跟进", "stale"), ("无人负责", "stale")]
    assert _kinds(other_unit_staff) == []
    assert Notification.objects.filter(project__in=[fresh_lead, busy, done]).count() == 0
    reminder = Notification.objects.get(user=staff_user, project=quiet)
    assert reminder.due_on == today - 31 * DAY + 30 * DAY  # the day it became stale
    assert "30 天" in reminder.message
    assert reminders_send(today=today + DAY).created == 0  # the same quiet spell


def test_an_owner_is_not_reminded_of_a_confidential_project_of_another_unit(staff_user, today):
    other = ProjectFactory(unit=UnitFactory(), owner=staff_user, confidential=True, next_follow_up_on=today)
    _recent(other, today)

    assert reminders_send(today=today).created == 0


def test_marking_read_is_the_owners_alone(staff_user, unit, today):
    project = ProjectFactory(unit=unit, owner=staff_user, next_follow_up_on=today)
    ProjectFactory(unit=unit, owner=staff_user, next_follow_up_on=today - DAY)
    _recent(project, today)
    reminders_send(today=today)
    notification = Notification.objects.filter(user=staff_user).first()
    colleague = UserFactory(role="staff", unit=unit)

    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        notification_mark_read(user=colleague, notification=notification)
    notification.refresh_from_db()
    assert notification.read_at is None

    notification_mark_read(user=staff_user, notification=notification)
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert notifications_mark_all_read(user=staff_user) == Notification.objects.filter(user=staff_user).count() - 1
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_beat_schedule_runs_the_reminders_every_morning(settings):
    from notifications import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["reminders-nightly"]
    assert entry["task"] == tasks.send_reminders.name
    assert entry["schedule"].hour == {6}


def test_the_task_writes_todays_reminders(staff_user, unit, today):
    from notifications import tasks

    project = ProjectFactory(unit=unit, owner=staff_user, next_follow_up_on=today)
    _recent(project, today)

    tasks.send_reminders.apply()
    tasks.send_reminders.apply()

    assert list(Notification.objects.values_list("kind", flat=True)) == ["due_today"]


def test_the_unread_count_is_the_orms_count_of_the_users_unread_notifications(staff_user, unit, today):
    ProjectFactory(unit=unit, owner=staff_user, next_follow_up_on=today)
    ProjectFactory(unit=unit, owner=staff_user, next_follow_up_on=today - DAY)
    colleague = UserFactory(role="staff", unit=unit)
    ProjectFactory(unit=unit, owner=colleague, next_follow_up_on=today)
    reminders_send(today=today)

    def orm_count(user):
        return Notification.objects.filter(user=user, read_at__isnull=True).count()

    assert unread_count(staff_user) == orm_count(staff_user) == 2
    notification_mark_read(user=staff_user, notification=Notification.objects.filter(user=staff_user).first())
    assert unread_count(staff_user) == orm_count(staff_user) == 1
    assert unread_count(colleague) == orm_count(colleague) == 1
    assert unread_count(UserFactory(role="staff", unit=unit)) == 0
