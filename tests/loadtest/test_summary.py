"""The load test's table per kind (loadtest/summary.py) and the periods its users ask for."""

import datetime as dt
import os

import pytest

# Locust patches the standard library with gevent when imported, unless told not to; the suite's
# process must stay unpatched.
os.environ.setdefault("LOCUST_SKIP_MONKEY_PATCH", "1")

from locust.stats import RequestStats  # noqa: E402

from loadtest.periods import month_before, quarter_before  # noqa: E402
from loadtest.summary import figures_by_kind, goal_met, kind_of, report  # noqa: E402


def _stats(samples: dict[str, list[int]], failures: dict[str, int] | None = None) -> RequestStats:
    stats = RequestStats()
    for name, times in samples.items():
        for ms in times:
            stats.log_request("GET", name, ms, 100)
    for name, count in (failures or {}).items():
        for _ in range(count):
            stats.log_error("GET", name, "500 (expected 200)")
    stats.total.start_time -= 10  # a ten-second run
    stats.total.last_request_timestamp = stats.total.start_time + 10
    return stats


def test_kind_is_the_part_before_the_colon():
    assert kind_of("api read: project detail") == "api read"
    assert kind_of("GET /") == "GET /"


def test_a_kind_merges_the_distributions_of_its_requests():
    stats = _stats({"api read: fast": [10] * 90, "api read: slow": [1000] * 10, "export: csv": [200] * 20})

    kinds = {row.label: row for row in figures_by_kind(stats)}

    api = kinds["api read"]
    assert (api.requests, api.p50_ms, api.p95_ms, api.p99_ms, api.max_ms) == (100, 10, 1000, 1000, 1000)
    assert api.rps == pytest.approx(10.0)
    assert kinds["export"].p95_ms == 200
    assert kinds["all"].requests == 120
    assert kinds["all"].rps == pytest.approx(12.0)
    assert not goal_met([api])
    assert goal_met([kinds["export"]])


def test_errors_miss_the_goal_and_are_listed():
    stats = _stats({"export: csv": [50] * 10}, failures={"export: csv": 2})

    kinds = figures_by_kind(stats)

    assert kinds[0].failures == 2
    assert not goal_met(kinds[:-1])
    text = report(stats)
    assert "| export | 10 | 1.0 | 50 | 50 | 50 | 50 | 2 |" in text
    assert "missed" in text
    assert "500 (expected 200)" in text


@pytest.mark.parametrize(
    ("today", "back", "period"),
    [
        (dt.date(2026, 12, 3), 1, (dt.date(2026, 7, 1), dt.date(2026, 9, 30))),
        (dt.date(2026, 12, 3), 4, (dt.date(2025, 10, 1), dt.date(2025, 12, 31))),
        (dt.date(2026, 2, 28), 1, (dt.date(2025, 10, 1), dt.date(2025, 12, 31))),
    ],
)
def test_quarter_before(today, back, period):
    assert quarter_before(today, back) == period


def test_month_before():
    assert month_before(dt.date(2026, 3, 31), 1) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert month_before(dt.date(2026, 1, 15), 1) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
