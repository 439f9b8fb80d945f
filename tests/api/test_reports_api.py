"""The monthly report through the API (DESIGN §3, §4; issue 4 item 4): POST {year, month} answers 202
and enqueues the job after commit; posting the month again recomputes it; leaders publish a
provisional report; a published month is frozen (409)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from targets import reporting, tasks
from targets.models import Report, ReportRow

REPORTS = reverse("report-list")


def publish_url(report) -> str:
    return reverse("report-publish", args=[report.pk])


@pytest.fixture
def leader(api_as):
    return api_as("leader")


@pytest.fixture
def sent(monkeypatch):
    """The report ids handed to the Celery task, instead of a broker."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.compute_report, "delay", ids.append)
    return ids


def test_post_answers_202_and_enqueues_after_commit(world, leader, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = leader.post(REPORTS, {"year": 2011, "month": 8}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert {"id", "year", "month", "status"} <= set(body)
    assert (body["year"], body["month"], body["status"]) == (2011, 8, "queued")
    report = Report.objects.get(pk=body["id"])
    assert (report.year, report.month, report.status) == (2011, 8, "queued")
    assert sent == []  # nothing is sent before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [report.pk]


def test_post_then_the_job_computes_the_rows(world, leader, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = leader.post(REPORTS, {"year": 2011, "month": 3}, format="json")
    assert response.status_code == 202
    detail = leader.get(reverse("report-detail", args=[response.json()["id"]])).json()
    assert detail["status"] == "provisional"
    city = next(r for r in detail["rows"] if r["indicator"] == "signed_capital" and r["unit"] is None)
    assert (city["month_value"], city["ytd_value"]) == ("20000.00", "20000.00")
    units = {r["unit"] for r in detail["rows"] if r["indicator"] == "signed_capital"}
    assert {None, "kecheng", "qujiang"} <= units


def test_a_second_post_recomputes_the_same_report(world, leader, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = leader.post(REPORTS, {"year": 2011, "month": 3}, format="json").json()
    reporting.report_compute(report_id=first["id"])
    assert Report.objects.get(pk=first["id"]).status == "provisional"
    rows_before = ReportRow.objects.filter(report_id=first["id"]).count()

    with django_capture_on_commit_callbacks(execute=True):
        second = leader.post(REPORTS, {"year": 2011, "month": 3}, format="json")
    assert second.status_code == 202
    assert second.json()["id"] == first["id"]
    assert second.json()["status"] == "queued"
    assert Report.objects.filter(year=2011, month=3).count() == 1
    assert sent == [first["id"], first["id"]]
    reporting.report_compute(report_id=first["id"])
    assert ReportRow.objects.filter(report_id=first["id"]).count() == rows_before


def test_post_on_a_published_month_is_409_and_changes_nothing(world, leader, sent, django_capture_on_commit_callbacks):
    report = world.report
    reporting.report_compute(report_id=report.pk)
    assert leader.post(publish_url(report)).status_code == 200
    before = Report.objects.filter(pk=report.pk).values().get()
    rows = ReportRow.objects.filter(report=report).count()
    with django_capture_on_commit_callbacks(execute=True):
        response = leader.post(REPORTS, {"year": report.year, "month": report.month}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert Report.objects.filter(pk=report.pk).values().get() == before
    assert ReportRow.objects.filter(report=report).count() == rows
    assert sent == []


@pytest.mark.parametrize(
    ("body", "field"),
    [({"year": 2011, "month": 13}, "month"), ({"year": 2011, "month": 0}, "month"),
     ({"year": 1999, "month": 1}, "year"), ({"month": 3}, "year"), ({"year": 2011}, "month"),
     ({"year": "x", "month": 3}, "year")],
)  # fmt: skip
def test_post_of_an_impossible_month_is_400(body, field, world, leader, sent):
    before = Report.objects.count()
    response = leader.post(REPORTS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Report.objects.count() == before


@pytest.mark.parametrize(("role", "status"), [("own_staff", 403), ("reader", 403), ("anon", 401)])
def test_only_leaders_request_reports(role, status, world, api_as, sent):
    before = Report.objects.count()
    response = api_as(role).post(REPORTS, {"year": 2011, "month": 9}, format="json")
    assert response.status_code == status
    assert Report.objects.count() == before


# --- publish ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_leaders_publish_a_provisional_report(role, world, api_as, users):
    reporting.report_compute(report_id=world.report.pk)
    response = api_as(role).post(publish_url(world.report))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"
    assert response.json()["published_at"]
    world.report.refresh_from_db()
    assert (world.report.status, world.report.published_by) == ("published", users[role])


@pytest.mark.parametrize(("role", "status"), [("own_staff", 403), ("other_staff", 403), ("reader", 403), ("anon", 401)])
def test_others_cannot_publish(role, status, world, api_as):
    reporting.report_compute(report_id=world.report.pk)
    response = api_as(role).post(publish_url(world.report))
    assert response.status_code == status
    world.report.refresh_from_db()
    assert (world.report.status, world.report.published_at) == ("provisional", None)


@pytest.mark.parametrize("status", ["queued", "running", "failed"])
def test_publishing_a_report_that_is_not_provisional_is_409(status, world, leader):
    Report.objects.filter(pk=world.report.pk).update(status=status)
    response = leader.post(publish_url(world.report))
    assert response.status_code == 409
    world.report.refresh_from_db()
    assert world.report.status == status


def test_publishing_twice_is_409_and_keeps_the_first_publication(world, leader, api_as):
    reporting.report_compute(report_id=world.report.pk)
    assert leader.post(publish_url(world.report)).status_code == 200
    world.report.refresh_from_db()
    first = (world.report.published_at, world.report.published_by_id)
    assert api_as("admin").post(publish_url(world.report)).status_code == 409
    world.report.refresh_from_db()
    assert (world.report.published_at, world.report.published_by_id) == first


def test_publishing_an_unknown_report_is_404(world, leader):
    assert leader.post(reverse("report-publish", args=[10**9])).status_code == 404


def test_a_published_report_keeps_its_figures(world, leader, sent):
    reporting.report_compute(report_id=world.report.pk)
    leader.post(publish_url(world.report))
    url = reverse("report-detail", args=[world.report.pk])
    before = leader.get(url).json()["rows"]
    world.project.signed_amount = Decimal("999999.00")
    world.project.save()
    with pytest.raises(reporting.ReportPublishedError):
        reporting.report_compute(report_id=world.report.pk)
    assert leader.get(url).json()["rows"] == before


def test_everyone_signed_in_reads_reports(world, api_as):
    reporting.report_compute(report_id=world.report.pk)
    for role in ("own_staff", "other_staff", "reader", "leader"):
        response = api_as(role).get(reverse("report-detail", args=[world.report.pk]))
        assert response.status_code == 200
        assert response.json()["rows"]


def test_a_published_report_shows_late_corrections_beside_its_frozen_rows(world, leader, sent):
    reporting.report_compute(report_id=world.report.pk)
    leader.post(publish_url(world.report))
    frozen = leader.get(reverse("report-detail", args=[world.report.pk])).json()["rows"]
    world.project.signed_amount += Decimal("100.00")  # signed in the report's month, corrected late
    world.project.save()

    preview = leader.get(reverse("report-preview", args=[world.report.pk])).json()

    assert preview["report"] == world.report.pk
    assert leader.get(reverse("report-detail", args=[world.report.pk])).json()["rows"] == frozen
    key = ("signed_capital", None)
    before = {(r["indicator"], r["unit"]): r for r in frozen}[key]
    after = {(r["indicator"], r["unit"]): r for r in preview["rows"]}[key]
    assert Decimal(after["ytd_value"]) == Decimal(before["ytd_value"]) + Decimal("100.00")
    assert ReportRow.objects.filter(report=world.report).count() == len(frozen)
