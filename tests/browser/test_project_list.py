"""The project list (项目库) in headless Chromium, as a staff member uses it: from the navigation bar,
filtering by label (htmx swaps the table and the URL follows), sorting by a column, paging, the
export links, a bad filter from a bookmarked URL; on a desktop and on a phone."""

import csv
import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from tests.browser.conftest import assert_no_csp_violation, settle
from tests.factories import CapitalDeliveryFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _world():
    unit = UnitFactory(code="kecheng", name="柯城区")
    other = UnitFactory(code="jiangshan", name="江山市")
    zhou = UserFactory(username="zhou", role="staff", unit=unit, last_name="周", first_name="敏")
    UserFactory(username="boss", role="leader")
    today = timezone.localdate()
    for number in range(55):
        ProjectFactory(
            unit=unit,
            name=f"柯城签约项目{number:02d}",
            investor=f"衢州投资{number:02d}有限公司",
            stage="signed",
            signed_on=dt.date(2025, 3, 1) + dt.timedelta(days=number),
            signed_amount=Decimal(1000 + number * 100),
            total_investment=Decimal(5000 + number * 100),
            owner=zhou,
        )
    solar = ProjectFactory(
        unit=unit,
        name="光伏组件智能工厂",
        investor="浙江光伏科技有限公司",
        stage="signed",
        signed_on=dt.date(2025, 6, 1),
        signed_amount=Decimal("61820"),
        total_investment=Decimal("80000"),
        origin="out_of_province",
        owner=zhou,
        next_follow_up_on=today - dt.timedelta(days=5),
    )
    CapitalDeliveryFactory(project=solar, amount=Decimal("12000"), delivered_on=dt.date(2025, 7, 1))
    ProjectFactory(unit=unit, name="光伏储能线索", investor="杭州储能有限公司", next_follow_up_on=today)
    ProjectFactory(unit=other, name="江山保密项目", confidential=True, stage="negotiating")
    ProjectFactory(unit=other, name="江山公开项目", stage="lead")


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    settle(page)


