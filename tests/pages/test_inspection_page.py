"""The 一季一督查 page and its XLSX lists: who may read them, confidential projects, bad parameters,
and a query count that does not grow with the lists."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import Project
from targets.models import Report, ReportRow
from tests.factories import (
    CapitalDeliveryFactory,
    IndicatorFactory,
    ProjectFactory,
    ReportFactory,
    ReportRowFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/dashboard/inspection/"
Q3 = {"year": 2011, "quarter": 3}


def _not_started(unit, name, confidential=False):
    return ProjectFactory(
        name=name, unit=unit, stage=Project.Stage.SIGNED, signed_on=datetime.date(2011, 1, 10),
        signed_amount=Decimal("20000"), confidential=confidential,
    )  # fmt: skip


def _under_delivered(unit, name, confidential=False):
    project = ProjectFactory(
        name=name, unit=unit, stage=Project.Stage.STARTED, signed_on=datetime.date(2011, 1, 10),
        started_on=datetime.date(2011, 2, 1), signed_amount=Decimal("10000"), confidential=confidential,
    )  # fmt: skip
    CapitalDeliveryFactory(project=project, delivered_on=datetime.date(2011, 9, 1), amount=Decimal("1000"))
    return project


def _behind(unit):
    indicator = IndicatorFactory(code="i-signed", name="招商引资协议引资额")
    for month in (8, 9):
        report, _ = Report.objects.get_or_create(year=2011, month=month, defaults={"status": "provisional"})
        ReportRowFactory(
            report=report, unit=unit, indicator=indicator, pace=ReportRow.Pace.BEHIND, completion_pct=Decimal("30.0"),
            time_progress_pct=Decimal("75.0"),
        )  # fmt: skip


@pytest.fixture
def world():
    kecheng = UnitFactory(code="kecheng", name="柯城区")
    jiangshan = UnitFactory(code="jiangshan", name="江山市")
    return {
        "kecheng": kecheng,
        "jiangshan": jiangshan,
        "open": _not_started(kecheng, "衢州元立金属制品项目"),
        "secret": _not_started(jiangshan, "江山保密新材料项目", confidential=True),
        "slow": _under_delivered(jiangshan, "江山木门产业园"),
        "slow_secret": _under_delivered(kecheng, "柯城保密电池项目", confidential=True),
    }


def test_the_url_is_named_beside_the_dashboard():
    assert reverse("dashboard_inspection") == URL
    assert reverse("dashboard_inspection_xlsx", kwargs={"name": "not-started"}) == URL + "not-started.xlsx"


def test_a_leader_reads_the_three_lists_with_links_to_the_projects(client, leader_user, world):
    _behind(world["jiangshan"])
    client.force_login(leader_user)

    page = client.get(URL, Q3).content.decode()

    assert "一季一督查：2011年第三季度" in page
    assert "截至 2011年9月30日，全年时间进度 75.0%" in page
    assert f'href="/projects/{world["open"].pk}/">衢州元立金属制品项目</a>' in page
    assert f'href="/projects/{world["secret"].pk}/">江山保密新材料项目</a>' in page  # leaders see everything
    assert "江山木门产业园" in page and "柯城保密电池项目" in page
    assert "7,500.00" in page and "1,000.00" in page  # expected at 75 %, delivered
    assert "江山市" in page and "8月、9月" in page and 'href="/projects/?unit=jiangshan"' in page
    assert "另有保密项目" not in page
    assert "下载名单（Excel）" in page


def test_a_staff_member_sees_other_units_confidential_projects_only_as_a_count(client, world):
    client.force_login(UserFactory(role="staff", unit=world["kecheng"]))

    page = client.get(URL, Q3).content.decode()

    assert "衢州元立金属制品项目" in page
    assert "江山保密新材料项目" not in page
    assert "柯城保密电池项目" in page  # their own unit's confidential project
    assert page.count("另有保密项目 1 个") == 1
    assert page.count("共 2 个") == 2  # the lists' sizes are the bureau's whole lists


def test_an_api_reader_gets_403_and_visitors_sign_in(client, world):
    assert client.get(URL).status_code == 302
    client.force_login(UserFactory(role="api_reader"))

    assert client.get(URL, Q3).status_code == 403
    assert client.get(URL + "not-started.xlsx", Q3).status_code == 403


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc", "quarter": "3"}, "请输入年份，例如 2011。"),
        ({"year": "2011", "quarter": "5"}, "请选择第一至第四季度。"),
        ({"year": "1800", "quarter": "1"}, "2000"),
        ({"year": "", "quarter": "1"}, "请填写年度。"),
    ],
)
def test_bad_parameters_are_a_clear_400(client, leader_user, params, message):
    client.force_login(leader_user)

    response = client.get(URL, params)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "年度或季度填写有误" in page
    assert client.get(URL + "behind-units.xlsx", params).status_code == 400


def test_without_parameters_the_quarter_of_the_latest_report_is_shown(client, leader_user):
    ReportFactory(year=2011, month=11, status=Report.Status.PROVISIONAL)
    client.force_login(leader_user)

    assert "一季一督查：2011年第四季度" in client.get(URL).content.decode()


def test_empty_lists_say_so(client, leader_user):
    client.force_login(leader_user)

    page = client.get(URL, Q3).content.decode()

    assert "本季度没有签约超期未开工的项目" in page
    assert "本季度没有资金到位滞后的在建项目" in page
    assert "本季度没有连续两个月滞后序时进度的单位" in page


def test_the_xlsx_holds_the_whole_visible_list_and_the_hidden_count(client, world):
    client.force_login(UserFactory(role="staff", unit=world["kecheng"]))

    response = client.get(URL + "not-started.xlsx", Q3)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="inspection-2011-q3-not-started.xlsx"'
    lines = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert lines[0] == ("编号", "项目名称", "投资方", "责任单位", "阶段", "协议引资额（万元）", "签约日期")
    assert [line[1] for line in lines[1:-1]] == ["衢州元立金属制品项目"]
    assert lines[-1][0] == "另有保密项目 1 个"
    assert lines[1][5] == 20000  # a number

    slow = list(load_workbook(io.BytesIO(client.get(URL + "under-delivered.xlsx", Q3).content)).active.values)
    assert slow[0][-2:] == ("截至季末到位资金（万元）", "按时间进度应到位（万元）")
    assert [(line[1], line[-2], line[-1]) for line in slow[1:]] == [
        ("江山木门产业园", 1000, 7500),  # equal shortfalls: in the order they were entered
        ("柯城保密电池项目", 1000, 7500),  # the staff member's own unit's confidential project
    ]


def test_the_units_xlsx(client, leader_user, world):
    _behind(world["jiangshan"])
    client.force_login(leader_user)

    lines = list(load_workbook(io.BytesIO(client.get(URL + "behind-units.xlsx", Q3).content)).active.values)

    assert lines == [
        ("责任单位", "指标", "滞后月份", "最近一月完成率（%）", "时间进度（%）"),
        ("江山市", "招商引资协议引资额", "8月、9月", 30, 75),
    ]


def test_an_unknown_list_is_404(client, leader_user):
    client.force_login(leader_user)

    assert client.get(URL + "everything.xlsx", Q3).status_code == 404


def test_the_page_query_count_does_not_grow_with_the_lists(client, world):
    client.force_login(UserFactory(role="staff", unit=world["kecheng"]))
    _behind(world["jiangshan"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, Q3).status_code == 200
        return len(captured)

    few = queries()
    for n in range(60):  # beyond the 50 rows shown
        _not_started(world["jiangshan"], f"待开工项目{n}", confidential=n % 2 == 0)
        _under_delivered(world["kecheng"], f"在建项目{n}")
    _behind(UnitFactory(code="longyou"))  # more rows behind (reports reused)

    assert queries() == few
    page = client.get(URL, Q3).content.decode()
    assert "另有保密项目 31 个" in page and "仅显示前 50 个，完整名单请下载 Excel" in page
