"""The chambers and events pages in headless Chromium, as a staff member uses them: from the
navigation bar to a chamber, its funnel and contacts, a new contact (with htmx, errors first), then
the events and an event's signed projects; on a desktop and on a phone."""

import datetime as dt
import os
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from chambers.models import Contact
from tests.browser.conftest import assert_no_csp_violation, settle
from tests.factories import (
    AgreementFactory,
    CapitalDeliveryFactory,
    ChamberFactory,
    ContactFactory,
    EventFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SIGNED = {"stage": "signed", "signed_on": dt.date(2011, 5, 18)}


def _world():
    unit = UnitFactory(code="kecheng", name="柯城区")
    other = UnitFactory(code="jiangshan", name="江山市")
    UserFactory(username="zhou", role="staff", unit=unit)
    UserFactory(username="boss", role="leader")
    chamber = ChamberFactory(name="上海浙江商会", region="上海")
    ChamberFactory(name="杭州衢州商会", kind="quzhou", region="杭州")
    ContactFactory(chamber=chamber, name="王建国", organization="上海浙商投资集团有限公司", title="会长")
    AgreementFactory(
        chamber=chamber,
        title="衢州市人民政府与上海浙江商会战略合作框架协议",
        kind="strategic_framework",
        signed_on=dt.date(2011, 5, 18),
        expires_on=dt.date(2014, 5, 17),
    )
    event = EventFactory(
        name="2011天下浙商家乡行·衢州",
        kind="hosted",
        starts_on=dt.date(2011, 5, 18),
        location="衢州",
        invited_count=135,
    )
    signed = ProjectFactory(
        chamber=chamber,
        event=event,
        unit=unit,
        name="年产10万吨新型建材项目",
        investor="上海华建集团有限公司",
        signed_amount=Decimal("150000"),
        **SIGNED,
    )
    ProjectFactory(
        chamber=chamber,
        event=event,
        unit=other,
        name="保密的新能源项目",
        confidential=True,
        signed_amount=Decimal("80000"),
        **SIGNED,
    )
    ProjectFactory(chamber=chamber, unit=unit, name="智能装备产业园线索")
    CapitalDeliveryFactory(project=signed, amount=Decimal("30000"), delivered_on=dt.date(2011, 9, 1))
    return chamber, event


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _shoot(page, name: str) -> None:
    folder = os.environ.get("INVESTPRO_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"chambers-{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_staff_open_a_chamber_from_the_navigation_and_add_a_contact(live_server, page, width):
    chamber, _ = _world()
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server.url, "zhou")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="商会").click()
    page.get_by_label("年度").select_option("2011")
    page.get_by_role("button", name="查看").click()
    row = page.locator("table.chambers tbody tr", has_text="上海浙江商会")
    assert "230,000.00" in row.inner_text() and "30,000.00" in row.inner_text()  # confidential included
    _shoot(page, f"list-{width}")

    row.get_by_role("link", name="上海浙江商会").click()
    page.wait_for_selector("h1:has-text('上海浙江商会')")
    settle(page)
    body = page.locator("main").inner_text()
    assert "王建国" in body and "战略合作框架协议" in body and "2011天下浙商家乡行·衢州" in body
    assert "23.00 亿元" in body  # the funnel's signed amount, confidential project included
    assert "年产10万吨新型建材项目" in body and "保密的新能源项目" not in body
    assert "另有保密项目 1 个" in body
    _shoot(page, f"detail-{width}")

    # An error first: no name, a bad e-mail; what was typed stays.
    page.get_by_label("单位").fill("上海浙江商会秘书处")
    page.get_by_label("邮箱").fill("不是邮箱")
    page.get_by_role("button", name="添加联系人").click()
    page.wait_for_selector("#contacts .errorlist")
    settle(page)  # the form with its errors is wired by htmx before anything is typed into it
    contacts = page.locator("#contacts")
    assert "请填写姓名。" in contacts.inner_text() and "请输入有效的邮箱地址" in contacts.inner_text()
    assert not re.search("[A-Za-z]{3,}", contacts.inner_text())  # no English, whatever the browser's language
    assert page.get_by_label("单位").input_value() == "上海浙江商会秘书处"
    _shoot(page, f"contact-error-{width}")

    page.get_by_label("姓名").fill("李明")
    page.get_by_label("职务").fill("秘书长")
    page.get_by_label("电话").fill("021-12345678")
    page.get_by_label("邮箱").fill("liming@example.com")
    page.get_by_role("button", name="添加联系人").click()
    page.wait_for_selector("text=已添加联系人：李明。")
    settle(page)

    assert page.locator("#contacts tbody tr", has_text="李明").count() == 1
    assert page.get_by_label("姓名").input_value() == ""  # a fresh form for the next one
    contact = Contact.objects.get(name="李明")
    assert (contact.chamber_id, contact.title, contact.email) == (chamber.pk, "秘书长", "liming@example.com")
    assert page.url.endswith(f"/chambers/{chamber.pk}/?year=2011")  # htmx: no reload
    assert_no_csp_violation(page)
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}


