"""The import page in Chromium, as a county's clerk uses it: upload a ledger with a mistake, read the
preview's error, fix the file, upload it again and confirm.

INVESTPRO_SCREENSHOTS=<dir> also saves the pages at 1366 and 390 px wide (import-*.png).
"""

import os

import pytest
from playwright.sync_api import expect

from projects.models import Project
from tests.browser.conftest import assert_no_csp_violation
from tests.factories import UnitFactory, UserFactory
from tests.ledgers.conftest import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADERS = ["项目名称", "投资方", "责任单位", "阶段", "总投资（万元）", "协议引资额（万元）", "签约日期"]


def screenshot(page, name: str) -> None:
    folder = os.environ.get("INVESTPRO_SCREENSHOTS")
    if folder:
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=os.path.join(folder, f"import-{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1366, "height": 900})


def test_upload_preview_fix_confirm(live_server, page, tmp_path):
    unit = UnitFactory(code="kecheng", name="柯城区")
    UserFactory(username="clerk", role="staff", unit=unit)
    page.goto(f"{live_server.url}/import/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    screenshot(page, "start")

    wrong = tmp_path / "柯城区台账.xlsx"
    wrong.write_bytes(
        xlsx(HEADERS, [["光伏组件项目", "某某光伏有限公司", "柯城区", "签约", "8000", "6000", ""],
                       ["锂电池项目", "某某新能源有限公司", "柯城区", "线索", "1.2亿元", "", ""]])
    )  # fmt: skip
    page.get_by_label("台账类型").select_option(label="项目")
    page.get_by_label("台账文件（.xlsx 或 .csv）").set_input_files(str(wrong))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state()
    expect(page.get_by_text("签约及以后阶段的项目须填写签约日期。")).to_be_visible()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    expect(page.get_by_role("link", name="下载错误说明文件")).to_be_visible()
    screenshot(page, "errors")

    fixed = tmp_path / "柯城区台账-改.xlsx"
    fixed.write_bytes(
        xlsx(HEADERS, [["光伏组件项目", "某某光伏有限公司", "柯城区", "签约", "8000", "6000", "2011-3-5"],
                       ["锂电池项目", "某某新能源有限公司", "柯城区", "线索", "1.2亿元", "", ""]])
    )  # fmt: skip
    page.goto(f"{live_server.url}/import/")
    page.get_by_label("台账文件（.xlsx 或 .csv）").set_input_files(str(fixed))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state()
    expect(page.get_by_text("将新建 2 行")).to_be_visible()
    screenshot(page, "preview")
    assert Project.objects.count() == 0
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state()
    expect(page.get_by_text("导入完成：新建 2 行")).to_be_visible()
    assert set(Project.objects.values_list("name", flat=True)) == {"光伏组件项目", "锂电池项目"}
    assert_no_csp_violation(page)
