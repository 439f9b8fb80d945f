"""Benchmark of what REST clients at scale do (issue 11), through the same WSGI server as bench/api.py:

- cursor pages at positions 1, 10,000 and 990,000 of the (updated_at, id) order, against a
  hand-written keyset statement, and the page-number page at the deepest position beside them;
- a full pull three ways: cursor pages of 200, the ndjson export, and the floor, `COPY (SELECT …)
  TO STDOUT` of the same columns read by psycopg2;
- an incremental pull after 1,000 random updates: `updated_since` reads only those rows.

The last one writes: it stamps 1,000 projects as changed now (their values are kept).
"""

import http.client
import io
import json
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.db import connection
from django.utils import timezone

from bench.api import FLOOR_KEYS, FLOOR_PAGE, FLOOR_TOTALS, _bench_token, _free_port, _start_server
from core.pagination import cursor_scope, cursor_token

PROJECTS = "/api/v1/projects/"
PAGE_SIZE = 50
PULL_PAGE_SIZE = 200
REQUESTS_PER_POSITION = 40
POSITIONS = (1, 10_000, 990_000)
CHANGED = 1_000


@dataclass
class PageResult:
    label: str
    p50_ms: float
    floor_p50_ms: float

    @property
    def ratio(self) -> float:
        return self.p50_ms / self.floor_p50_ms


@dataclass
class PullResult:
    label: str
    seconds: float
    rows: int
    floor_seconds: float

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor_seconds


def bench_sync() -> tuple[list[PageResult], list[PullResult]]:
    token = _bench_token()
    port = _free_port()
    # Threads as in production (deploy/): a sync worker is killed after 30 s, a whole export with it.
    server = _start_server(port, "--threads", "4")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    try:
        pages = [_cursor_position(conn, token, position) for position in POSITIONS]
        pages.append(_number_position(conn, token, POSITIONS[-1]))
        copy_seconds, total = _copy_floor()
        pulls = [
            PullResult("cursor pages of 200 (gunicorn)", _cursor_pull(conn, token, total), total, copy_seconds),
            PullResult("ndjson export, one request", _ndjson_pull(conn, token, total), total, copy_seconds),
            PullResult("floor: COPY (SELECT …) TO STDOUT, psycopg2", copy_seconds, total, copy_seconds),
        ]
        pulls.append(_changes_pull(conn, token))
        return pages, pulls
    finally:
        conn.close()
        server.terminate()
        server.wait(timeout=10)


def _get(conn: http.client.HTTPConnection, token: str, url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    try:
        conn.request("GET", url, headers={"Authorization": f"Token {token}"})
        response = conn.getresponse()
    except (http.client.RemoteDisconnected, ConnectionResetError):
        # gunicorn's threaded workers close a keep-alive connection idle for 2 s (the floor's set-up).
        conn.close()
        started = time.perf_counter()
        conn.request("GET", url, headers={"Authorization": f"Token {token}"})
        response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{url}: HTTP {response.status} {body[:200]!r}")
    return elapsed, body


def _key_at(position: int) -> list | None:
    """The (updated_at, id) of the row just before `position` (1-based), as a cursor holds it."""
    if position <= 1:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT updated_at, id FROM projects_project ORDER BY updated_at, id LIMIT 1 OFFSET %s", [position - 2]
        )
        updated_at, project_id = cursor.fetchone()
    return [updated_at.isoformat(), project_id]


def _cursor_position(conn, token: str, position: int) -> PageResult:
    key = _key_at(position)
    params = {"page_size": PAGE_SIZE}
    cursor = cursor_token(key, scope=cursor_scope(PROJECTS, [(k, [str(v)]) for k, v in params.items()]))
    url = f"{PROJECTS}?{urlencode({**params, 'cursor': cursor})}"
    times, floor = [], []
    for _ in range(REQUESTS_PER_POSITION):
        elapsed, _body = _get(conn, token, url)
        times.append(elapsed)
        floor.append(_keyset_floor(key))
    return PageResult(f"cursor page at position {position:,}", statistics.median(times), statistics.median(floor))