@pytest.mark.parametrize("width", [1366, 390])
def test_staff_open_an_event_and_see_its_signed_projects(live_server, page, width):
    _world()
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server.url, "zhou")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="活动").click()
    row = page.locator("table.events tbody tr", has_text="天下浙商家乡行")
    assert "135" in row.inner_text() and "23.00" in row.inner_text()
    _shoot(page, f"events-{width}")

    row.get_by_role("link").click()
    page.wait_for_selector("h1:has-text('2011天下浙商家乡行·衢州')")
    body = page.locator("main").inner_text()
    assert "签约 2 个项目，协议引资额 23.00 亿元" in body
    assert "年产10万吨新型建材项目" in body and "保密的新能源项目" not in body
    assert "另有保密项目 1 个" in body
    _shoot(page, f"event-{width}")
    assert_no_csp_violation(page)
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}


def test_a_leader_reads_a_chamber_without_a_contact_form(live_server, page):
    chamber, _ = _world()
    _sign_in(page, live_server.url, "boss")

    page.goto(f"{live_server.url}/chambers/{chamber.pk}/")

    body = page.locator("main").inner_text()
    assert "保密的新能源项目" in body and "另有保密项目" not in body
    assert page.get_by_role("button", name="添加联系人").count() == 0
    assert_no_csp_violation(page)


@pytest.mark.parametrize("width", [1366, 390])
def test_staff_create_an_event_by_label_after_an_error(live_server, page, width):
    from chambers.models import Event

    _world()
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server.url, "zhou")
    page.goto(f"{live_server.url}/events/")
    page.get_by_role("link", name="新建活动").click()

    page.get_by_label("名称").fill("2011衢州（杭州）招商推介会")
    page.get_by_label("类型").select_option(label="推介会、路演")
    page.get_by_label("开始日期").fill("2011-11-08")
    page.get_by_label("结束日期").fill("2011-11-01")
    page.get_by_label("地点").fill("杭州")
    page.get_by_label("邀请客商数").fill("80")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector(".errorlist")
    assert "结束日期不能早于开始日期。" in page.locator("main").inner_text()
    assert page.get_by_label("地点").input_value() == "杭州"
    assert page.get_by_label("承办单位").locator("option:checked").inner_text() == "柯城区"
    _shoot(page, f"event-new-error-{width}")

    page.get_by_label("结束日期").fill("2011-11-09")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("h1:has-text('2011衢州（杭州）招商推介会')")

    assert "已新建招商活动：2011衢州（杭州）招商推介会。" in page.locator("body").inner_text()
    event = Event.objects.get(name="2011衢州（杭州）招商推介会")
    assert (event.kind, event.ends_on, event.invited_count) == ("roadshow", dt.date(2011, 11, 9), 80)
    assert_no_csp_violation(page)
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}
