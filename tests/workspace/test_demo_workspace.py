"""The demo's staff member and a 工作台 about today (workspace/management/commands/demo_workspace.py)."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from projects.models import CapitalDelivery, Project

pytestmark = pytest.mark.django_db

# Every project field an indicator reads (DESIGN §3): none of them may change.
COUNTED = [
    "pk", "unit_id", "industry_id", "category", "origin", "returning_merchant", "mountain_sea", "channel",
    "stage", "total_investment", "signed_amount", "signed_on", "started_on", "producing_on", "dropped_on",
]  # fmt: skip


def _counted() -> tuple:
    return (
        list(Project.objects.order_by("pk").values_list(*COUNTED)),
        list(CapitalDelivery.objects.order_by("pk").values_list("pk", "project_id", "delivered_on", "amount")),
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded, then the command run twice; rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        before = _counted()
        first, second = StringIO(), StringIO()
        call_command("demo_workspace", stdout=first)
        after_first = _counted()
        notifications = Notification.objects.count()
        call_command("demo_workspace", stdout=second)
        yield {
            "before": before,
            "after": after_first,
            "after_second": _counted(),
            "first": first.getvalue(),
            "second": second.getvalue(),
            "notifications": (notifications, Notification.objects.count()),
        }
        transaction.set_rollback(True)


def test_the_command_prints_how_to_sign_in_once(demo):
    assert "用户名：zhangwei" in demo["first"] and "密码：" in demo["first"]
    assert "密码：" not in demo["second"] and "changepassword zhangwei" in demo["second"]
    user = User.objects.get(username="zhangwei")
    assert (user.role, user.unit.code, user.get_full_name()) == ("staff", "kecheng", "张伟")


def test_no_figure_of_the_demo_year_changes(demo):
    assert demo["after"] == demo["before"]
    assert demo["after_second"] == demo["before"]


def test_a_second_run_changes_nothing(demo):
    assert "更新 0 个项目的跟进日期，新增 0 条跟进记录，0 条提醒" in demo["second"]
    assert demo["notifications"][0] == demo["notifications"][1] > 0


def test_the_workspace_is_lifelike_today(demo, client):
    client.force_login(User.objects.get(username="zhangwei"))
    today = timezone.localdate()

    response = client.get("/")

    assert response.status_code == 200
    counts = response.context["follow_up_counts"]
    assert counts["overdue"] >= 2 and counts["today"] >= 1 and counts["week"] >= 3
    assert 1 <= response.context["stale_count"] <= 5
    unit_overdue = Project.objects.filter(unit__code="kecheng", next_follow_up_on__lt=today).exclude(
        stage__in=["producing", "dropped"]
    )
    assert unit_overdue.count() == counts["overdue"]  # only the demo user's few are overdue
    assert response.context["changes"]
    assert any(row["count"] for row in response.context["stages"])
    assert Project.objects.filter(
        unit__code="kecheng", activities__happened_on__gte=today - datetime.timedelta(days=30)
    ).exists()
    assert "提醒（未读" in response.content.decode()
