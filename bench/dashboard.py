"""Benchmark of the leaders' dashboard (/dashboard/?year=2026&month=10) through gunicorn on loopback,
on the dataset of the run and on a 1,000-project one (`tiny`, its own database), the same 100 units
and ten indicators in both.

The page reads the month's stored report rows (one query, 1,010 rows at both sizes) and the city's
rows of the year's earlier reports; it never recomputes a figure, and renders its tables once per
report computation (then kept in the cache). The first view after a computation ("first view") is
timed on its own; the p50 is of the views after it. Goal: the p50 at 1,000,000 projects within 1.2×
the p50 at 1,000.

The one read over projects is the capital section the page fetches after it over htmx
(/dashboard/capital/: the year's signed and delivered capital by origin and industry, two grouped
aggregates, kept per report computation): its first and later fetches are timed as well.
"""

import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.api import _free_port, _start_server
from bench.dataset import Scale
from bench.pages import _bench_session, _bench_user
from bench.report import REPORT_MONTH, REPORT_YEAR
from targets.dashboard import breakdown_cache_key
from targets.models import Report
from targets.reporting import report_compute_month
from targets.views import body_cache_key

GOAL = 1.2
REQUESTS = 30
TINY = Scale("tiny", 1_000)
TINY_DATABASE = "investpro_bench_tiny"
PATH = f"/dashboard/?year={REPORT_YEAR}&month={REPORT_MONTH}"
CAPITAL_PATH = f"/dashboard/capital/?year={REPORT_YEAR}&month={REPORT_MONTH}"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class DashboardResult:
    scale: str
    projects: int
    cold_ms: float
    p50_ms: float
    p95_ms: float
    queries: int
    rows: int
    capital_cold_ms: float
    capital_p50_ms: float


def dashboard_report_ready() -> None:
    """The month the page shows: computed once if the run has not computed it already."""
    if not Report.objects.filter(year=REPORT_YEAR, month=REPORT_MONTH).exists():
        report_compute_month(year=REPORT_YEAR, month=REPORT_MONTH)


def bench_dashboard(scale: str) -> DashboardResult:
    dashboard_report_ready()
    report = Report.objects.get(year=REPORT_YEAR, month=REPORT_MONTH)
    # Cold first views, as the first leader after a computation has them.
    cache.delete(breakdown_cache_key(report))
    cache.delete(body_cache_key(report, own_unit_id=None))
    cookie = _bench_session()
    port = _free_port()
    server = _start_server(port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        cold = _view(conn, cookie)
        times = [_view(conn, cookie) for _ in range(REQUESTS)]
        capital_cold = _view(conn, cookie, CAPITAL_PATH, b"capital-data")
        capital = [_view(conn, cookie, CAPITAL_PATH, b"capital-data") for _ in range(REQUESTS)]
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM projects_project")
        projects = cursor.fetchone()[0]
    return DashboardResult(
        scale=scale,
        projects=projects,
        cold_ms=cold,
        p50_ms=statistics.median(times),
        p95_ms=statistics.quantiles(times, n=20)[-1],
        queries=_queries_per_page(report),
        rows=report.rows.count(),
        capital_cold_ms=capital_cold,
        capital_p50_ms=statistics.median(capital),
    )


def _view(conn: http.client.HTTPConnection, cookie: str, path: str = PATH, mark: bytes = b"dashboard-data") -> float:
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "zh-hans"})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200 or mark not in body:
        raise RuntimeError(f"{path}: HTTP {response.status} {body[:200]!r}")
    return elapsed


def _queries_per_page(report: Report) -> int:
    """Queries of a first view (the tables not rendered yet): the most the page makes."""
    cache.delete(body_cache_key(report, own_unit_id=None))
    client = Client()
    client.force_login(_bench_user())
    with CaptureQueriesContext(connection) as queries:
        client.get(PATH)
    return len(queries)


def bench_dashboard_tiny() -> DashboardResult:
    """The same page on the 1,000-project dataset, in its own database (built there on first use),
    by a child process of the benchmark: Django holds one database per process."""
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{TINY_DATABASE}"
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", TINY.name, "--dashboard-only"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if completed.returncode != 0:
        raise RuntimeError(f"dashboard on {TINY_DATABASE}: {completed.stderr[-2000:]}")
    return DashboardResult(**json.loads(completed.stdout.strip().splitlines()[-1]))


def dashboard_json(result: DashboardResult) -> str:
    return json.dumps(asdict(result))


def print_dashboard(results: list[DashboardResult]) -> None:
    print(
        f"\n| GET {PATH} (stored rows of 100 units × 10 indicators, charts' data) | projects | first view ms "
        f"| p50 ms | p95 ms | queries (first view) | capital section: first ms | capital p50 ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for result in results:
        print(
            f"| {result.scale} ({REQUESTS} requests after the first) | {result.projects:,} | {result.cold_ms:.1f} "
            f"| {result.p50_ms:.1f} | {result.p95_ms:.1f} | {result.queries} | {result.capital_cold_ms:.1f} "
            f"| {result.capital_p50_ms:.1f} |"
        )
    if len(results) == 2:
        ratio = results[0].p50_ms / results[1].p50_ms
        big, small = results
        print(f"\np50 at {big.projects:,} projects / p50 at {small.projects:,}: {ratio:.2f} (goal ≤ {GOAL})")
