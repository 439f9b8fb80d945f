"""The 工作台, the 看板 and the reminders in headless Chromium, as a staff member of 柯城区 uses them
on a desktop and on a phone; a leader and an API reader at the same addresses."""

import datetime
import os
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from notifications.services import reminders_send
from projects.models import Project
from projects.services import project_save
from tests.browser.conftest import assert_no_csp_violation
from tests.factories import ActivityFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DAY = datetime.timedelta(days=1)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _world():
    today = timezone.localdate()
    unit = UnitFactory(code="kecheng", name="柯城区")
    other = UnitFactory(code="jiangshan", name="江山市")
    zhang = UserFactory(username="zhangwei", role="staff", unit=unit, first_name="张伟")
    UserFactory(username="boss", role="leader")
    UserFactory(username="feed", role="api_reader")
    overdue = ProjectFactory(
        name="华友钴业电池材料项目", investor="浙江华友钴业股份有限公司", unit=unit, owner=zhang,
        next_follow_up_on=today - 3 * DAY, total_investment=Decimal("600000"),
    )  # fmt: skip
    ActivityFactory(project=overdue, happened_on=today - 2 * DAY)
    due = ProjectFactory(
        name="航埠物流园项目", investor="传化物流集团", unit=unit, owner=zhang, next_follow_up_on=today
    )
    ActivityFactory(project=due, happened_on=today - 5 * DAY)
    quiet = ProjectFactory(name="巨化氟硅新材料项目", unit=unit, stage="negotiating")
    ActivityFactory(project=quiet, happened_on=today - 45 * DAY)
    ProjectFactory(name="衢州元立金属制品项目", unit=unit, signed=True, owner=zhang, signed_amount=Decimal("32000"))
    ProjectFactory(name="江山木门产业园", unit=other)
    project_save(actor=zhang, project=Project.objects.get(pk=due.pk), stage="negotiating")
    return {"today": today, "overdue": overdue, "due": due, "quiet": quiet}


def _sign_in(page, live_server, username, path="/"):
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()


def _shot(page, name):
    directory = os.environ.get("INVESTPRO_SCREENSHOTS")
    if directory:
        page.screenshot(path=os.path.join(directory, f"workspace-{name}.png"), full_page=True)


def _only_the_app(page, live_server):
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}


def test_a_staff_member_reads_the_workspace(live_server, page):
    world = _world()
    page.set_viewport_size(DESKTOP)

    _sign_in(page, live_server, "zhangwei")

    page.wait_for_selector("h1:has-text('工作台')")
    stages = page.locator("section[aria-labelledby=h-stages]")
    assert "60.00" in stages.locator("tr", has_text="线索").inner_text()  # 600,000 万元
    assert "3.20" in stages.locator("tr", has_text="签约").inner_text()
    follow = page.locator("section[aria-labelledby=h-follow]")
    assert "逾期 3 天" in follow.locator("li", has_text="华友钴业电池材料项目").inner_text()
    assert "今天" in follow.locator("li", has_text="航埠物流园项目").inner_text()
    stale = page.locator("section[aria-labelledby=h-stale]")
    assert "巨化氟硅新材料项目" in stale.inner_text()
    assert "华友钴业电池材料项目" not in stale.inner_text()
    changes = page.locator("section[aria-labelledby=h-changes]")
    assert "阶段：线索 → 洽谈" in changes.inner_text() and "张伟" in changes.inner_text()
    assert "江山木门产业园" not in page.content()
    nav = page.get_by_role("navigation", name="主导航")
    for label in ["工作台", "项目库", "看板", "商会", "活动", "通报"]:
        assert nav.get_by_role("link", name=label, exact=True).count() == 1
    assert page.locator(".who").inner_text().startswith("张伟")
    _shot(page, "home-1366")

    page.get_by_role("link", name="新建线索").click()
    page.wait_for_url(f"{live_server.url}/projects/new/")
    page.go_back()

    # The stage count links to the project list filtered by unit and stage.
    stages.get_by_role("link", name="签约").first.click()
    page.wait_for_url("**/projects/?unit=kecheng&stage=signed")
    assert "衢州元立金属制品项目" in page.content()

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("h1:has-text('工作台')")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "home-390")
    assert world["overdue"].name in page.content()
    assert_no_csp_violation(page)
    _only_the_app(page, live_server)


