"""Benchmark of the project list endpoint through a real WSGI server on loopback, against its floor:
the same page (count and rows) fetched by hand-written SQL and serialized with json.dumps."""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from accounts.tokens import token_issue

REQUESTS_PER_CASE = 200
PAGE_SIZE = 50
ROOT = Path(__file__).resolve().parent.parent

# The page as the API answers it, in one hand-written statement per part: the count, the rows with
# the same columns and codes, and the delivered totals of the page's projects.
FLOOR_COUNT = "SELECT count(*) FROM projects_project p WHERE {where}"
FLOOR_PAGE = """
SELECT p.id, p.name, p.investor, p.investor_kind, u.code, i.code, p.category, p.origin, p.returning_merchant,
       p.mountain_sea, p.channel, p.chamber_id, p.event_id, p.introduced_by_id, p.stage,
       p.total_investment::text, p.signed_amount::text, p.signed_on::text, p.started_on::text,
       p.producing_on::text, p.dropped_on::text, p.land_area_mu::text, p.parcel_id, p.confidential,
       p.owner_id, p.next_follow_up_on::text, p.notes, p.created_at::text, p.updated_at::text
FROM projects_project p
JOIN accounts_unit u ON u.id = p.unit_id
LEFT JOIN projects_industry i ON i.id = p.industry_id
WHERE {where}
ORDER BY {order}
LIMIT %(limit)s OFFSET %(offset)s
"""
FLOOR_TOTALS = """
SELECT project_id, sum(amount)::text FROM projects_capitaldelivery WHERE project_id = ANY(%(ids)s) GROUP BY 1
"""
FLOOR_KEYS = [
    "id", "name", "investor", "investor_kind", "unit", "industry", "category", "origin", "returning_merchant",
    "mountain_sea", "channel", "chamber", "event", "introduced_by", "stage", "total_investment", "signed_amount",
    "signed_on", "started_on", "producing_on", "dropped_on", "land_area_mu", "parcel", "confidential", "owner",
    "next_follow_up_on", "notes", "created_at", "updated_at",
]  # fmt: skip


@dataclass(frozen=True)
class Case:
    label: str
    query: dict
    where: str
    order: str
    pages: list[int]


@dataclass
class ApiResult:
    case: Case
    p50_ms: float
    p95_ms: float
    floor_p50_ms: float
    queries: int

    @property
    def ratio(self) -> float:
        return self.p50_ms / self.floor_p50_ms


def cases() -> list[Case]:
    unit = connection.cursor()
    unit.execute("SELECT id FROM accounts_unit WHERE code = 'bench-001'")
    unit_id = unit.fetchone()[0]
    filtered_where = (
        f"p.unit_id = {unit_id} AND p.stage = 'signed' AND p.signed_on BETWEEN '2025-01-01' AND '2025-12-31'"
    )
    filtered_total = _count(filtered_where)
    all_total = _count("TRUE")
    return [
        Case(
            "filtered: unit, stage, signed range, -signed_on",
            {
                "unit": "bench-001",
                "stage": "signed",
                "signed_from": "2025-01-01",
                "signed_to": "2025-12-31",
                "ordering": "-signed_on",
            },
            filtered_where,
            "p.signed_on DESC, p.id DESC",
            _spread_pages(filtered_total),
        ),  # fmt: skip
        Case("unfiltered, default order", {}, "TRUE", "p.updated_at DESC, p.id DESC", _spread_pages(all_total)),
    ]


def _count(where: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_COUNT.format(where=where))
        return cursor.fetchone()[0]


def _spread_pages(total: int) -> list[int]:
    """Pages from the first to the last, so deep pages weigh as much as the first ones."""
    last = max(1, -(-total // PAGE_SIZE))
    return [1 + (i * (last - 1)) // (REQUESTS_PER_CASE - 1) for i in range(REQUESTS_PER_CASE)]


def bench_api() -> list[ApiResult]:
    token = _bench_token()
    port = _free_port()
    server = _start_server(port)
    try:
        return [_bench_case(case, port, token) for case in cases()]
    finally:
        server.terminate()
        server.wait(timeout=10)


def _bench_case(case: Case, port: int, token: str) -> ApiResult:
    """Each page is fetched through the server, then by the floor, so that both see the machine in
    the same state (a shared machine's speed drifts over a run of hundreds of requests)."""
    times, floor = [], []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for page in case.pages:
        times.append(_api_page(conn, case, page, token))
        floor.append(_floor_page(case, page))
    conn.close()
    return ApiResult(
        case=case,
        p50_ms=statistics.median(times),
        p95_ms=statistics.quantiles(times, n=20)[-1],
        floor_p50_ms=statistics.median(floor),
        queries=_queries_per_request(case, token),
    )


def _api_page(conn: http.client.HTTPConnection, case: Case, page: int, token: str) -> float:
    query = "&".join(f"{k}={v}" for k, v in {**case.query, "page_size": PAGE_SIZE, "page": page}.items())
    started = time.perf_counter()
    conn.request("GET", f"/api/v1/projects/?{query}", headers={"Authorization": f"Token {token}"})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{case.label} page {page}: HTTP {response.status} {body[:200]!r}")
    return elapsed


def _floor_page(case: Case, page: int) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_COUNT.format(where=case.where))
        count = cursor.fetchone()[0]
        sql = FLOOR_PAGE.format(where=case.where, order=case.order)
        cursor.execute(sql, {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE})
        results = [dict(zip(FLOOR_KEYS, row, strict=True)) for row in cursor.fetchall()]
        cursor.execute(FLOOR_TOTALS, {"ids": [row["id"] for row in results]})
        totals = dict(cursor.fetchall())
        for row in results:
            row["delivered_total"] = totals.get(row["id"], "0.00")
    json.dumps({"count": count, "next": None, "previous": None, "results": results}, default=str)
    return (time.perf_counter() - started) * 1000


def _queries_per_request(case: Case, token: str) -> int:
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/projects/", {**case.query, "page_size": PAGE_SIZE, "page": case.pages[-1]})
    return len(queries)


def _bench_token() -> str:
    user, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": Role.LEADER})
    return token_issue(user=user)[1]  # a fresh token per run: only its hash is stored


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(port: int, *options: str) -> subprocess.Popen:
    env = {**os.environ, "THROTTLE_READ": "1000000/min", "THROTTLE_ANON": "1000000/min", "THROTTLE_EXPORT": "1000/min"}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "investpro.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning", *options],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the WSGI server did not start")
