"""The leaders' dashboard in headless Chromium, on the demo's 2011: the charts are drawn (a canvas in
every chart box), no script fails, the Content-Security-Policy refuses nothing, and at 390 px the
page does not overflow sideways (wide tables scroll inside their own box)."""

import os
from urllib.parse import urlsplit

import pytest

from targets.demo.generator import demo_load
from tests.browser.conftest import assert_no_csp_violation
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDE, PHONE = (1366, 900), (390, 844)


@pytest.fixture
def demo_year():
    demo_load()  # every month of 2010 and 2011 computed, all published but December 2011
    return UserFactory(username="wang", role="leader")


def sign_in(page, live_server, username: str, path: str = "/dashboard/") -> None:
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()


def screenshot(page, name: str) -> None:
    folder = os.environ.get("INVESTPRO_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def script_errors(page) -> list[str]:
    """Errors the page's scripts logged; the browser's own request for /favicon.ico, which the app
    does not serve, is the one 404 it logs (a missing script would also leave the charts undrawn)."""
    return [text for text in page.console_errors if not text.startswith("Failed to load resource")]


def charts_drawn(page) -> int:
    """Chart boxes that ECharts drew into (each holds a canvas once drawn)."""
    page.locator("[data-chart] canvas").first.wait_for(timeout=15_000)
    return page.evaluate(
        "[...document.querySelectorAll('[data-chart]')].filter(box => box.querySelector('canvas')).length"
    )


def test_a_leader_picks_a_month_reads_the_charts_narrows_the_window_and_prints(live_server, page, demo_year):
    page.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})
    sign_in(page, live_server, "wang")
    page.wait_for_selector("table.figures.city")
    assert "2011年12月" in page.locator("h1").inner_text()

    page.get_by_label("月份", exact=True).select_option("6")
    page.get_by_role("button", name="查看").click()
    page.wait_for_selector("h1:has-text('2011年6月')")

    page.locator("[data-chart=industry] canvas").wait_for(timeout=15_000)  # the capital section, over htmx
    boxes = page.locator("[data-chart]").count()
    assert boxes == 3 + 2 * page.locator("section.indicator").count()  # progress, origin, industry; 2 each
    assert charts_drawn(page) == boxes
    assert "%" in page.locator("table.city tr", has_text="招商引资协议引资额").inner_text()
    assert page.locator("#indicator-signed_capital table.ranking tbody tr").count() > 1
    # A tooltip is drawn when the pointer rests on a chart; the policy must not refuse it.
    box = page.locator("[data-chart=progress]").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)
    page.wait_for_timeout(300)
    screenshot(page, "dashboard-1366.png")
    wide = chart_width(page)

    # A phone: the charts follow the window, nothing pushes the page sideways.
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.wait_for_timeout(500)  # the resize is debounced by 100 ms
    assert chart_width(page) < 390 < wide
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "dashboard-390.png")

    # Printed: no navigation or picker, the charts kept.
    page.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})
    page.emulate_media(media="print")
    assert not page.locator("header.bar").is_visible()
    assert not page.locator("form.month-picker").is_visible()
    assert page.locator("[data-chart=progress] canvas").is_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")

    assert page.requested_hosts == {urlsplit(live_server.url).netloc}
    assert script_errors(page) == []
    assert_no_csp_violation(page)


def chart_width(page) -> float:
    return page.evaluate("document.querySelector('[data-chart=progress] canvas').getBoundingClientRect().width")


def test_a_staff_member_on_a_phone_finds_their_unit_marked(live_server, page, demo_year):
    from accounts.models import Unit

    unit = Unit.objects.order_by("code").first()
    UserFactory(username="li", role="staff", unit=unit)
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    sign_in(page, live_server, "li", path="/dashboard/?year=2011&month=11")

    page.locator("[data-chart=industry] canvas").wait_for(timeout=15_000)
    assert charts_drawn(page) == page.locator("[data-chart]").count()
    own = page.locator("#indicator-signed_capital tr.own-unit")
    assert own.count() == 1
    assert unit.name in own.inner_text() and "（本单位）" in own.inner_text()
    assert own.get_attribute("aria-current") == "true"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert script_errors(page) == []
    assert_no_csp_violation(page)
    screenshot(page, "dashboard-staff-390.png")