def test_moving_a_card_on_the_board_opens_the_stage_form(live_server, page):
    world = _world()
    page.set_viewport_size(DESKTOP)
    _sign_in(page, live_server, "zhangwei", "/board/")

    page.wait_for_selector("h1:has-text('看板')")
    lead_column = page.locator("section.column-lead")
    assert "华友钴业电池材料项目" in lead_column.inner_text()
    assert "江山木门产业园" not in page.content()
    _shot(page, "board-1366")

    # Drag the card onto 签约: the 签约 form opens, asking for its date and amount.
    card = page.locator(f"#card-{world['overdue'].pk}")
    card.drag_to(page.locator("section.column-signed h2"))
    page.wait_for_url(f"**/projects/{world['overdue'].pk}/stage/signed/?next=%2Fboard%2F")
    assert page.get_by_label("签约日期").count() == 1
    assert page.get_by_label("协议引资额（万元）").count() == 1
    world["overdue"].refresh_from_db()
    assert world["overdue"].stage == "lead"  # nothing moved by the drop itself

    # A wrong move is not accepted: a lead cannot go straight to 投产.
    page.goto(f"{live_server.url}/board/")
    page.locator(f"#card-{world['overdue'].pk}").drag_to(page.locator("section.column-producing h2"))
    assert urlsplit(page.url).path == "/board/"

    # Without dragging: the card's own link, then the form with an error, then the move done.
    page.locator(f"#card-{world['overdue'].pk}").get_by_role("link", name="移至签约").click()
    page.wait_for_url(f"**/projects/{world['overdue'].pk}/stage/signed/**")
    page.get_by_label("协议引资额（万元）").fill("52000")
    page.get_by_role("button", name="签约").click()
    page.wait_for_selector(".errorlist")
    assert page.get_by_label("协议引资额（万元）").input_value() == "52000"
    page.get_by_label("签约日期").fill((world["today"] - DAY).isoformat())
    page.get_by_role("button", name="签约").click()
    page.wait_for_url(f"{live_server.url}/board/")
    assert "华友钴业电池材料项目" in page.locator("section.column-signed").inner_text()
    world["overdue"].refresh_from_db()
    assert (world["overdue"].stage, world["overdue"].signed_amount) == ("signed", Decimal("52000"))

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/board/")
    board = page.locator("[data-board]")
    assert board.evaluate("el => el.scrollWidth > el.clientWidth")  # the columns scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "board-390")
    assert_no_csp_violation(page)
    _only_the_app(page, live_server)


def test_reminders_show_in_the_nav_and_are_marked_read(live_server, page):
    world = _world()
    reminders_send(today=world["today"])
    page.set_viewport_size(PHONE)
    _sign_in(page, live_server, "zhangwei")

    bell = page.locator("a.bell")
    assert bell.get_attribute("aria-label") == "提醒（未读 3 条）"  # overdue, due today, and the unit's stale one
    bell.click()
    page.wait_for_selector("h1:has-text('提醒')")
    _shot(page, "notifications-390")
    item = page.locator("li.notification", has_text="华友钴业电池材料项目")
    assert "跟进逾期" in item.inner_text()
    item.get_by_role("button", name="标为已读").click()
    assert "久未跟进" in page.locator("li.notification", has_text="巨化氟硅新材料项目").inner_text()
    page.wait_for_selector("a.bell[aria-label='提醒（未读 2 条）']")
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_selector("text=已将 2 条提醒标为已读。")
    assert page.locator("a.bell .count").count() == 0
    page.locator("li.notification", has_text="航埠物流园项目").get_by_role("link", name="查看项目").click()
    page.wait_for_url(f"{live_server.url}/projects/{world['due'].pk}/")
    assert_no_csp_violation(page)
    _only_the_app(page, live_server)


def test_a_leader_keeps_the_leaders_page_and_reads_any_units_board(live_server, page):
    _world()
    _sign_in(page, live_server, "boss")

    page.wait_for_selector("h1:has-text('全市招商引资指标完成情况')")
    page.goto(f"{live_server.url}/board/")
    page.get_by_label("责任单位").select_option(label="江山市")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**/board/?unit=jiangshan")
    assert "江山木门产业园" in page.content()
    assert page.locator("a.move").count() == 0 and page.locator("[draggable=true]").count() == 0
    assert "只读" in page.content()
    page.set_viewport_size(PHONE)
    _shot(page, "board-leader-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_csp_violation(page)


def test_an_api_reader_gets_the_403_page(live_server, page):
    _world()
    _sign_in(page, live_server, "feed")
    assert "接口只读账号" in page.content()
    response = page.goto(f"{live_server.url}/board/")
    assert response.status == 403
