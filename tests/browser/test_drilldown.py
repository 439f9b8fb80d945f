"""A leader in headless Chromium: computes a month (the job's progress polled until done), drills from
three figures into lists whose totals match them, publishes after the confirmation, reads the
restatement; and the same pages on a 390 px phone."""

import datetime
import os
from decimal import Decimal

import pytest

from targets import tasks
from targets.models import Report
from targets.reporting import report_compute
from tests.browser.conftest import assert_no_csp_violation
from tests.factories import CapitalDeliveryFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
day = datetime.date


def _world():
    a = UnitFactory(code="kecheng", name="柯城区")
    b = UnitFactory(code="jiangshan", name="江山市")
    UserFactory(username="boss", role="leader")
    huayou = ProjectFactory(
        name="华友钴业电池材料项目", investor="浙江华友钴业股份有限公司", unit=a, stage="signed",
        origin="out_of_province", signed_on=day(2011, 3, 8), signed_amount=Decimal("180000"),
        total_investment=Decimal("600000"),
    )  # fmt: skip
    CapitalDeliveryFactory(project=huayou, delivered_on=day(2011, 3, 20), amount=Decimal("25000"))
    ProjectFactory(
        name="江山木门产业园", unit=b, stage="signed", origin="out_of_city", signed_on=day(2011, 2, 14),
        signed_amount=Decimal("12000"), total_investment=Decimal("15000"),
    )  # fmt: skip
    ProjectFactory(
        name="保密的新材料项目", unit=b, stage="signed", origin="overseas", confidential=True,
        signed_on=day(2010, 3, 2), signed_amount=Decimal("30000"), total_investment=Decimal("40000"),
    )  # fmt: skip


def _sign_in(page, live_server, path):
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("用户名").fill("boss")
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()


def _shot(page, name):
    directory = os.environ.get("INVESTPRO_SCREENSHOTS")
    if directory:
        page.screenshot(path=os.path.join(directory, f"drill-{name}.png"), full_page=True)


def _fits(page, width):
    """Nothing but a table's own scroller is wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _drill(page, row_name, column, shot=None):
    """Click one figure of the city table and check the list's total reads the same."""
    cell = page.locator("table.report-figures tr", has=page.get_by_role("rowheader", name=row_name)).locator("td")
    link = cell.nth(column).get_by_role("link")
    figure = link.inner_text()
    link.click()
    page.wait_for_url("**/dashboard/drill/**")
    assert page.locator(".drill-total").inner_text() == figure
    assert_no_csp_violation(page)
    if shot:
        _shot(page, shot)
    page.go_back()
    return figure


def test_a_leader_computes_drills_publishes_and_reads_the_restatement(page, live_server, monkeypatch):
    _world()
    sent = []
    monkeypatch.setattr(tasks.compute_report, "delay", lambda report_id: sent.append(report_id))
    page.set_viewport_size(DESKTOP)
    _sign_in(page, live_server, "/dashboard/report/?year=2011&month=3")
    assert page.get_by_text("这个月还没有通报").is_visible()
    page.get_by_role("button", name="计算本月通报").click()
    page.get_by_text("排队中").wait_for()
    assert page.get_by_role("button", name="重新计算").is_disabled()
    assert len(sent) == 1
    report_compute(report_id=sent[0])  # the worker's run; the page finds it done and reloads
    page.locator("table.report-figures").wait_for(timeout=10_000)
    assert page.locator(".report-state").get_by_text("待发布").is_visible()
    assert_no_csp_violation(page)
    _shot(page, "report-desktop")

    assert _drill(page, "招商引资协议引资额", 1, "list-desktop") == "19.20 亿元"  # 1-3月累计
    assert _drill(page, "实际到位市外资金", 0) == "2.50 亿元"  # 3月当月
    assert _drill(page, "招商引资协议引资额", 4) == "3.00 亿元"  # 上年同期: a confidential project
    assert page.get_by_role("table").count() >= 1

    page.get_by_role("link", name="发布…").click()
    page.get_by_role("button", name="确认发布").click()
    page.get_by_text("通报已发布，数字从此冻结").wait_for()
    assert Report.objects.get(year=2011, month=3).status == Report.Status.PUBLISHED
    assert page.get_by_role("button", name="重新计算").is_disabled()
    assert page.get_by_text("已发布的通报数字冻结，不能重新计算").is_visible()

    ProjectFactory(
        name="迟报的物流项目", unit=UnitFactory(code="kecheng"), stage="signed", origin="out_of_city",
        signed_on=day(2011, 3, 28), signed_amount=Decimal("5000"),
    )  # fmt: skip
    page.get_by_role("link", name="更正对比").click()
    assert page.locator("tr.restated").count() > 0
    restated = page.locator("tr.restated", has=page.get_by_role("rowheader", name="招商引资协议引资额")).first
    assert "+5000 万元" in restated.inner_text()
    assert_no_csp_violation(page)
    _shot(page, "restatement-desktop")

    page.set_viewport_size(PHONE)
    for path, name in (
        ("/dashboard/report/?year=2011&month=3", "report-phone"),
        ("/dashboard/drill/?indicator=signed_capital&year=2011&month=3&period=ytd", "list-phone"),
        ("/dashboard/restatement/?year=2011&month=3", "restatement-phone"),
    ):
        page.goto(f"{live_server.url}{path}")
        _fits(page, PHONE["width"])
        assert_no_csp_violation(page)
        _shot(page, name)
