"""Benchmark of the project list page (项目库, /projects/) through a real WSGI server on loopback,
beside the API's own list on the same filter in the same run.

Each page number is fetched from the page and from the API in turn, so that both see the machine
in the same state. The page does more than the API's list: it also renders the filter form (its
selects of units, industries, chambers and events) and adds the totals of the whole filtered set
(count, 协议引资额 and 到位资金 in SQL). Goal: its p50 within 1.5× the API's.
"""

import http.client
import statistics
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from bench.api import Case, _api_page, _bench_token, _free_port, _start_server, cases

GOAL = 1.5


@dataclass
class PageResult:
    case: Case
    page_p50_ms: float
    page_p95_ms: float
    api_p50_ms: float
    queries: int

    @property
    def ratio(self) -> float:
        return self.page_p50_ms / self.api_p50_ms


def bench_pages(*, filtered_only: bool = True) -> list[PageResult]:
    """The list page on the API benchmark's filter (and, unless `filtered_only`, unfiltered)."""
    token = _bench_token()
    cookie = _bench_session()
    port = _free_port()
    server = _start_server(port)
    selected = cases()[:1] if filtered_only else cases()
    try:
        return [_bench_case(case, port, token, cookie) for case in selected]
    finally:
        server.terminate()
        server.wait(timeout=10)


def _bench_case(case: Case, port: int, token: str, cookie: str) -> PageResult:
    pages, api = [], []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for number in case.pages:
        pages.append(_list_page(conn, case, number, cookie))
        api.append(_api_page(conn, case, number, token))
    conn.close()
    return PageResult(
        case=case,
        page_p50_ms=statistics.median(pages),
        page_p95_ms=statistics.quantiles(pages, n=20)[-1],
        api_p50_ms=statistics.median(api),
        queries=_queries_per_page(case),
    )


def _list_page(conn: http.client.HTTPConnection, case: Case, number: int, cookie: str) -> float:
    query = "&".join(f"{k}={v}" for k, v in {**case.query, "page": number}.items())
    started = time.perf_counter()
    conn.request("GET", f"/projects/?{query}", headers={"Cookie": cookie, "Accept-Language": "zh-hans"})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200 or b'id="project-list"' not in body:
        raise RuntimeError(f"project list page {number}: HTTP {response.status} {body[:200]!r}")
    if "共 ".encode() not in body:
        raise RuntimeError(f"project list page {number}: no totals (a filter error?)")
    return elapsed


def _bench_user() -> User:
    """The API benchmark's leader: reads every project, as its token does."""
    user, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": Role.LEADER})
    return user


def _bench_session() -> str:
    """A signed-in session for the leader, made by Django's test client in the session store the
    server reads (the same settings), sent as a cookie."""
    client = Client()
    client.force_login(_bench_user())
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _queries_per_page(case: Case) -> int:
    client = Client()
    client.force_login(_bench_user())
    with CaptureQueriesContext(connection) as queries:
        client.get("/projects/", {**case.query, "page": case.pages[-1]})
    return len(queries)
