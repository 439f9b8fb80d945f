"""The pages a person opens, in headless Chromium: the API's interactive docs and the admin.

Both must work on an intranet: every request a page makes goes to the app itself.
"""

import os
from urllib.parse import urlsplit

import pytest

from tests.factories import ProjectFactory, UserFactory

# serialized_rollback: like every transactional test here, it hands the next test the migrated data
# (role groups, standard indicators) as it found it.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

def test_the_api_docs_render_from_the_app_alone(live_server, page):
    page.goto(f"{live_server.url}/api/docs/")

    page.wait_for_selector("text=/api/v1/projects/", timeout=15_000)
    assert page.locator(".swagger-ui").count() == 1
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}


def test_an_admin_signs_in_and_finds_a_project(live_server, page):
    UserFactory(username="chief", role="admin")  # password "secret-pass-1"
    ProjectFactory(name="华友钴业电池材料项目")

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "secret-pass-1")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/projects/project/")

    assert page.locator("text=华友钴业电池材料项目").count() == 1
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}


def test_a_staff_member_signs_in_and_reads_the_bulletin(live_server, page):
    from targets import reporting
    from tests.factories import IndicatorFactory, TargetFactory, UnitFactory

    unit = UnitFactory(code="jiangshan", name="江山市")
    UserFactory(username="zhang", role="staff", unit=unit)
    ProjectFactory(unit=unit, signed=True, origin="out_of_province")
    TargetFactory(indicator=IndicatorFactory(code="signed_capital"), value=4000)
    reporting.report_compute_month(year=2011, month=3)

    page.goto(f"{live_server.url}/dashboard/")  # a staff member's home is the 工作台; the bulletin is here
    page.fill("#id_username", "zhang")
    page.fill("#id_password", "secret-pass-1")
    page.click("button[type=submit]")

    page.wait_for_selector("table.figures")
    row = page.locator("table.figures.city tr", has_text="招商引资协议引资额")  # the city table
    assert "125.0%" in row.inner_text()
    assert page.requested_hosts == {urlsplit(live_server.url).netloc}
    if os.environ.get("INVESTPRO_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["INVESTPRO_SCREENSHOTS"], "home.png"), full_page=True)
