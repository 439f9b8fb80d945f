"""The lead form in Chromium, as a staff member uses it: by label and button text, errors included.

INVESTPRO_SCREENSHOTS=<dir> also saves the form at 1366 and 390 px wide (form-*.png).
"""

import os
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from projects.models import Project
from tests.browser.conftest import assert_no_csp_violation, settle
from tests.factories import ProjectFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PROJECT_PAGE = re.compile(r".*/projects/\d+/$")


def sign_in(page, live_server, username: str, path: str = "/projects/new/") -> None:
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    settle(page)


def screenshot(page, name: str) -> None:
    folder = os.environ.get("INVESTPRO_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"form-{name}.png"), full_page=True)


def fill_lead(page, *, name: str, investor: str, total: str) -> None:
    page.get_by_label("项目名称").fill(name)
    page.get_by_label("投资方", exact=True).fill(investor)
    page.get_by_label("资金来源").select_option(label="省外")
    page.get_by_label("项目类别").select_option(label="工业项目")
    page.get_by_label("总投资（万元）").fill(total)
    settle(page)  # each choice asked for the 计入 note: its answers are in before the next step


def test_a_new_lead_by_label_with_a_negative_amount_first(live_server, page):
    unit = UnitFactory(code="kecheng", name="柯城区")
    user = UserFactory(username="lihua", role="staff", unit=unit)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "lihua")
    assert page.get_by_label("责任单位").input_value() == str(unit.pk)
    assert page.get_by_label("资金来源").input_value() == ""
    assert "请先选择资金来源和项目类别" in page.locator("#counts-in").inner_text()

    fill_lead(page, name="年产5万吨锂电池正极材料项目", investor="杭州恒远新能源有限公司", total="-5")
    page.get_by_label("山海协作").check()
    settle(page)
    # The note follows the form: the indicators the project will count in, from the indicators' data.
    note = page.locator("#counts-in")
    expect(note).to_contain_text("山海协作项目")
    assert "签约后计入：招商引资协议引资额" in note.inner_text()
    screenshot(page, "new-1366")

    page.get_by_role("button", name="保存").click()
    error = page.locator(".field.invalid", has=page.get_by_label("总投资（万元）"))
    error.get_by_text("总投资不能为负数").wait_for()
    settle(page)  # the form with its errors is wired by htmx before anything is typed into it
    # Nothing typed is lost.
    assert page.get_by_label("项目名称").input_value() == "年产5万吨锂电池正极材料项目"
    assert page.get_by_label("资金来源").input_value() == "out_of_province"
    assert page.get_by_label("山海协作").is_checked()
    assert page.get_by_label("总投资（万元）").input_value() == "-5"
    assert Project.objects.count() == 0
    screenshot(page, "error-1366")

    page.get_by_label("总投资（万元）").fill("20000")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(PROJECT_PAGE)
    project = Project.objects.get()
    assert page.url.endswith(f"/projects/{project.pk}/")
    assert project.stage == "lead" and project.total_investment == 20000 and project.mountain_sea
    assert project.owner == user and project.history.get().history_user == user
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}
    assert_no_csp_violation(page)


def test_a_duplicate_warning_then_create_anyway(live_server, page):
    unit = UnitFactory(code="kecheng", name="柯城区")
    UserFactory(username="lihua", role="staff", unit=unit)
    other = UnitFactory(code="qujiang", name="衢江区")
    ProjectFactory(name="华友钴业新材料项目", investor="浙江华友钴业股份有限公司", unit=other)
    sign_in(page, live_server, "lihua")

    page.get_by_label("投资方", exact=True).fill("浙江 华友钴业（集团）")
    warning = page.locator("#duplicates")
    warning.get_by_text("可能重复的项目").wait_for()
    assert "华友钴业新材料项目" in warning.inner_text() and "衢江区" in warning.inner_text()

    fill_lead(page, name="华友钴业二期", investor="浙江 华友钴业（集团）", total="80000")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="仍然创建").wait_for()
    settle(page)
    assert Project.objects.count() == 1  # not created yet
    assert page.get_by_label("项目名称").input_value() == "华友钴业二期"
    screenshot(page, "duplicate-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "duplicate-390")

    page.get_by_role("button", name="仍然创建").click()
    page.wait_for_url(PROJECT_PAGE)
    assert Project.objects.count() == 2
    assert Project.objects.filter(name="华友钴业二期", unit=unit).count() == 1
    assert_no_csp_violation(page)


def test_the_form_on_a_phone(live_server, page):
    unit = UnitFactory(code="kecheng", name="柯城区")
    UserFactory(username="lihua", role="staff", unit=unit)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "lihua")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing pushes the page sideways
    fill_lead(page, name="来访客商线索", investor="", total="3000")
    page.locator("#counts-in").get_by_text("签约后计入").wait_for()
    screenshot(page, "new-390")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(PROJECT_PAGE)
    assert Project.objects.get().name == "来访客商线索"
    assert_no_csp_violation(page)


def test_another_units_project_cannot_be_edited(live_server, page):
    UserFactory(username="lihua", role="staff", unit=UnitFactory(code="kecheng", name="柯城区"))
    project = ProjectFactory(unit=UnitFactory(code="qujiang", name="衢江区"), name="衢江的项目")
    sign_in(page, live_server, "lihua", path=f"/projects/{project.pk}/edit/")
    page.get_by_text("只能修改本单位的项目。").wait_for()
    assert page.get_by_role("heading", name="无权访问").is_visible()
    project.refresh_from_db()
    assert project.name == "衢江的项目"
    assert_no_csp_violation(page)


def test_editing_shows_duplicates_without_blocking(live_server, page):
    unit = UnitFactory(code="kecheng", name="柯城区")
    UserFactory(username="lihua", role="staff", unit=unit)
    ProjectFactory(name="吉利汽车零部件项目", investor="浙江吉利控股集团有限公司", unit=unit)
    project = ProjectFactory(name="汽车零部件线索", investor="某投资方", unit=unit, origin="out_of_city")
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "lihua", path=f"/projects/{project.pk}/edit/")
    assert page.get_by_label("项目名称").input_value() == "汽车零部件线索"
    assert page.get_by_label("资金来源").input_value() == "out_of_city"
    page.get_by_label("投资方", exact=True).fill("浙江吉利控股（集团）")
    page.locator("#duplicates").get_by_text("吉利汽车零部件项目").wait_for()
    settle(page)
    screenshot(page, "edit-1366")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(PROJECT_PAGE)
    project.refresh_from_db()
    assert project.investor == "浙江吉利控股（集团）"
    assert_no_csp_violation(page)
