"""The leaders' actions on a month's report, on the pages: compute (the Celery job, its progress
polled), publish after a confirmation, and the restatement of a published month."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from targets.models import Report, ReportRow
from targets.reporting import report_compute_month, report_publish
from tests.factories import ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

MARCH = {"year": 2011, "month": 3}
QUERY = "?year=2011&month=3"


@pytest.fixture
def city(unit):
    ProjectFactory(unit=unit, stage="signed", origin="out_of_city", signed_on=datetime.date(2011, 3, 10),
                   signed_amount=Decimal("25000"), total_investment=Decimal("30000"))  # fmt: skip
    return unit


@pytest.fixture
def users(unit):
    return {
        "leader": UserFactory(role="leader"),
        "admin": UserFactory(role="admin"),
        "staff": UserFactory(role="staff", unit=unit),
        "api_reader": UserFactory(role="api_reader"),
    }


@pytest.mark.parametrize("role", ["staff", "api_reader"])
def test_staff_and_api_readers_get_the_403_page_on_the_actions(client, city, users, role):
    report_compute_month(**MARCH)
    client.force_login(users[role])
    for method, url in (
        ("post", reverse("dashboard_compute")), ("get", reverse("dashboard_compute")),
        ("get", reverse("dashboard_publish") + QUERY), ("post", reverse("dashboard_publish")),
    ):  # fmt: skip
        response = getattr(client, method)(url, MARCH if method == "post" else None)
        assert response.status_code == 403, (method, url)
        assert "无权访问" in response.content.decode()
    assert Report.objects.get().status == Report.Status.PROVISIONAL  # nothing was queued or published


def test_staff_reads_the_report_without_the_buttons(client, city, users):
    report_compute_month(**MARCH)
    client.force_login(users["staff"])
    body = client.get(reverse("dashboard_report") + QUERY).content.decode()
    assert "待发布" in body and "2.50 亿元" in body
    assert "重新计算" not in body and "发布…" not in body


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_compute_queues_the_celery_job_and_the_status_polls(
    client, city, users, role, django_capture_on_commit_callbacks
):
    client.force_login(users[role])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("dashboard_compute"), MARCH, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert len(callbacks) == 1  # the job is sent once the request commits
    report = Report.objects.get(**MARCH)
    assert report.status == Report.Status.QUEUED
    body = response.content.decode()
    assert "排队中" in body and 'hx-trigger="every 2s"' in body and "poll=1" in body
    # Polling while the job waits: the partial again; once done, the page reloads for the new figures.
    status_url = reverse("dashboard_report_status") + QUERY + "&poll=1"
    assert 'hx-trigger="every 2s"' in client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING)
    assert "计算中" in client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    callbacks[0]()  # the job is sent...
    from targets.tasks import compute_report

    compute_report.apply(args=[report.pk])  # ...and a worker runs it
    done = client.get(status_url, HTTP_HX_REQUEST="true")
    assert done.headers["HX-Refresh"] == "true"
    assert ReportRow.objects.filter(report=report).exists()


def test_compute_without_htmx_runs_the_job_and_redirects(
    client, city, users, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(users["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard_compute"), MARCH)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard_report") + QUERY
    assert Report.objects.get(**MARCH).status == Report.Status.PROVISIONAL
    page = client.get(response["Location"]).content.decode()
    assert "2.50 亿元" in page and "/dashboard/drill/?indicator=signed_capital" in page


def test_a_published_month_cannot_be_recomputed_and_says_why(client, city, users, django_capture_on_commit_callbacks):
    report = report_compute_month(**MARCH)
    report_publish(report=report, actor=users["leader"])
    rows_before = list(ReportRow.objects.filter(report=report).values_list("pk", "ytd_value"))
    client.force_login(users["leader"])
    page = client.get(reverse("dashboard_report") + QUERY).content.decode()
    assert "已发布的通报数字冻结，不能重新计算" in page and "disabled" in page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("dashboard_compute"), MARCH, HTTP_HX_REQUEST="true")
    assert "已发布，不能重新计算" in response.content.decode()
    assert callbacks == []
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED
    assert list(ReportRow.objects.filter(report=report).values_list("pk", "ytd_value")) == rows_before


def test_publish_after_a_confirmation(client, city, users):
    report = report_compute_month(**MARCH)
    client.force_login(users["leader"])
    confirm = client.get(reverse("dashboard_publish") + QUERY)
    assert confirm.status_code == 200 and "确认发布" in confirm.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.PROVISIONAL  # asking is not publishing
    response = client.post(reverse("dashboard_publish"), MARCH)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED and report.published_by == users["leader"]
    again = client.post(reverse("dashboard_publish"), MARCH)
    assert again.status_code == 409 and "只有待发布的通报才能发布" in again.content.decode()


def test_publish_a_month_without_report_is_refused(client, city, users):
    client.force_login(users["leader"])
    response = client.post(reverse("dashboard_publish"), MARCH)
    assert response.status_code == 409 and "还没有通报" in response.content.decode()
    assert not Report.objects.exists()


def test_restatement_shows_the_frozen_figures_beside_today_with_differences(client, city, users):
    report = report_compute_month(**MARCH)
    report_publish(report=report, actor=users["leader"])
    # A late correction: a project of March entered after publication.
    ProjectFactory(unit=city, stage="signed", origin="out_of_province", signed_on=datetime.date(2011, 3, 20),
                   signed_amount=Decimal("5000"))  # fmt: skip
    client.force_login(users["staff"])  # a reading: every role of the pages
    response = client.get(reverse("dashboard_restatement") + QUERY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "差额" in body and 'class="restated"' in body
    changed = [row for row in response.context["rows"] if row.changed]
    signed_city = next(r for r in changed if r.indicator.code == "signed_capital" and r.scope == "全市")
    assert signed_city.frozen.ytd_value == Decimal("25000.00")
    assert signed_city.today.ytd_value == Decimal("30000.00")
    assert signed_city.ytd_difference == Decimal("5000.00")
    assert "+5000 万元" in body
    assert response.context["changed_count"] == len(changed) > 0
    only = client.get(reverse("dashboard_restatement") + QUERY + "&changed=1")
    assert all(row.changed for row in only.context["rows"])
    # Today's figure drills to today's list, and the list says how it differs from the bulletin.
    drill = client.get(changed_link(body)).content.decode()
    assert "与通报相差 +5000 万元" in drill and "查看更正对比" in drill
    # The frozen rows are untouched.
    assert ReportRow.objects.get(report=report, indicator__code="signed_capital", unit=None).ytd_value == Decimal(
        "25000"
    )


def test_restatement_of_a_month_not_published_explains(client, city, users):
    report_compute_month(**MARCH)
    client.force_login(users["leader"])
    response = client.get(reverse("dashboard_restatement") + QUERY)
    assert response.status_code == 409 and "更正对比只对已发布的通报" in response.content.decode()


def test_bad_month_is_a_chinese_400(client, city, users):
    client.force_login(users["leader"])
    for url in (
        reverse("dashboard_report") + "?year=2011&month=13",
        reverse("dashboard_restatement") + "?year=x",
        reverse("dashboard_report_status"),
        reverse("dashboard_publish") + "?year=1999&month=1",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "无法打开这个月的通报" in response.content.decode()
    assert client.post(reverse("dashboard_compute"), {"year": "abc", "month": 3}).status_code == 400
    assert not Report.objects.exists()


def test_another_units_staff_also_reads(client, city):
    client.force_login(UserFactory(role="staff", unit=UnitFactory(code="other", name="其他区")))
    assert client.get(reverse("dashboard_report") + QUERY).status_code == 200


def changed_link(body: str) -> str:
    """The first drill-down link of the restatement table (today's month figure of 招商引资协议引资额, city)."""
    start = body.index('href="/dashboard/drill/?indicator=signed_capital')
    return body[start + 6 : body.index('"', start + 6)].replace("&amp;", "&")


def test_the_actions_partial_included_in_any_page_returns_there(client, city, users, rf):
    """`{% report_actions year month %}` renders the partial for the page's user; an action made
    from it returns to that page (a `next` of another site is ignored)."""
    from django.template import Context, Template

    report_compute_month(**MARCH)
    request = rf.get("/dashboard/?year=2011&month=3")
    request.user = users["leader"]
    html = Template("{% load drilldown %}{% report_actions 2011 3 %}").render(Context({"request": request}))
    assert "发布…" in html and 'name="next" value="/dashboard/?year=2011&amp;month=3"' in html
    request.user = users["staff"]
    assert "发布…" not in Template("{% load drilldown %}{% report_actions 2011 3 %}").render(
        Context({"request": request})
    )
    client.force_login(users["leader"])
    back = client.post(reverse("dashboard_publish"), {**MARCH, "next": "/dashboard/?year=2011&month=3"})
    assert back["Location"] == "/dashboard/?year=2011&month=3"
    elsewhere = client.post(reverse("dashboard_compute"), {**MARCH, "next": "https://evil.example/"})
    assert elsewhere["Location"] == reverse("dashboard_report") + QUERY
