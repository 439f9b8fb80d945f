"""The 一季一督查 page in headless Chromium, as a leader uses it on a desktop and on a phone."""

import datetime
import os
from decimal import Decimal

import pytest

from projects.models import Project
from targets.models import Report, ReportRow
from tests.browser.conftest import assert_no_csp_violation
from tests.factories import (
    CapitalDeliveryFactory,
    IndicatorFactory,
    ProjectFactory,
    ReportRowFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _world():
    kecheng = UnitFactory(code="kecheng", name="柯城区")
    jiangshan = UnitFactory(code="jiangshan", name="江山市")
    UserFactory(username="boss", role="leader")
    ProjectFactory(
        name="衢州元立金属制品项目", investor="元立集团", unit=kecheng, stage=Project.Stage.SIGNED,
        signed_on=datetime.date(2011, 2, 10), signed_amount=Decimal("32000"),
    )  # fmt: skip
    slow = ProjectFactory(
        name="江山木门产业园二期工程", unit=jiangshan, stage=Project.Stage.STARTED, signed_on=datetime.date(2011, 1, 5),
        started_on=datetime.date(2011, 3, 1), signed_amount=Decimal("185000"),
    )  # fmt: skip
    CapitalDeliveryFactory(project=slow, delivered_on=datetime.date(2011, 8, 20), amount=Decimal("42000"))
    indicator = IndicatorFactory(code="i-signed", name="招商引资协议引资额")
    for month in (8, 9):
        report = Report.objects.create(year=2011, month=month, status=Report.Status.PROVISIONAL)
        ReportRowFactory(
            report=report, unit=jiangshan, indicator=indicator, pace=ReportRow.Pace.BEHIND,
            completion_pct=Decimal("40.5"), time_progress_pct=Decimal(month * 100 / 12).quantize(Decimal("0.1")),
        )  # fmt: skip
    return slow


def _sign_in(page, live_server, username, path):
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()


def _shot(page, name):
    directory = os.environ.get("INVESTPRO_SCREENSHOTS")
    if directory:
        page.screenshot(path=os.path.join(directory, f"inspection-{name}.png"), full_page=True)


@pytest.mark.parametrize(("size", "name"), [(DESKTOP, "1366"), (PHONE, "390")])
def test_a_leader_picks_a_quarter_and_reads_the_lists(live_server, page, size, name):
    slow = _world()
    page.set_viewport_size(size)
    _sign_in(page, live_server, "boss", "/dashboard/inspection/")

    page.get_by_label("年度").fill("2011")
    page.get_by_label("季度").select_option(label="第三季度")
    page.get_by_role("button", name="查询").click()

    page.wait_for_selector("h1:has-text('一季一督查：2011年第三季度')")
    assert "衢州元立金属制品项目" in page.locator("section[aria-labelledby=h-not-started]").inner_text()
    delivery = page.locator("section[aria-labelledby=h-under-delivered]").inner_text()
    assert "江山木门产业园二期工程" in delivery and "138,750.00" in delivery  # 185000 × 75 %
    assert "8月、9月" in page.locator("section[aria-labelledby=h-behind]").inner_text()
    # Nothing wider than the window but the tables' own scrolling boxes.
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    _shot(page, name)
    assert_no_csp_violation(page)

    with page.expect_download() as download:
        page.locator("section[aria-labelledby=h-not-started]").get_by_role("link", name="下载名单（Excel）").click()
    assert download.value.suggested_filename == "inspection-2011-q3-not-started.xlsx"

    page.get_by_role("link", name="江山木门产业园二期工程").click()
    page.wait_for_url(f"**/projects/{slow.pk}/")


def test_a_wrong_year_is_explained_beside_its_field(live_server, page):
    _world()
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server, "boss", "/dashboard/inspection/")

    page.get_by_label("年度").fill("1800")
    page.get_by_role("button", name="查询").click()

    page.wait_for_selector("text=年度或季度填写有误")
    assert "2000" in page.locator(".field.invalid").inner_text()
    _shot(page, "error-390")
    assert_no_csp_violation(page)
