"""The drafted bulletin in headless Chromium: a leader reads it, copies it with 复制 and downloads the
.docx and .xlsx, on a desktop and on a phone."""

import io
import os

import pytest
from docx import Document

from tests.browser.conftest import assert_no_csp_violation
from tests.factories import UserFactory
from tests.targets.bulletin_data import november

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIZES = {"1366": {"width": 1366, "height": 900}, "390": {"width": 390, "height": 844}}


def _sign_in(page, live_server, username, path):
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()


@pytest.mark.parametrize("width", ["1366", "390"])
def test_a_leader_copies_the_drafted_text_and_downloads_the_files(live_server, page, width):
    november()
    UserFactory(username="boss", role="leader")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.set_viewport_size(SIZES[width])

    _sign_in(page, live_server, "boss", "/dashboard/2011/11/bulletin/")

    text = page.get_by_label("通报正文")
    expect_start = "全市招商引资工作通报（2011年第11期）\n一、全市总体情况\n1-11月，全市招商引资协议引资额410.5亿元"
    assert text.input_value().startswith(expect_start)
    page.get_by_role("button", name="复制").click()
    page.wait_for_selector("text=已复制")
    assert page.evaluate("navigator.clipboard.readText()") == text.input_value()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[width]["width"]
    directory = os.environ.get("INVESTPRO_SCREENSHOTS")
    if directory:
        page.screenshot(path=os.path.join(directory, f"bulletin-{width}.png"), full_page=True)
    assert_no_csp_violation(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="下载通报（Word）").click()
    assert download.value.suggested_filename == "bulletin-2011-11.docx"
    with open(download.value.path(), "rb") as file:
        document = Document(io.BytesIO(file.read()))
    assert document.paragraphs[0].text == "全市招商引资工作通报（2011年第11期）"
    with page.expect_download() as download:
        page.get_by_role("link", name="下载全部表格（Excel）").click()
    assert download.value.suggested_filename == "bulletin-2011-11.xlsx"
