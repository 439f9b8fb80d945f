"""Benchmark of the monthly report job against its floor: the least SQL that reads the same facts."""

import statistics
import time
import tracemalloc
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext

from targets.models import Report
from targets.reporting import Periods, report_compute_month

REPORT_YEAR, REPORT_MONTH = 2026, 10
RUNS = 3

# One pass over the deliveries and one over the projects, grouped by unit and month, over the same
# date ranges the report reads (last year's months through the report month).
FLOOR_DELIVERIES = """
SELECT p.unit_id, date_trunc('month', d.delivered_on) AS month, sum(d.amount)
FROM projects_capitaldelivery d JOIN projects_project p ON p.id = d.project_id
WHERE d.delivered_on BETWEEN %(start)s AND %(end)s
GROUP BY 1, 2
"""
FLOOR_PROJECTS = """
SELECT unit_id, date_trunc('month', signed_on) AS month, sum(signed_amount), count(*)
FROM projects_project
WHERE stage <> 'dropped' AND signed_on <= %(end)s
GROUP BY 1, 2
"""


@dataclass
class ReportBench:
    job_seconds: float
    floor_seconds: float
    queries: int
    rows: int
    peak_python_mib: float

    @property
    def ratio(self) -> float:
        return self.job_seconds / self.floor_seconds


def bench_report() -> ReportBench:
    Report.objects.filter(year=REPORT_YEAR, month=REPORT_MONTH).delete()
    _compute()  # warm the caches the way a nightly run finds them
    job = [_timed(_compute) for _ in range(RUNS)]
    floor = [_timed(_floor) for _ in range(RUNS)]
    with CaptureQueriesContext(connection) as queries:
        _compute()
    tracemalloc.start()
    _compute()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report = Report.objects.get(year=REPORT_YEAR, month=REPORT_MONTH)
    return ReportBench(
        job_seconds=statistics.median(job),
        floor_seconds=statistics.median(floor),
        queries=len(queries),
        rows=report.rows.count(),
        peak_python_mib=peak / 2**20,
    )


def _compute() -> None:
    report_compute_month(year=REPORT_YEAR, month=REPORT_MONTH)


def _floor() -> None:
    periods = Periods.of(REPORT_YEAR, REPORT_MONTH)
    params = {"start": periods.last_year_start, "end": periods.month_end}
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_DELIVERIES, params)
        cursor.fetchall()
        cursor.execute(FLOOR_PROJECTS, params)
        cursor.fetchall()


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
