"""Two imports of overlapping files confirmed at the same moment, on PostgreSQL: the second waits for
the first (both lock the units first), then reads what it wrote; no project is created twice."""

import threading

import pytest
from django.db import connection

from ledgers import services
from projects.models import Project
from tests.factories import UnitFactory, UserFactory

from .conftest import xlsx

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADERS = ["项目名称", "责任单位", "阶段", "总投资（万元）"]


def test_overlapping_imports_at_once_duplicate_nothing():
    unit = UnitFactory(code="kecheng", name="柯城区")
    users = [UserFactory(role="staff", unit=unit) for _ in range(2)]
    files = [
        xlsx(HEADERS, [["共同项目", "柯城区", "线索", "100"], ["甲独有", "柯城区", "线索", "100"]]),
        xlsx(HEADERS, [["共同项目", "柯城区", "线索", "100"], ["乙独有", "柯城区", "线索", "100"]]),
    ]
    jobs = []
    for user, content in zip(users, files, strict=True):
        job = services.job_create(user=user, kind="projects", filename="台账.xlsx", content=content, unit=None)
        services.job_check(job_id=job.pk)
        jobs.append(services.job_request_confirm(job=job, user=user))
    start = threading.Barrier(2)
    failures = []

    def confirm(job_id: int) -> None:
        try:
            start.wait()
            services.job_confirm(job_id=job_id)
        except Exception as error:  # noqa: BLE001 (reported below)
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(job.pk,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(Project.objects.values_list("name", flat=True)) == ["乙独有", "共同项目", "甲独有"]
    for job in jobs:
        job.refresh_from_db()
        assert job.status == "done"
