"""The Content-Security-Policy in a real browser (issue 12 item 2): the admin and Swagger UI work under
it, and Chromium reports no violation of it while they load and are used."""

import pytest

from tests.browser.conftest import assert_no_csp_violation
from tests.factories import ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_swagger_ui_renders_the_operations_under_the_policy(live_server, page):
    response = page.goto(f"{live_server.url}/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]

    page.wait_for_selector("text=/api/v1/projects/", timeout=15_000)
    assert page.locator(".opblock").count() > 20  # every operation of the API is listed
    page.locator(".opblock-summary", has_text="/api/v1/projects/").first.click()
    page.wait_for_selector(".opblock-body .parameters", timeout=5_000)
    page.locator(".models").scroll_into_view_if_needed()  # the schemas section draws its icons
    assert_no_csp_violation(page)


def test_the_admin_works_under_the_policy(live_server, page):
    UserFactory(username="chief", role="admin")  # password "secret-pass-1"
    project = ProjectFactory(name="华友钴业电池材料项目")

    response = page.goto(f"{live_server.url}/admin/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.fill("#id_username", "chief")
    page.fill("#id_password", "secret-pass-1")
    page.click("input[type=submit]")
    page.wait_for_selector("#content-main")
    assert_no_csp_violation(page)

    page.goto(f"{live_server.url}/admin/projects/project/")
    assert page.locator("text=华友钴业电池材料项目").count() == 1
    page.locator("#action-toggle").check()  # the list's own script selects every row
    assert page.locator("tr.selected").count() == 1
    assert_no_csp_violation(page)

    page.goto(f"{live_server.url}/admin/projects/project/{project.pk}/change/")
    page.locator(".datetimeshortcuts a.date-lookup, .datetimeshortcuts a[id^=calendarlink]").first.click()
    assert page.locator(".calendarbox").first.is_visible()  # drawn by the admin's calendar script
    page.goto(f"{live_server.url}/admin/projects/project/{project.pk}/history/")
    page.wait_for_selector("#change-history")
    assert_no_csp_violation(page)
