"""A real Celery worker on the embedded broker (kombu's filesystem transport, a SQLite file), killed
after it took a report's message. That broker deletes a message as soon as a worker reads it, so
the message is lost for good; the reconciler, reading the report's status, sends the job again, and
a new worker computes the report exactly."""

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.processes import ROOT, embedded_env, kill_session, session_pids, short_temp_dir, start, wait_for

SEED = """
import datetime
from decimal import Decimal
from projects.models import Origin
from tests.factories import ProjectFactory, UnitFactory

unit = UnitFactory(code="kecheng", name="柯城区")
for amount in ("100.00", "200.00", "300.50"):
    ProjectFactory(
        unit=unit, signed=True, origin=Origin.OUT_OF_CITY,
        signed_on=datetime.date(2011, 6, 10), signed_amount=Decimal(amount),
    )
"""

REPORT_STATE = """
import json
from targets.models import Indicator, Report, ReportRow
report = Report.objects.get(year=2011, month=6)
city = ReportRow.objects.filter(report=report, unit=None, indicator__code="signed_capital").first()
print(json.dumps({
    "status": report.status, "error": report.error, "rows": report.rows.count(),
    "indicators": Indicator.objects.filter(active=True).count(),
    "city_signed": [str(city.month_value), str(city.ytd_value)] if city else None,
}))
"""


class Embedded:
    """manage.py and Celery workers on one temporary var dir."""

    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.env = embedded_env(var_dir)
        self.workers: list[subprocess.Popen] = []

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", textwrap.dedent(code))

    def report(self) -> dict:
        return json.loads(self.shell(REPORT_STATE).strip().splitlines()[-1])

    def start_worker(self) -> tuple[subprocess.Popen, Path]:
        log = self.var_dir / f"worker-{len(self.workers) + 1}.log"
        command = [sys.executable, "-m", "celery", "-A", "investpro", "worker", "--concurrency=1", "--loglevel=INFO"]
        self.workers.append(start(command, self.env, log))
        wait_for(lambda: "ready." in log.read_text(errors="replace"), "the worker to be ready")
        return self.workers[-1], log

    def queued_messages(self) -> list[Path]:
        return [p for p in (self.var_dir / "broker" / "queue").iterdir() if p.is_file()]


@pytest.fixture
def embedded():
    with short_temp_dir() as var_dir:
        setup = Embedded(var_dir)
        try:
            setup.manage("migrate", "--no-input", "-v", "0")
            setup.shell(SEED)
            yield setup
        finally:
            for worker in setup.workers:
                kill_session(worker)
            for log in sorted(var_dir.glob("worker-*.log")):  # shown when the test fails
                print(log.name, log.read_text(errors="replace")[-4000:])


@pytest.mark.processes
def test_a_worker_killed_after_taking_a_report_loses_its_message_and_the_reconciler_recovers_it(embedded):
    embedded.shell("from targets.tasks import request_report; request_report(year=2011, month=6)")
    assert len(embedded.queued_messages()) == 1

    # Another writer holds SQLite's write lock, so that the worker's run waits at its first
    # transaction; the worker is killed once it has taken the message from the broker.
    holder = sqlite3.connect(embedded.var_dir / "investpro.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        worker, log = embedded.start_worker()
        wait_for(lambda: "compute_report" in log.read_text(errors="replace"), "the worker to take the message")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        wait_for(lambda: not session_pids(worker.pid), "its pool process to die with it", timeout=10)
    finally:
        holder.rollback()
        holder.close()

    assert embedded.queued_messages() == []  # the broker kept nothing
    assert embedded.report()["status"] == "queued"

    # A new worker finds nothing to do: the message is lost.
    _, log = embedded.start_worker()
    assert embedded.queued_messages() == []
    assert embedded.report()["status"] == "queued"

    # The reconciler (sent by beat every minute) sees the report queued for longer than
    # REPORT_REQUEUE_QUEUED_AFTER and sends its job again; the new worker computes it.
    embedded.shell("""
        import datetime
        from django.conf import settings
        from django.db.models import F
        from targets.models import Report
        waited = datetime.timedelta(seconds=settings.REPORT_REQUEUE_QUEUED_AFTER + 1)
        Report.objects.filter(year=2011, month=6).update(queued_at=F("queued_at") - waited)
        from targets.tasks import reconcile_reports
        reconcile_reports.delay()
    """)
    report = wait_for(lambda: (state := embedded.report())["status"] == "provisional" and state, "the report")

    assert report == {
        "status": "provisional", "error": "", "rows": report["indicators"] * 2,  # the city and one unit
        "indicators": report["indicators"], "city_signed": ["600.50", "600.50"],
    }  # fmt: skip
    worker_log = log.read_text(errors="replace")
    assert worker_log.count("Re-enqueuing report") == 1
    assert worker_log.count("targets.tasks.compute_report[") == 2  # received and succeeded, once


@pytest.mark.processes
def test_the_reconciler_waits_for_a_live_run_on_sqlite_and_leaves_it_alone(embedded):
    """On SQLite a run holds the write lock for the whole of its computing transaction; the
    reconciler's IMMEDIATE transaction waits for it, then finds the report computed."""
    embedded.shell("""
        import datetime
        from django.utils import timezone
        from targets.models import Report
        two_hours_ago = timezone.now() - datetime.timedelta(hours=2)
        Report.objects.create(year=2011, month=6, status="running", started_at=two_hours_ago)
    """)
    marker = embedded.var_dir / "reconciling"
    live_run = sqlite3.connect(embedded.var_dir / "investpro.sqlite3", isolation_level=None)
    try:
        live_run.execute("BEGIN IMMEDIATE")
        reconciler = start(
            [sys.executable, "manage.py", "shell", "-c", textwrap.dedent(f"""
                from pathlib import Path
                from targets.reporting import report_reconcile
                Path({str(marker)!r}).touch()
                print("requeued", [report.pk for report in report_reconcile()])
            """)],
            embedded.env, embedded.var_dir / "reconciler.log",
        )  # fmt: skip
        embedded.workers.append(reconciler)  # cleaned up with the workers
        wait_for(marker.exists, "the reconciler to begin")
        time.sleep(1)
        assert reconciler.poll() is None  # waiting for the live run's lock
        live_run.execute("UPDATE targets_report SET status = 'provisional' WHERE year = 2011 AND month = 6")
        live_run.execute("COMMIT")
    finally:
        live_run.close()

    assert reconciler.wait(30) == 0
    assert "requeued []" in (embedded.var_dir / "reconciler.log").read_text()
    assert embedded.report()["status"] == "provisional"
