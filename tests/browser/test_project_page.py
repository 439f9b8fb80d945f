"""The project page in headless Chromium, as a staff member uses it: sign, record a tranche, log a
visit, by label and button text; the error paths; a leader's read-only page; a phone-sized window.

With INVESTPRO_SCREENSHOTS=<dir> set, the pages are photographed at 1366 and 390 px wide."""

import datetime
import os
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from projects.models import Activity, CapitalDelivery, Project
from tests.browser.conftest import assert_no_csp_violation, settle
from tests.factories import ProjectFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


# The elements wider than a phone's window, to name the culprit when the page scrolls sideways.
WIDE = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def sign_in(page, live_server, username: str, path: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{path}")
    settle(page)


def shoot(page, name: str) -> None:
    folder = os.environ.get("INVESTPRO_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"detail-{name}.png"), full_page=True)


def press(page, button: str) -> None:
    """Click a button of the project page and wait until htmx has settled what it started: a form
    swapped in and wired (before a person types into it), its errors, or the refreshed page."""
    page.get_by_role("button", name=button).click()
    settle(page)


def test_staff_signs_a_lead_records_a_tranche_and_logs_a_visit(live_server, page, today, yesterday):
    unit = UnitFactory(code="kecheng", name="柯城区")
    UserFactory(username="zhangwei", first_name="张伟", role="staff", unit=unit)
    project = ProjectFactory(name="华友钴业电池材料项目", investor="浙江华友钴业股份有限公司", unit=unit)
    path = f"/projects/{project.pk}/"

    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "zhangwei", path)
    page.evaluate("window.__samePage = true")  # gone if any step reloads the whole page

    # 签约 without a date: the error beside the field, the amount kept.
    press(page, "签约")
    page.get_by_label("协议引资额").fill("12000")
    press(page, "签约")
    date_field = page.locator(".field", has=page.get_by_label("签约日期"))
    assert "请填写签约日期。" in date_field.locator(".errorlist").inner_text()
    expect(page.get_by_label("协议引资额")).to_have_value("12000")
    assert Project.objects.get(pk=project.pk).stage == "lead"
    shoot(page, "sign-error-1366")

    page.get_by_label("签约日期").fill(yesterday.isoformat())
    press(page, "签约")
    page.wait_for_selector("text=已签约：华友钴业电池材料项目。")
    assert "签约" in page.locator(".step-current").inner_text()
    project.refresh_from_db()
    assert (project.stage, project.signed_on, project.signed_amount) == ("signed", yesterday, Decimal("12000.00"))

    # 登记到位资金, twice: the ledger's running total beside the signed amount.
    for amount, note in (("3000", "一期"), ("1500.5", "二期")):
        press(page, "登记到位资金")
        page.get_by_label("到位日期").fill(yesterday.isoformat())
        page.get_by_label("到位金额").fill(amount)
        page.get_by_label("说明").fill(note)
        press(page, "保存")
        page.wait_for_selector(f"table.list >> text={note}")
    ledger = page.locator("section", has_text="到位资金台账")
    assert "4,500.50" in ledger.inner_text() and "37.5%" in ledger.inner_text()
    assert CapitalDelivery.objects.filter(project=project).count() == 2

    # 添加跟进记录 with a next step: the timeline, and the project's next follow-up.
    next_week = today + datetime.timedelta(days=7)
    press(page, "添加跟进记录")
    page.get_by_label("方式").select_option(label="来访考察")
    page.get_by_label("情况摘要").fill("企业高管来访，确认二期用地需求")
    page.get_by_label("下一步", exact=True).fill("报送用地预审材料")
    page.get_by_label("下一步日期").fill(next_week.isoformat())
    press(page, "保存")
    page.wait_for_selector("text=企业高管来访，确认二期用地需求")
    assert Activity.objects.get(project=project).kind == "reception"
    assert Project.objects.get(pk=project.pk).next_follow_up_on == next_week

    history = page.locator("section", has_text="修改记录").inner_text()
    assert "张伟" in history and "阶段 线索 → 签约" in history
    assert page.evaluate("window.__samePage === true")  # every form worked in place
    shoot(page, "signed-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "signed-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.evaluate(WIDE)

    assert page.requested_hosts == {urlsplit(live_server.url).netloc}
    assert_no_csp_violation(page)


def test_a_delivery_before_signing_and_a_drop_without_reason_are_refused_in_place(live_server, page, yesterday):
    unit = UnitFactory(code="kecheng", name="柯城区")
    UserFactory(username="zhangwei", role="staff", unit=unit)
    project = ProjectFactory(name="仍在洽谈的项目", unit=unit, stage="negotiating")
    path = f"/projects/{project.pk}/"
    sign_in(page, live_server, "zhangwei", path)
    page.set_viewport_size({"width": 390, "height": 844})

    press(page, "登记到位资金")
    page.get_by_label("到位日期").fill(yesterday.isoformat())
    page.get_by_label("到位金额").fill("500")
    press(page, "保存")
    page.wait_for_selector("[role=alert] >> text=只有签约及以后阶段的项目才能登记到位资金。")
    expect(page.get_by_label("到位金额")).to_have_value("500")
    assert not CapitalDelivery.objects.exists()
    shoot(page, "delivery-error-390")

    page.get_by_role("link", name="取消").click()
    settle(page)
    press(page, "终止")
    page.get_by_label("终止日期").fill(yesterday.isoformat())
    press(page, "终止")
    page.wait_for_selector("text=请填写终止原因。")
    page.get_by_label("终止原因").fill("企业转投外省")
    press(page, "终止")
    page.wait_for_selector(".step-dropped")
    assert "企业转投外省" in page.locator(".drop-reason").inner_text()
    assert Project.objects.get(pk=project.pk).stage == "dropped"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.evaluate(WIDE)
    assert_no_csp_violation(page)


def test_without_htmx_the_forms_still_work_as_plain_posts(live_server, page, yesterday):
    unit = UnitFactory(code="kecheng", name="柯城区")
    UserFactory(username="zhangwei", role="staff", unit=unit)
    project = ProjectFactory(name="无脚本也能签约", unit=unit)
    page.route("**/htmx.min.js", lambda route: route.abort())  # as if the script never loaded
    sign_in(page, live_server, "zhangwei", f"/projects/{project.pk}/")

    page.get_by_role("button", name="签约").click()
    page.wait_for_url(re.compile(rf"/projects/{project.pk}/stage/signed/"))
    page.get_by_label("签约日期").fill(yesterday.isoformat())
    page.get_by_label("协议引资额").fill("800")
    page.get_by_role("button", name="签约").click()
    page.wait_for_url(f"**/projects/{project.pk}/")
    assert "已签约" in page.locator(".messages").inner_text()
    assert Project.objects.get(pk=project.pk).stage == "signed"


def test_a_leader_reads_the_page_without_any_action_and_another_unit_is_refused(live_server, page):
    unit = UnitFactory(code="kecheng", name="柯城区")
    UserFactory(username="leader", role="leader")
    UserFactory(username="other", role="staff", unit=UnitFactory(code="qujiang", name="衢江区"))
    project = ProjectFactory(name="领导只读的项目", unit=unit, signed=True)
    path = f"/projects/{project.pk}/"

    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "leader", path)
    assert page.get_by_role("heading", name="领导只读的项目").count() == 1
    assert page.locator("main button").count() == 0
    assert page.get_by_text("登记到位资金").count() == 0
    shoot(page, "leader-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "leader-390")

    page.context.clear_cookies()
    sign_in(page, live_server, "other", path)
    assert page.locator("main button").count() == 0
    response = page.goto(f"{live_server.url}{path}stage/started/")
    assert response.status == 403
    assert "只能修改本单位的项目" in page.content()
    assert Project.objects.get(pk=project.pk).stage == "signed"
    assert_no_csp_violation(page)
