"""The load test's tables (loadtest/summary.py) and the periods its users ask for (loadtest/periods.py)."""

import datetime as dt

import pytest

from loadtest.periods import month_before, quarter_before
from loadtest.summary import Sample, figures_by, goal_met, kind_of, percentile, report, steady_state

START = 1_000_000.0


def _samples(name: str, ms: float, count: int, *, at: float = START + 5, error: str | None = None) -> list[Sample]:
    return [Sample(name, at, ms, error) for _ in range(count)]


def test_kind_is_the_part_before_the_colon():
    assert kind_of("api read: project detail") == "api read"
    assert kind_of("GET /") == "GET /"


def test_percentile_is_the_nearest_rank():
    times = [float(ms) for ms in range(1, 101)]
    assert (percentile(times, 0.5), percentile(times, 0.95), percentile(times, 0.99)) == (50, 95, 99)
    assert percentile([7.0], 0.99) == 7
    assert percentile([], 0.5) == 0


def test_a_kind_merges_its_requests_and_the_run_adds_up():
    samples = [
        *_samples("api read: fast", 10, 90),
        *_samples("api read: slow", 1000, 10),
        *_samples("export: csv", 200, 20),
    ]

    rows = {row.label: row for row in figures_by(samples, seconds=10)}

    api = rows["api read"]
    assert (api.requests, api.p50_ms, api.p95_ms, api.p99_ms, api.max_ms) == (100, 10, 1000, 1000, 1000)
    assert api.rps == pytest.approx(10.0)
    assert (rows["all"].requests, rows["all"].rps) == (120, pytest.approx(12.0))
    assert not goal_met([api])
    assert goal_met([rows["export"]])


def test_the_steady_state_starts_after_the_last_sign_in():
    samples = [
        *_samples("api read: list", 3000, 5, at=START + 2),  # queued behind the sign-ins
        *_samples("sign-in: session", 2000, 2, at=START + 4),
        *_samples("api read: list", 50, 20, at=START + 9),
    ]

    steady, seconds = steady_state(samples, run_ended=START + 14)

    assert seconds == 10
    assert {sample.ms for sample in steady} == {50}
    assert len(steady) == 20


def test_errors_miss_the_goal_and_are_listed():
    samples = [*_samples("export: csv", 50, 8), *_samples("export: csv", 50, 2, error="500 (expected 200)")]

    text = report(samples, run_started=START, run_ended=START + 10)

    assert "| export | 10 | 1.0 | 50 | 50 | 50 | 50 | 2 |" in text
    assert "whole run missed" in text
    assert "| export: csv | 500 (expected 200) | 2 |" in text


def test_a_clean_fast_run_meets_the_goal():
    samples = [*_samples("sign-in: session", 400, 3, at=START + 1), *_samples("api read: list", 80, 50)]

    text = report(samples, run_started=START, run_ended=START + 10)

    assert "whole run met, after the last sign-in met" in text
    assert "No errors." in text


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
