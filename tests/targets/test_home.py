"""The home page: the city's figures of the latest monthly report, for every signed-in role."""

import pytest
from django.urls import reverse

from targets import reporting
from targets.models import Report
from targets.templatetags.figures import figure
from tests.factories import IndicatorFactory, ProjectFactory, TargetFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_staff_member_signs_in_and_reads_the_latest_report(client, staff_user, django_assert_max_num_queries):
    ProjectFactory(unit=staff_user.unit, signed=True, origin="out_of_city")  # 5000 万 signed 2011-03-15
    TargetFactory(indicator=IndicatorFactory(code="signed_capital"), value=20000)
    reporting.report_compute_month(year=2011, month=3)

    response = client.post(reverse("login"), {"username": staff_user.username, "password": "secret-pass-1"})
    assert response.status_code == 302
    # Staff read the bulletin at /dashboard/ (their home is the 工作台); the count is fixed whatever the
    # number of units and indicators (tests/pages/test_dashboard.py).
    with django_assert_max_num_queries(13):
        page = client.get(reverse("dashboard")).content.decode()

    assert "2011年3月 全市招商引资指标完成情况" in page
    assert "待发布" in page
    assert "招商引资协议引资额" in page and "25.0%" in page  # 5000 of 20000 万


def test_without_any_report_the_page_says_how_to_make_one(client, leader_user):
    client.force_login(leader_user)

    page = client.get(reverse("home")).content.decode()

    assert "还没有计算过月度通报" in page
    assert not Report.objects.exists()


def test_a_wrong_password_is_refused_on_the_page(client, staff_user):
    response = client.post(reverse("login"), {"username": staff_user.username, "password": "nope"})

    assert response.status_code == 200
    assert "error" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "measure", "shown"),
    [
        ("4320000.00", "signed_amount", "432.00 亿元"),
        ("394500.00", "delivered_amount", "39.45 亿元"),
        ("350.00", "delivered_amount", "350 万元"),
        ("144.00", "project_count", "144 个"),
        (None, "signed_amount", "—"),
    ],
)
def test_figures_are_shown_as_leaders_read_them(value, measure, shown):
    from decimal import Decimal

    indicator = IndicatorFactory.build(measure=measure)
    assert figure(None if value is None else Decimal(value), indicator) == shown


def test_another_user_sees_their_own_name_and_role(client):
    leader = UserFactory(role="leader", username="王局长")
    client.force_login(leader)

    assert "王局长 · 领导" in client.get(reverse("home")).content.decode()


def test_an_api_reader_gets_the_403_page_not_the_bulletin(client):
    client.force_login(UserFactory(role="api_reader", username="统计平台"))

    response = client.get(reverse("home"))

    assert response.status_code == 403
    assert "接口只读账号" in response.content.decode()
