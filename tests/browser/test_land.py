"""The public land page in headless Chromium, as an anonymous investor uses it: filter the list, open
a parcel, see it on the map, leave an enquiry that becomes a lead; a bot refused by the honeypot and
by the per-address budget; the English version; a phone-sized window.

With INVESTPRO_SCREENSHOTS=<dir> set, the pages are photographed at 1366 and 390 px wide."""

import datetime
import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from land.models import ZoneOutline
from projects.models import Industry, Project
from tests.browser.conftest import assert_no_csp_violation
from tests.factories import ParcelFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDE = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def box(x: float, y: float, w: float = 0.02, h: float = 0.015) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]]}


def land() -> dict:
    unit = UnitFactory(code="kecheng", name="柯城区")
    other = UnitFactory(code="longyou", name="龙游县")
    industries = {i.code: i for i in Industry.objects.all()}
    ZoneOutline.objects.create(unit=unit, outline=box(118.80, 28.90, 0.12, 0.1))
    parcels = {}
    for code, name, owner, area, industry, boundary in (
        ("kc-01", "航埠新材料地块", unit, "120", "new_materials", box(118.82, 28.92)),
        ("kc-02", "航埠物流地块", unit, "60", "logistics", box(118.86, 28.95)),
        ("ly-01", "龙游特种纸地块", other, "200", "paper", None),
    ):
        parcel = ParcelFactory(
            code=code, name=name, unit=owner, area_mu=Decimal(area), min_investment_intensity=Decimal(250),
            min_tax_per_mu=Decimal(10), location=f"{owner.name}{name}",
            requirements=f"限{industries[industry].name}项目",
            published=True, published_on=datetime.date(2011, 6, 1), boundary=boundary,
        )  # fmt: skip
        parcel.industries.set([industries[industry]])
        parcels[code] = parcel
    ParcelFactory(code="kc-draft", name="未公开地块", unit=unit, published=False)
    UserFactory(username="zhangwei", role="staff", unit=unit)
    return parcels