def _shoot(page, name: str) -> None:
    folder = os.environ.get("INVESTPRO_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"list-{name}.png"), full_page=True)
        page.screenshot(path=os.path.join(folder, f"list-{name}-screen.png"))


def _query(page) -> dict:
    return parse_qs(urlsplit(page.url).query)


def _names(page) -> list[str]:
    return page.locator("table.projects tbody td.name a").all_inner_texts()


def _nothing_cut_off(page) -> None:
    """The page is no wider than the window: a wide table scrolls inside its own box."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1366, 390])
def test_staff_filter_sort_page_and_export_the_list(live_server, page, width):
    _world()
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server.url, "zhou")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="项目库").click()
    page.wait_for_selector("h1:has-text('项目库')")
    settle(page)
    totals = page.locator(".list-totals").inner_text()
    assert "共 58 个项目" in totals  # 57 of my unit's and the other unit's public one; not its confidential
    assert "江山保密项目" not in page.locator("main").inner_text()
    _nothing_cut_off(page)
    _shoot(page, f"all-{width}")

    # Filter by label: each change swaps the table in place and the URL follows (bookmarkable).
    page.get_by_label("责任单位").select_option(label="柯城区")
    page.wait_for_url("**unit=kecheng**")
    settle(page)
    page.get_by_label("阶段").select_option(["signed"])
    page.wait_for_url("**stage=signed**")
    settle(page)
    assert "共 56 个项目" in page.locator(".list-totals").inner_text()
    assert "第 1 / 2 页" in page.locator(".pager").inner_text()

    # Pages keep the filters.
    page.locator(".pager").get_by_role("link", name="下一页").click()
    page.wait_for_url("**page=2**")
    settle(page)
    assert _query(page)["unit"] == ["kecheng"] and _query(page)["stage"] == ["signed"]
    assert len(_names(page)) == 6 and "第 2 / 2 页" in page.locator(".pager").inner_text()

    # Sort by 协议引资额: biggest first, then the other way round; the filters stay. On a desktop by
    # the column's header; on a phone, where each project is a card, by the 排序 links.
    def sort_link():
        if width > 600:
            return page.locator("table.projects thead").get_by_role("link", name="协议引资额（万元）")
        return page.get_by_role("navigation", name="排序").get_by_role("link", name="协议引资额")

    sort_link().click()
    page.wait_for_url("**ordering=-signed_amount**")
    settle(page)
    assert _names(page)[0] == "光伏组件智能工厂"
    assert "page" not in _query(page) and _query(page)["unit"] == ["kecheng"]
    sort_link().click()
    page.wait_for_url("**ordering=signed_amount**")
    settle(page)
    assert _names(page)[0] == "柯城签约项目00"

    # A search typed by label, sent with the 筛选 button.
    page.get_by_label("名称或投资方").fill("光伏")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**q=**")
    settle(page)
    assert _names(page) == ["光伏组件智能工厂"]
    totals = page.locator(".list-totals").inner_text()
    assert "协议引资额 6.18 亿元（61,820.00 万元）" in totals and "到位资金 1.20 亿元（12,000.00 万元）" in totals
    row = page.locator("table.projects tbody tr").first.inner_text()
    assert "省外" in row and "周敏" in row and "已逾期" in row
    _nothing_cut_off(page)
    _shoot(page, f"filtered-{width}")

    # The export carries the same filters and holds exactly that set.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 CSV").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert [row[1] for row in rows[1:]] == ["光伏组件智能工厂"]
    xlsx = page.get_by_role("link", name="导出 Excel").get_attribute("href")
    assert parse_qs(urlsplit(xlsx).query) == {**_query(page), "format": ["xlsx"]}

    # The overdue follow-ups of my unit, then 清除.
    page.get_by_label("名称或投资方").fill("")
    page.get_by_label("跟进已逾期").select_option(label="是")
    page.wait_for_url("**overdue=true**")
    settle(page)
    assert _names(page) == ["光伏组件智能工厂"]
    page.get_by_role("link", name="清除", exact=True).click()
    page.wait_for_url(f"{live_server.url}/projects/")
    settle(page)
    assert "共 58 个项目" in page.locator(".list-totals").inner_text()
    assert_no_csp_violation(page)
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}


@pytest.mark.parametrize("width", [1366, 390])
def test_a_bad_bookmarked_filter_shows_its_error_beside_the_field(live_server, page, width):
    _world()
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server.url, "zhou")

    page.goto(f"{live_server.url}/projects/?signed_from=2025-02-30&q=光伏")
    field = page.locator(".field-signed_from")
    assert "输入一个有效的日期" in field.inner_text()  # in Chinese, whatever the browser's language
    assert page.get_by_label("名称或投资方").input_value() == "光伏"
    assert "筛选条件有误" in page.locator("main").inner_text()
    _nothing_cut_off(page)
    _shoot(page, f"error-{width}")

    page.get_by_label("签约日期起").fill("2025-01-01")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**signed_from=2025-01-01**")
    settle(page)
    assert _names(page) == ["光伏组件智能工厂"]
    assert page.locator(".errorlist").count() == 0

    page.get_by_label("名称或投资方").fill("没有这样的项目")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_selector("text=没有符合条件的项目")
    settle(page)
    page.get_by_role("link", name="清除筛选").click()
    page.wait_for_url(f"{live_server.url}/projects/")
    settle(page)
    assert_no_csp_violation(page)
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}


def test_a_leader_sees_every_confidential_project_and_no_new_lead_button(live_server, page):
    _world()
    _sign_in(page, live_server.url, "boss")
    page.goto(f"{live_server.url}/projects/?confidential=true")
    assert _names(page) == ["江山保密项目"]
    assert page.get_by_role("link", name="新建线索").count() == 0
    assert_no_csp_violation(page)