def _keyset_floor(key: list | None) -> float:
    """The page by hand-written keyset SQL, its delivered totals, and json.dumps."""
    started = time.perf_counter()
    # The keys from the index alone, then the rows: with the joins, a planner that expects one row
    # after the position (a million share one updated_at) would sort them all.
    where, params = "TRUE", {}
    if key is not None:
        where = (
            "p.id IN (SELECT id FROM projects_project WHERE (updated_at, id) > (%(at)s, %(id)s) "
            f"ORDER BY updated_at, id LIMIT {PAGE_SIZE})"
        )
        params = {"at": key[0], "id": key[1]}
    with connection.cursor() as cursor:
        sql = FLOOR_PAGE.format(where=where, order="p.updated_at, p.id")
        cursor.execute(sql, {**params, "limit": PAGE_SIZE, "offset": 0})
        results = [dict(zip(FLOOR_KEYS, row, strict=True)) for row in cursor.fetchall()]
        cursor.execute(FLOOR_TOTALS, {"ids": [row["id"] for row in results]})
        totals = dict(cursor.fetchall())
        for row in results:
            row["delivered_total"] = totals.get(row["id"], "0.00")
    json.dumps({"next": None, "previous": None, "results": results}, default=str)
    return (time.perf_counter() - started) * 1000


def _number_position(conn, token: str, position: int) -> PageResult:
    """The same depth by page number (default order): OFFSET and a count, for comparison."""
    page = position // PAGE_SIZE + 1
    url = f"{PROJECTS}?{urlencode({'page_size': PAGE_SIZE, 'page': page})}"
    times = [_get(conn, token, url)[0] for _ in range(max(5, REQUESTS_PER_POSITION // 4))]
    floor = statistics.median(_keyset_floor(_key_at(position)) for _ in range(5))
    return PageResult(f"page number at position {position:,} (page {page:,})", statistics.median(times), floor)


def _cursor_pull(conn, token: str, total: int) -> float:
    started = time.perf_counter()
    url, rows = f"{PROJECTS}?{urlencode({'cursor': '', 'page_size': PULL_PAGE_SIZE})}", 0
    while url:
        _elapsed, body = _get(conn, token, url)
        page = json.loads(body)
        rows += len(page["results"])
        url = page["next"] and _path(page["next"])
    _check(rows, total, "cursor pull")
    return time.perf_counter() - started


def _ndjson_pull(conn, token: str, total: int) -> float:
    started = time.perf_counter()
    conn.close()  # a fresh connection: the last one may have been closed while idle
    conn.request("GET", f"{PROJECTS}export/?format=ndjson", headers={"Authorization": f"Token {token}"})
    response = conn.getresponse()
    rows = 0
    while chunk := response.read(1 << 20):
        rows += chunk.count(b"\n")
    if response.status != 200:
        raise RuntimeError(f"ndjson export: HTTP {response.status}")
    _check(rows, total, "ndjson pull")
    return time.perf_counter() - started


def _copy_floor() -> tuple[float, int]:
    """The same columns and codes, with delivered totals, written by PostgreSQL's COPY and read whole."""
    select = FLOOR_PAGE.split("WHERE")[0].replace(
        "p.updated_at::text\n", "p.updated_at::text, COALESCE(d.total, 0)::text\n"
    )
    select += (
        "LEFT JOIN (SELECT project_id, sum(amount) AS total FROM projects_capitaldelivery GROUP BY 1) d "
        "ON d.project_id = p.id"
    )
    sink = _CountingSink()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY ({select}) TO STDOUT", sink)
    return time.perf_counter() - started, sink.lines


def _changes_pull(conn, token: str) -> PullResult:
    """1,000 random projects stamped as changed, then pulled by `updated_since` in cursor pages."""
    since = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE projects_project SET updated_at = now() WHERE id IN "
            "(SELECT id FROM projects_project TABLESAMPLE SYSTEM (1) ORDER BY random() LIMIT %s)",
            [CHANGED],
        )
    started = time.perf_counter()
    url, rows = f"{PROJECTS}?{urlencode({'updated_since': since.isoformat(), 'page_size': PULL_PAGE_SIZE})}", 0
    while url:
        _elapsed, body = _get(conn, token, url)
        page = json.loads(body)
        rows += len(page["results"])
        url = page["next"] and _path(page["next"])
    seconds = time.perf_counter() - started
    _check(rows, CHANGED, "changes since")
    per_row_floor = _copy_floor_of_changes(since)
    return PullResult(
        f"changes after {CHANGED:,} random updates (updated_since, pages of 200)", seconds, rows, per_row_floor
    )


def _copy_floor_of_changes(since) -> float:
    sink = _CountingSink()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        sql = cursor.mogrify(
            "COPY (SELECT * FROM projects_project WHERE updated_at >= %s ORDER BY updated_at, id) TO STDOUT", [since]
        )
        cursor.cursor.copy_expert(sql.decode(), sink)
    return time.perf_counter() - started


class _CountingSink(io.RawIOBase):
    def __init__(self):
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.lines += bytes(data).count(b"\n")
        return len(data)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _check(rows: int, expected: int, label: str) -> None:
    if rows != expected:
        raise RuntimeError(f"{label}: {rows:,} rows, expected {expected:,}")