def shoot(page, name: str) -> None:
    folder = os.environ.get("INVESTPRO_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"land-{name}.png"), full_page=True)


def fill_enquiry(page, company: str) -> None:
    page.get_by_label("企业名称").fill(company)
    page.get_by_label("联系人及联系方式").fill("李经理 13800000000")
    page.get_by_label("计划产业").select_option(label="新材料")
    page.get_by_label("计划投资（万元）").fill("36000")
    page.get_by_label("需用地（亩）").fill("100")


def test_an_investor_filters_opens_a_parcel_and_leaves_an_enquiry(live_server, page):
    land()
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/land/")
    expect(page.get_by_role("heading", name="熟地信息公开")).to_be_visible()
    expect(page.get_by_role("link", name="龙游特种纸地块")).to_be_visible()
    assert "未公开地块" not in page.content()
    expect(page.locator(".land-map canvas")).to_have_count(1)  # the zone with outlines is drawn
    shoot(page, "list-1366")

    page.get_by_label("所在区域").select_option(label="柯城区")
    page.get_by_label("适合产业").select_option(label="新材料")
    page.get_by_label("仅看可供地").check()
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**available=true**")
    expect(page.get_by_role("link", name="航埠新材料地块")).to_be_visible()
    expect(page.get_by_role("link", name="航埠物流地块")).to_have_count(0)
    expect(page.get_by_role("link", name="龙游特种纸地块")).to_have_count(0)
    assert_no_csp_violation(page)

    page.get_by_role("link", name="航埠新材料地块").click()
    page.wait_for_url("**/land/kc-01/")
    for fact in ("120", "新材料", "限新材料项目", "250", "2011-06-01", "柯城区", "可供地"):
        expect(page.locator(".land-facts")).to_contain_text(fact)
    shoot(page, "parcel-1366")

    fill_enquiry(page, "浙江新材科技有限公司")
    page.get_by_role("button", name="提交投资意向").click()
    expect(page.get_by_text("已收到您的投资意向登记")).to_be_visible()
    assert_no_csp_violation(page)
    lead = Project.objects.get()
    assert (lead.investor, lead.parcel.code, lead.channel, lead.stage) == (
        "浙江新材科技有限公司",
        "kc-01",
        "public_land",
        "lead",
    )


def test_a_bad_enquiry_is_refused_beside_its_field(live_server, page):
    land()
    page.goto(f"{live_server.url}/land/kc-01/")
    fill_enquiry(page, "浙江新材科技有限公司")
    page.get_by_label("需用地（亩）").fill("-3")
    page.get_by_role("button", name="提交投资意向").click()
    field = page.locator(".field", has=page.get_by_label("需用地（亩）"))
    expect(field.locator(".errorlist")).to_have_text("须大于 0。")
    assert not Project.objects.exists()


def test_the_honeypot_and_the_budget_refuse_a_bot(live_server, page, settings):
    land()
    settings.LAND_ENQUIRIES_PER_HOUR = 1
    page.goto(f"{live_server.url}/land/kc-01/")
    fill_enquiry(page, "机器人公司")
    page.locator("input[name=website]").evaluate("field => { field.value = 'http://spam.example'; }")
    page.get_by_role("button", name="提交投资意向").click()
    expect(page.get_by_role("alert")).to_have_text("提交未被受理。")
    assert not Project.objects.exists()

    page.goto(f"{live_server.url}/land/kc-01/")
    fill_enquiry(page, "第一家公司")
    page.get_by_role("button", name="提交投资意向").click()
    expect(page.get_by_text("已收到您的投资意向登记")).to_be_visible()
    fill_enquiry(page, "第二家公司")
    page.get_by_role("button", name="提交投资意向").click()
    expect(page.get_by_role("alert")).to_contain_text("每小时最多提交 1 次")
    assert list(Project.objects.values_list("investor", flat=True)) == ["第一家公司"]
    assert_no_csp_violation(page)


def test_english_and_a_phone(live_server, page):
    land()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/land/")
    assert page.evaluate(WIDE) == []
    shoot(page, "list-390")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/land/")
    expect(page.get_by_role("heading", name="Ready land for investors")).to_be_visible()
    assert page.evaluate(WIDE) == []
    page.get_by_role("link", name="航埠新材料地块").click()
    page.wait_for_url("**/en/land/kc-01/")
    expect(page.get_by_role("heading", name="Register your investment interest")).to_be_visible()
    assert page.evaluate(WIDE) == []
    shoot(page, "parcel-en-390")
    page.get_by_label("Company name").fill("Acme Materials GmbH")
    page.get_by_label("Contact person and phone or e-mail").fill("Anna, anna@example.org")
    page.get_by_label("Planned industry").select_option(label="New materials")
    page.get_by_label("Planned investment (10,000 CNY)").fill("30000")
    page.get_by_label("Land needed (mu)").fill("100")
    page.get_by_role("button", name="Send enquiry").click()
    expect(page.get_by_text("your enquiry has been received")).to_be_visible()
    assert Project.objects.get().investor == "Acme Materials GmbH"
    assert_no_csp_violation(page)


def test_staff_find_the_lead_reserve_the_parcel_and_sign(live_server, page):
    from tests.browser.test_project_page import sign_in

    parcels = land()
    unit = parcels["kc-01"].unit
    lead = Project.objects.create(
        name="浙江新材科技有限公司意向航埠新材料地块项目", investor="浙江新材科技有限公司", unit=unit,
        industry=Industry.objects.get(code="new_materials"), total_investment=Decimal(36000),
        land_area_mu=Decimal(100), parcel=parcels["kc-01"], channel="public_land",
    )  # fmt: skip
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, "zhangwei", f"/projects/{lead.pk}/")
    expect(page.get_by_role("heading", name="适合地块")).to_be_visible()
    page.get_by_role("link", name="kc-01 航埠新材料地块").first.click()
    page.wait_for_url("**/land/kc-01/manage/")
    expect(page.locator(".land-match-fits")).to_contain_text("投资强度 360 万元/亩，达到门槛 250 万元/亩")
    page.get_by_role("combobox", name="意向项目").select_option(label=lead.name)
    page.get_by_role("button", name="意向给所选项目").click()
    expect(page.locator("h1 .status")).to_have_text("已意向")
    shoot(page, "manage-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate(WIDE) == []
    shoot(page, "manage-390")
    assert_no_csp_violation(page)
    parcels["kc-01"].refresh_from_db()
    assert (parcels["kc-01"].status, parcels["kc-01"].project_id) == ("reserved", lead.pk)
