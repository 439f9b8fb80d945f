"""The report job on the production parts: two runs at once on PostgreSQL, and a real Celery worker
on the real Redis broker killed mid-run. Both skip, with the reason, on the embedded default."""

import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.db import connection, connections

from targets import tasks
from targets.models import Indicator, Report, ReportRow
from targets.reporting import report_compute, report_compute_month, report_reconcile, services
from tests.factories import CapitalDeliveryFactory, ProjectFactory, TargetFactory, UnitFactory

D = Decimal
day = datetime.date
TIMEOUT = 90  # seconds for anything a test waits on


def _data(units: int = 3) -> list:
    made = [UnitFactory(code=f"u{n}") for n in range(units)]
    target_of = {"signed_capital": D("10000"), "delivered_capital": D("1000")}
    for code, value in target_of.items():
        TargetFactory(indicator=Indicator.objects.get(code=code), unit=None, value=value)
    for n, unit in enumerate(made):
        for k in range(4):
            project = ProjectFactory(unit=unit, signed=True, signed_on=day(2011, 1 + k, 10), signed_amount=D(100 + n))
            CapitalDeliveryFactory(project=project, delivered_on=day(2011, 1 + k, 11), amount=D(10 + k))
    return made


def _expected_rows(units: int) -> int:
    return Indicator.objects.filter(active=True).count() * (units + 1)


def _city_signed(report) -> Decimal:
    return ReportRow.objects.get(report=report, indicator__code="signed_capital", unit=None).ytd_value


def _wait_for(condition, what: str, timeout: float = TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


# --- two runs of one month at once ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_of_one_month_at_once_leave_one_complete_set(monkeypatch):
    _data(units=3)
    report = report_compute_month(year=2011, month=6)  # the previous complete set
    expected = _expected_rows(3)
    assert report.rows.count() == expected

    computing: list[tuple[float, float]] = []
    real_build_rows = services.build_rows

    def slow_build_rows(**kwargs):
        started = time.monotonic()
        time.sleep(0.5)  # without the lock the two computations would overlap
        rows = real_build_rows(**kwargs)
        computing.append((started, time.monotonic()))
        return rows

    monkeypatch.setattr(services, "build_rows", slow_build_rows)
    start = threading.Barrier(3)
    done = threading.Event()
    errors: list[BaseException] = []
    seen_counts: list[int] = []

    def run():
        try:
            start.wait()
            report_compute(report_id=report.pk)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    def read():
        try:
            start.wait()
            while not done.is_set():
                seen_counts.append(ReportRow.objects.filter(report_id=report.pk).count())
        finally:
            connections.close_all()

    runs = [threading.Thread(target=run) for _ in range(2)]
    reader = threading.Thread(target=read)
    for thread in [*runs, reader]:
        thread.start()
    for thread in runs:
        thread.join(TIMEOUT)
    done.set()
    reader.join(TIMEOUT)

    assert errors == []
    report.refresh_from_db()
    assert report.status == Report.Status.PROVISIONAL
    assert ReportRow.objects.filter(report=report).count() == expected
    assert ReportRow.objects.filter(report=report, unit=None).count() == Indicator.objects.filter(active=True).count()
    # The second computation started only after the first had committed.
    (first_start, first_end), (second_start, _second_end) = sorted(computing)
    assert second_start >= first_end
    # A reader never saw half a report: always the old complete set or the new one.
    assert seen_counts and set(seen_counts) == {expected}


# --- a real worker, killed mid-run ----------------------------------------------------------------


def _database_url() -> str:
    db = connection.settings_dict  # the test database (test_<name>), not the one in DATABASE_URL
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(queue: str, log_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "investpro.settings",
        "CONN_MAX_AGE": "0",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "investpro", "worker", "--pool=solo", "-Q", queue,
        "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
    ]  # fmt: skip
    log = open(log_path, "ab")  # noqa: SIM115 - the worker writes to it until it is stopped
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _blocked_delete() -> bool:
    """The worker's run is inside its write transaction, waiting to delete the old rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()
                 AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM "targets_reportrow"%%'"""
        )
        return cursor.fetchone()[0] > 0


def _forget_queue(queue: str) -> None:
    """Remove what the killed run left in Redis: its queue and its unacknowledged message."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, payload in client.hgetall("unacked").items():
        try:
            routing_key = json.loads(payload)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_run_leaves_the_old_rows_and_the_rerun_completes(monkeypatch, tmp_path):
    units = _data(units=2)
    report = report_compute_month(year=2011, month=6)
    expected = _expected_rows(2)
    old_ids = set(report.rows.values_list("pk", flat=True))
    assert len(old_ids) == expected and _city_signed(report) == D("804")
    # A late signing the rerun must pick up.
    ProjectFactory(unit=units[0], signed=True, signed_on=day(2011, 6, 30), signed_amount=D("1000"))

    # This test's own queue, so that no other worker on the broker takes its messages.
    queue = f"test-reports-{uuid.uuid4().hex[:12]}"
    task = tasks.compute_report._get_current_object()
    monkeypatch.setattr(task, "delay", lambda report_id: task.apply_async((report_id,), queue=queue))

    # Another session holds one of the old rows: the worker's run will wait, inside its
    # transaction, at the point where it deletes the old rows.
    db = connection.settings_dict
    locker = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"] or "127.0.0.1", port=db["PORT"]
    )
    workers = []
    try:
        with locker.cursor() as cursor:
            cursor.execute("SELECT id FROM targets_reportrow WHERE id = %s FOR UPDATE", [max(old_ids)])
        workers.append(_start_worker(queue, tmp_path / "worker-1.log"))
        tasks.request_report(year=2011, month=6)  # sent on commit, to the real broker
        _wait_for(_blocked_delete, "the worker to reach the delete of the old rows")
        report.refresh_from_db()
        assert report.status == Report.Status.RUNNING

        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(TIMEOUT)

        # Readers still see the previous complete rows.
        assert set(ReportRow.objects.filter(report=report).values_list("pk", flat=True)) == old_ids
        locker.rollback()  # the killed run's session ends and its transaction rolls back
        assert set(ReportRow.objects.filter(report=report).values_list("pk", flat=True)) == old_ids

        workers.append(_start_worker(queue, tmp_path / "worker-2.log"))
        # The reconciler finds the report left running (once the dead run's lock is gone) and
        # re-enqueues it; the new worker computes it.
        def reconcile() -> list:
            lost = report_reconcile(running_after=datetime.timedelta(0))
            tasks.send_compute_jobs(lost)
            return lost

        _wait_for(reconcile, "the reconciler to re-enqueue")
        seen_counts = []

        def provisional() -> bool:
            seen_counts.append(ReportRow.objects.filter(report=report).count())
            return Report.objects.get(pk=report.pk).status == Report.Status.PROVISIONAL

        _wait_for(provisional, "the rerun to complete")
    except AssertionError:
        for log in sorted(tmp_path.glob("worker-*.log")):
            print(log.name, log.read_text(errors="replace")[-5000:])
        raise
    finally:
        locker.close()
        for worker in workers:
            _stop(worker)
        _forget_queue(queue)

    assert set(seen_counts) == {expected}  # never a partial set while the rerun ran
    new_ids = set(ReportRow.objects.filter(report=report).values_list("pk", flat=True))
    assert len(new_ids) == expected and not new_ids & old_ids
    assert _city_signed(report) == D("1804")
    report.refresh_from_db()
    assert (report.status, report.error) == (Report.Status.PROVISIONAL, "")
