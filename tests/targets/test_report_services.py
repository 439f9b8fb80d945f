"""The life of a monthly report: request, compute, fail, publish, preview, reconcile, the command."""

import datetime
import subprocess
import sys
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connections, transaction
from django.utils import timezone

from core.errors import ConflictError
from investpro.celery import app as celery_app
from projects.models import Project
from targets import tasks
from targets.models import Report, ReportRow
from targets.reporting import (
    ReportNotProvisionalError,
    ReportPublishedError,
    report_compute,
    report_compute_month,
    report_preview,
    report_publish,
    report_reconcile,
    report_request,
    report_request_open_months,
    services,
)
from tests.factories import (
    CapitalDeliveryFactory,
    IndicatorFactory,
    ProjectFactory,
    ReportFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
day = datetime.date
ROW_FIELDS = (
    "indicator_id", "unit_id", "month_value", "ytd_value", "target", "completion_pct", "time_progress_pct",
    "pace", "last_year_ytd", "yoy_pct", "rank",
)  # fmt: skip


def snapshot(report) -> list[tuple]:
    """The report's rows as values, in a stable order, without their ids."""
    return list(ReportRow.objects.filter(report=report).order_by("indicator_id", "unit_id").values_list(*ROW_FIELDS))


def city_row(report, code="signed_capital") -> ReportRow:
    return ReportRow.objects.get(report=report, indicator__code=code, unit=None)


@pytest.fixture
def data():
    """Two units, a target and a little of everything in 2011 (outside-the-city origin by default)."""
    a, b = UnitFactory(code="a"), UnitFactory(code="b")
    indicator = IndicatorFactory(code="signed_capital")  # the standard one (migration)
    TargetFactory(indicator=indicator, unit=None, value=D("1000"))
    TargetFactory(indicator=indicator, unit=a, value=D("500"))
    first = ProjectFactory(unit=a, signed=True, signed_on=day(2011, 3, 1), signed_amount=D("300"))
    ProjectFactory(unit=b, signed=True, signed_on=day(2011, 3, 20), signed_amount=D("200"))
    CapitalDeliveryFactory(project=first, delivered_on=day(2011, 3, 2), amount=D("50"))
    return a, b


# --- request and compute --------------------------------------------------------------------------


def test_request_creates_a_queued_report_and_enqueues_after_commit(data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = tasks.request_report(year=2011, month=3)

    report.refresh_from_db()
    assert (report.status, report.error) == (Report.Status.QUEUED, "")
    assert report.queued_at is not None
    assert len(callbacks) == 1  # nothing was sent before the commit
    assert not ReportRow.objects.exists()


def test_request_then_task_computes_the_report(data, django_capture_on_commit_callbacks, eager_celery):
    with django_capture_on_commit_callbacks(execute=True):
        report = tasks.request_report(year=2011, month=3)

    report.refresh_from_db()
    assert report.status == Report.Status.PROVISIONAL
    assert report.started_at and report.computed_at and report.computed_at >= report.started_at
    assert city_row(report).ytd_value == D("500")
    assert city_row(report).completion_pct == D("50.0")


def test_requesting_the_same_month_again_reuses_its_report(data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = report_request(year=2011, month=3)
        second = report_request(year=2011, month=3)
    assert first.pk == second.pk
    assert Report.objects.count() == 1


@pytest.mark.parametrize(("year", "month"), [(2011, 0), (2011, 13), (1999, 5)])
def test_request_of_an_impossible_month_is_refused(year, month):
    with pytest.raises(ValidationError):
        report_request(year=year, month=month)
    assert not Report.objects.exists()


def test_compute_sets_running_then_provisional(data, monkeypatch):
    report = ReportFactory(year=2011, month=3)
    seen = []
    real_build_rows = services.build_rows

    def spy(**kwargs):
        seen.append(Report.objects.get(pk=report.pk).status)
        return real_build_rows(**kwargs)

    monkeypatch.setattr(services, "build_rows", spy)
    report_compute(report_id=report.pk)

    report.refresh_from_db()
    assert seen == [Report.Status.RUNNING]
    assert report.status == Report.Status.PROVISIONAL
    assert report.error == ""


def test_two_runs_give_identical_rows_and_no_duplicates(data):
    report = report_compute_month(year=2011, month=3)
    first = snapshot(report)
    first_ids = set(report.rows.values_list("pk", flat=True))
    report_compute(report_id=report.pk)
    report_compute(report_id=report.pk)

    assert snapshot(report) == first
    assert ReportRow.objects.count() == len(first)
    assert not first_ids & set(report.rows.values_list("pk", flat=True))  # replaced, not appended


def test_a_recomputation_picks_up_changed_data(data):
    a, _b = data
    report = report_compute_month(year=2011, month=3)
    ProjectFactory(unit=a, signed=True, signed_on=day(2011, 3, 31), signed_amount=D("100"))

    report_compute(report_id=report.pk)

    assert city_row(report).ytd_value == D("600")


def test_a_failed_run_keeps_the_error_and_the_previous_rows(data, monkeypatch):
    report = report_compute_month(year=2011, month=3)
    before = snapshot(report)

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "build_rows", broken)
    with pytest.raises(RuntimeError):
        report_compute(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert report.error == "RuntimeError: the database went away"
    assert snapshot(report) == before

    monkeypatch.undo()  # fixed: a rerun succeeds and clears the error
    report_compute(report_id=report.pk)
    report.refresh_from_db()
    assert (report.status, report.error) == (Report.Status.PROVISIONAL, "")


def test_a_failure_while_writing_rows_leaves_the_previous_rows(data, monkeypatch):
    report = report_compute_month(year=2011, month=3)
    before = snapshot(report)

    def insert_fails(rows, *args, **kwargs):
        raise RuntimeError("killed mid-insert")

    monkeypatch.setattr(ReportRow.objects, "bulk_create", insert_fails)  # after the old rows were deleted
    with pytest.raises(RuntimeError):
        report_compute(report_id=report.pk)

    assert snapshot(report) == before
    assert Report.objects.get(pk=report.pk).status == Report.Status.FAILED


# --- publishing -----------------------------------------------------------------------------------


def test_publish_keeps_who_and_when(data):
    leader = UserFactory(role="leader")
    report = report_compute_month(year=2011, month=3)

    published = report_publish(report=report, actor=leader)

    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED == published.status
    assert report.published_by == leader
    assert timezone.now() - report.published_at < datetime.timedelta(minutes=1)


def test_only_a_provisional_report_can_be_published(data):
    leader = UserFactory(role="leader")
    report = ReportFactory(year=2011, month=3, status=Report.Status.FAILED)

    with pytest.raises(ReportNotProvisionalError) as refused:
        report_publish(report=report, actor=leader)

    assert isinstance(refused.value, ConflictError)
    report.refresh_from_db()
    assert (report.status, report.published_at, report.published_by) == (Report.Status.FAILED, None, None)


def test_publishing_twice_is_refused(data):
    leader = UserFactory(role="leader")
    report = report_compute_month(year=2011, month=3)
    report_publish(report=report, actor=leader)
    with pytest.raises(ReportNotProvisionalError):
        report_publish(report=report, actor=UserFactory(role="admin"))
    report.refresh_from_db()
    assert report.published_by == leader


def test_staff_cannot_publish(data):
    report = report_compute_month(year=2011, month=3)
    with pytest.raises(PermissionDenied):
        report_publish(report=report, actor=UserFactory(role="staff"))
    report.refresh_from_db()
    assert report.status == Report.Status.PROVISIONAL


def test_a_published_month_never_changes(data, django_capture_on_commit_callbacks):
    a, b = data
    report = report_compute_month(year=2011, month=3)
    report_publish(report=report, actor=UserFactory(role="leader"))
    frozen = snapshot(report)
    ids = set(report.rows.values_list("pk", flat=True))
    # Late corrections under the month.
    ProjectFactory(unit=b, signed=True, signed_on=day(2011, 3, 5), signed_amount=D("1000"))
    Project.objects.filter(unit=a).update(signed_amount=D("1"))

    with pytest.raises(ReportPublishedError):
        report_compute(report_id=report.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(ReportPublishedError):
        tasks.request_report(year=2011, month=3)
    with pytest.raises(ReportPublishedError):
        report_compute_month(year=2011, month=3)
    tasks.compute_report.apply(args=[report.pk]).get()  # the task logs and returns

    report.refresh_from_db()
    assert report.status == Report.Status.PUBLISHED
    assert snapshot(report) == frozen
    assert set(report.rows.values_list("pk", flat=True)) == ids
    assert callbacks == []


def test_preview_shows_todays_figures_without_writing(data, django_assert_num_queries):
    a, _b = data
    report = report_compute_month(year=2011, month=3)
    report_publish(report=report, actor=UserFactory(role="leader"))
    frozen = snapshot(report)
    ProjectFactory(unit=a, signed=True, signed_on=day(2011, 3, 5), signed_amount=D("250"))

    with django_assert_num_queries(7):
        preview = report_preview(report=report)

    by_scope = {(row.indicator.code, row.unit_id): row for row in preview}
    assert by_scope["signed_capital", None].ytd_value == D("750")
    assert by_scope["signed_capital", None].completion_pct == D("75.0")
    assert by_scope["signed_capital", a.pk].ytd_value == D("550")
    assert all(row.pk is None and row.report == report for row in preview)
    assert snapshot(report) == frozen
    assert city_row(report).ytd_value == D("500")


# --- the tasks, the schedule and the reconciler ---------------------------------------------------


def test_compute_task_runs_the_service(data):
    report = ReportFactory(year=2011, month=3)
    tasks.compute_report.apply(args=[report.pk]).get()
    report.refresh_from_db()
    assert report.status == Report.Status.PROVISIONAL
    assert city_row(report).ytd_value == D("500")


def test_compute_task_of_a_deleted_report_does_nothing():
    tasks.compute_report.apply(args=[999_999]).get()
    assert not ReportRow.objects.exists()


def test_compute_task_keeps_a_failure_on_the_report(data, monkeypatch):
    report = ReportFactory(year=2011, month=3)
    monkeypatch.setattr(services, "build_rows", lambda **kw: 1 / 0)
    result = tasks.compute_report.apply(args=[report.pk])
    assert isinstance(result.result, ZeroDivisionError)
    report.refresh_from_db()
    assert (report.status, report.error) == (Report.Status.FAILED, "ZeroDivisionError: division by zero")


def test_reconciler_requeues_reports_whose_job_was_lost(django_capture_on_commit_callbacks, settings):
    settings.REPORT_REQUEUE_QUEUED_AFTER = 180
    settings.REPORT_REQUEUE_RUNNING_AFTER = 60
    now = timezone.now()

    def ago(seconds: int) -> datetime.datetime:
        return now - datetime.timedelta(seconds=seconds)

    Status = Report.Status
    dead_run = ReportFactory(year=2011, month=1, status=Status.RUNNING, started_at=ago(61), queued_at=ago(62))
    lost_message = ReportFactory(year=2011, month=2, status=Status.QUEUED, queued_at=ago(181))
    never_dated = ReportFactory(year=2011, month=3, status=Status.QUEUED, queued_at=None)
    kept = [
        ReportFactory(year=2011, month=4, status=Status.RUNNING, started_at=ago(30)),  # between its transactions
        ReportFactory(year=2011, month=5, status=Status.QUEUED, queued_at=ago(120)),  # its message on its way
        ReportFactory(year=2011, month=6, status=Status.PROVISIONAL, started_at=ago(9999)),
        ReportFactory(year=2011, month=7, status=Status.FAILED, queued_at=ago(9999)),
        ReportFactory(year=2011, month=8, status=Status.PUBLISHED, started_at=ago(9999), published_at=ago(9000)),
    ]

    requeued = report_reconcile()

    assert [r.pk for r in requeued] == [dead_run.pk, lost_message.pk, never_dated.pk]
    for report in requeued:
        report.refresh_from_db()
        assert report.status == Status.QUEUED
        assert timezone.now() - report.queued_at < datetime.timedelta(minutes=1)
    for report in kept:
        assert Report.objects.get(pk=report.pk).status == report.status
    # Sent again, they wait their full time before the next look.
    assert report_reconcile() == []


def test_reconciler_thresholds_can_be_given(django_capture_on_commit_callbacks):
    just_queued = ReportFactory(year=2011, month=1, status=Report.Status.QUEUED, queued_at=timezone.now())
    assert report_reconcile(queued_after=datetime.timedelta(hours=1)) == []
    assert report_reconcile(queued_after=datetime.timedelta(0)) == [just_queued]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reconciler_skips_a_report_whose_live_run_holds_its_lock_on_postgresql():
    """A live run holds the report's row lock for the whole of its computing transaction."""
    report = ReportFactory(
        year=2011, month=1, status=Report.Status.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=2)
    )
    locked, release = threading.Event(), threading.Event()

    def live_run():
        try:
            with transaction.atomic():
                Report.objects.select_for_update().get(pk=report.pk)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=live_run)
    thread.start()
    try:
        assert locked.wait(30)
        assert report_reconcile() == []  # SKIP LOCKED: at once, without waiting
    finally:
        release.set()
        thread.join(30)
    assert report_reconcile() == [report]  # the run is gone: its report is sent again


def test_reconciler_reruns_a_report_left_running(data, django_capture_on_commit_callbacks, eager_celery):
    report = report_compute_month(year=2011, month=3)
    before = snapshot(report)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=3)
    )

    with django_capture_on_commit_callbacks(execute=True):
        tasks.reconcile_reports.apply().get()

    report.refresh_from_db()
    assert report.status == Report.Status.PROVISIONAL
    assert snapshot(report) == before


