"""A real Celery worker (PostgreSQL and Redis) killed while it writes an import: nothing of the file
is written, the job stays "confirming", and once sent again (the reconciler) a new worker writes the
whole file once."""

import datetime
import os
import signal
import uuid

import psycopg2
import pytest
from django.db import connection

from ledgers import services, tasks
from ledgers.importing import BATCH_SIZE
from ledgers.models import ImportJob
from projects.models import Project
from tests.factories import ProjectFactory, UnitFactory, UserFactory
from tests.targets.test_report_concurrency import TIMEOUT, _forget_queue, _start_worker, _stop, _wait_for

from .conftest import xlsx

HEADERS = ["项目编号", "项目名称", "责任单位", "阶段", "总投资（万元）"]


def _blocked_on_the_project() -> bool:
    """The worker's transaction has written the first batch and waits to lock the second's project
    (pg_stat_activity keeps a query's first 1 kB only: the FOR UPDATE at its end is cut off)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()
                 AND wait_event_type = 'Lock' AND query LIKE 'SELECT%%"projects_project"%%'"""
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_import_writes_nothing_and_the_rerun_writes_it_once(monkeypatch, tmp_path):
    unit = UnitFactory(code="kecheng", name="柯城区")
    user = UserFactory(role="staff", unit=unit)
    locked = ProjectFactory(unit=unit, reference="KC-LOCKED", name="已有项目")
    rows = [["", f"新项目{i}", "柯城区", "线索", "100"] for i in range(BATCH_SIZE + 10)]
    rows.append(["KC-LOCKED", "已有项目", "柯城区", "洽谈", "100"])  # in the second batch
    job = services.job_create(user=user, kind="projects", filename="台账.xlsx", content=xlsx(HEADERS, rows), unit=None)
    services.job_check(job_id=job.pk)
    job = services.job_request_confirm(job=job, user=user)

    queue = f"test-imports-{uuid.uuid4().hex[:12]}"
    task = tasks.confirm_import._get_current_object()
    monkeypatch.setattr(task, "delay", lambda job_id: task.apply_async((job_id,), queue=queue))
    db = connection.settings_dict
    locker = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"] or "127.0.0.1", port=db["PORT"]
    )
    workers = []
    try:
        with locker.cursor() as cursor:
            cursor.execute("SELECT id FROM projects_project WHERE id = %s FOR UPDATE", [locked.pk])
        workers.append(_start_worker(queue, tmp_path / "worker-1.log"))
        task.delay(job.pk)
        _wait_for(_blocked_on_the_project, "the worker to write the first batch and wait on the second")
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(TIMEOUT)
        locker.rollback()
        assert Project.objects.count() == 1  # the first batch's thousand rows were never committed
        assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.CONFIRMING

        workers.append(_start_worker(queue, tmp_path / "worker-2.log"))
        for lost in ImportJob.objects.filter(pk__in=services.jobs_lost(older_than=datetime.timedelta(0))):
            task.delay(lost.pk)
        _wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE, "the rerun to finish")
    except AssertionError:
        for log in sorted(tmp_path.glob("worker-*.log")):
            print(log.name, log.read_text(errors="replace")[-5000:])
        raise
    finally:
        locker.close()
        for worker in workers:
            _stop(worker)
        _forget_queue(queue)
    assert Project.objects.count() == BATCH_SIZE + 11
    assert Project.objects.values("name").distinct().count() == BATCH_SIZE + 11
    locked.refresh_from_db()
    assert locked.stage == "negotiating"
