"""The reminders page /notifications/ and the nav's unread count."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.services import reminders_send
from tests.factories import ActivityFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reminders(staff_user, unit):
    today = timezone.localdate()
    for name, due in [("今天跟进项目", today), ("逾期跟进项目", today - datetime.timedelta(days=2))]:
        project = ProjectFactory(name=name, unit=unit, owner=staff_user, next_follow_up_on=due)
        ActivityFactory(project=project, happened_on=today)
    reminders_send(today=today)
    return list(Notification.objects.filter(user=staff_user).order_by("kind"))


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_api_reader_gets_the_403_page(client):
    client.force_login(UserFactory(role="api_reader"))
    assert client.get("/notifications/").status_code == 403


def test_the_list_shows_my_reminders_with_links_and_the_nav_count(client, staff_user, reminders):
    colleague = UserFactory(role="staff", unit=staff_user.unit)
    client.force_login(staff_user)

    response = client.get("/notifications/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "今天跟进项目" in body and "逾期跟进项目" in body
    assert "今日跟进" in body and "跟进逾期" in body
    assert "提醒（未读 2 条）" in body
    assert 'class="count">2<' in body
    for notification in reminders:
        assert f'href="/projects/{notification.project_id}/"' in body
    client.force_login(colleague)
    body = client.get("/notifications/").content.decode()
    assert "今天跟进项目" not in body and "暂无提醒。" in body
    assert 'class="count"' not in body


def test_marking_one_read(client, staff_user, reminders):
    client.force_login(staff_user)
    notification = reminders[0]

    response = client.post(f"/notifications/{notification.pk}/read/")

    assert response.status_code == 302 and response["Location"] == "/notifications/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    body = client.get("/notifications/").content.decode()
    assert "提醒（未读 1 条）" in body and "已读" in body


def test_marking_all_read(client, staff_user, reminders):
    client.force_login(staff_user)

    response = client.post("/notifications/read-all/", follow=True)

    assert "已将 2 条提醒标为已读。" in response.content.decode()
    assert not Notification.objects.filter(user=staff_user, read_at__isnull=True).exists()


def test_nobody_marks_anothers_reminder(client, staff_user, reminders):
    client.force_login(UserFactory(role="staff", unit=staff_user.unit))

    assert client.post(f"/notifications/{reminders[0].pk}/read/").status_code == 404
    assert client.post("/notifications/read-all/").status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_reading_is_a_post(client, staff_user, reminders):
    client.force_login(staff_user)
    assert client.get(f"/notifications/{reminders[0].pk}/read/").status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_leaders_have_the_page_too(client):
    client.force_login(UserFactory(role="leader"))
    response = client.get("/notifications/")
    assert response.status_code == 200 and "暂无提醒。" in response.content.decode()


def test_the_query_count_does_not_grow_with_the_reminders(client, staff_user, unit, django_assert_num_queries):
    today = timezone.localdate()
    client.force_login(staff_user)
    ProjectFactory(unit=unit, owner=staff_user, next_follow_up_on=today)
    reminders_send(today=today)
    client.get("/notifications/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/notifications/")
    for _ in range(20):
        ProjectFactory(unit=unit, owner=staff_user, next_follow_up_on=today)
    reminders_send(today=today)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/notifications/")