def test_nightly_requests_this_month_and_the_previous_until_published(django_capture_on_commit_callbacks):
    leader = UserFactory(role="leader")
    requested = report_request_open_months(today=day(2012, 1, 1))
    assert sorted((r.year, r.month) for r in requested) == [(2011, 12), (2012, 1)]

    december = Report.objects.get(year=2011, month=12)
    report_compute(report_id=december.pk)
    report_publish(report=december, actor=leader)
    requested = report_request_open_months(today=day(2012, 1, 2))
    assert [(r.year, r.month) for r in requested] == [(2012, 1)]
    december.refresh_from_db()
    assert december.status == Report.Status.PUBLISHED


def test_nightly_task_uses_the_bureaus_calendar(django_capture_on_commit_callbacks, monkeypatch):
    # 16:30 UTC on 30 April is already 1 May in Asia/Shanghai.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2011, 4, 30, 16, 30, tzinfo=datetime.UTC))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.recompute_open_reports.apply().get()
    assert sorted(Report.objects.values_list("year", "month")) == [(2011, 4), (2011, 5)]
    assert len(callbacks) == 2  # one job per month, sent after commit


def test_reconcile_task_sends_the_lost_reports_jobs_after_commit(django_capture_on_commit_callbacks):
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    ReportFactory(year=2011, month=1, status=Report.Status.RUNNING, started_at=long_ago)
    ReportFactory(year=2011, month=2, status=Report.Status.QUEUED, queued_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.reconcile_reports.apply().get()
    assert len(callbacks) == 1


def test_beat_schedule_runs_the_report_tasks_in_shanghai_time(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["reports-nightly"]["task"] == tasks.recompute_open_reports.name
    assert schedule["reports-reconcile"]["task"] == tasks.reconcile_reports.name
    assert celery_app.conf.timezone == "Asia/Shanghai"
    nightly = schedule["reports-nightly"]["schedule"]
    assert nightly.hour == {1} and nightly.minute == {30}
    # A lost job is sent again within 5 minutes: the reconciler looks every minute.
    reconcile = schedule["reports-reconcile"]["schedule"]
    assert reconcile.minute == set(range(60)) and reconcile.hour == set(range(24))
    assert max(settings.REPORT_REQUEUE_QUEUED_AFTER, settings.REPORT_REQUEUE_RUNNING_AFTER) + 60 <= 5 * 60


# --- the command ----------------------------------------------------------------------------------


def test_compute_report_command_prints_a_summary(data):
    out = StringIO()
    call_command("compute_report", "2011", "3", stdout=out)

    report = Report.objects.get(year=2011, month=3)
    assert report.status == Report.Status.PROVISIONAL
    assert city_row(report).ytd_value == D("500")
    text = out.getvalue()
    assert "2011年3月通报" in text and "待发布" in text
    assert "signed_capital" in text and "50.0" in text


def test_compute_report_command_refuses_a_published_month(data):
    report = report_compute_month(year=2011, month=3)
    report_publish(report=report, actor=UserFactory(role="leader"))
    frozen = snapshot(report)

    with pytest.raises(CommandError, match="已发布"):
        call_command("compute_report", "2011", "3", stdout=StringIO())

    assert snapshot(report) == frozen


def test_compute_report_command_refuses_a_bad_month():
    with pytest.raises(CommandError, match="月份"):
        call_command("compute_report", "2011", "13", stdout=StringIO())
    assert not Report.objects.exists()


def test_compute_report_command_exits_non_zero_on_the_command_line():
    """What an operator sees: a message on stderr and a non-zero exit status."""
    result = subprocess.run(
        [sys.executable, "manage.py", "compute_report", "2011", "13"],
        capture_output=True, text=True, timeout=120, cwd=settings.BASE_DIR,
    )  # fmt: skip
    assert result.returncode != 0
    assert "月份须在 1 至 12 之间" in result.stderr
