"""The load test's tables: requests per second, p50/p95/p99 and errors for each kind of request.

A request's name reads "<kind>: <what>" (e.g. "api read: project list by unit"). Every response is
kept as a sample (when it ended, how long it took, its error), so percentiles are exact and can be
taken over any part of the run: the whole run, and the steady state after the last user has signed
in (the ramp-up's password hashing otherwise queues every other request behind it).

Plain Python: Locust's own statistics (its CSV files) are written beside, per request name.
"""

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

GOAL_P95_MS = 500
SIGN_IN_KIND = "sign-in"


@dataclass(frozen=True)
class Sample:
    name: str
    ended_at: float  # seconds since the epoch
    ms: float
    error: str | None = None


@dataclass(frozen=True)
class Figures:
    label: str
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def kind_of(name: str) -> str:
    return name.split(":", 1)[0].strip() if ":" in name else name


def percentile(sorted_ms: list[float], fraction: float) -> float:
    """Nearest rank: the smallest time that `fraction` of the requests took at most."""
    if not sorted_ms:
        return 0.0
    return sorted_ms[max(math.ceil(fraction * len(sorted_ms)), 1) - 1]


def figures(label: str, samples: list[Sample], seconds: float) -> Figures:
    times = sorted(sample.ms for sample in samples)
    return Figures(
        label=label,
        requests=len(samples),
        errors=sum(1 for sample in samples if sample.error),
        rps=len(samples) / seconds if seconds > 0 else 0.0,
        p50_ms=percentile(times, 0.50),
        p95_ms=percentile(times, 0.95),
        p99_ms=percentile(times, 0.99),
        max_ms=times[-1] if times else 0.0,
    )


def figures_by(samples: list[Sample], seconds: float, key: Callable[[str], str] = kind_of) -> list[Figures]:
    """One row per kind (or per name, with key=str), sorted, then the whole set as "all"."""
    groups: dict[str, list[Sample]] = {}
    for sample in samples:
        groups.setdefault(key(sample.name), []).append(sample)
    rows = [figures(label, group, seconds) for label, group in sorted(groups.items())]
    return [*rows, figures("all", samples, seconds)]


def steady_state(samples: list[Sample], run_ended: float) -> tuple[list[Sample], float]:
    """The samples that ended after the last sign-in, and how many seconds that part lasted."""
    sign_ins = [sample.ended_at for sample in samples if kind_of(sample.name) == SIGN_IN_KIND]
    if not sign_ins:
        return samples, 0.0
    since = max(sign_ins)
    return [sample for sample in samples if sample.ended_at > since], run_ended - since


def goal_met(rows: Iterable[Figures]) -> bool:
    """The issue's goal: no error at all, and a p95 within 500 ms for every kind."""
    return all(row.errors == 0 and row.p95_ms <= GOAL_P95_MS for row in rows)


def markdown_table(rows: list[Figures], first_column: str) -> str:
    lines = [
        f"| {first_column} | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.label} | {row.requests:,} | {row.rps:.1f} | {row.p50_ms:,.0f} | {row.p95_ms:,.0f} | "
            f"{row.p99_ms:,.0f} | {row.max_ms:,.0f} | {row.errors:,} |"
        )
    return "\n".join(lines)


def errors_table(samples: list[Sample]) -> str:
    counts = Counter((sample.name, sample.error[:160]) for sample in samples if sample.error)
    if not counts:
        return "No errors."
    lines = ["| request | error | count |", "|---|---|---:|"]
    lines += [f"| {name} | {error} | {count:,} |" for (name, error), count in counts.most_common()]
    return "\n".join(lines)


def report(samples: list[Sample], *, run_started: float, run_ended: float) -> str:
    """The whole summary as Markdown: per kind over the run and in the steady state, per request, errors."""
    seconds = run_ended - run_started
    kinds = figures_by(samples, seconds)
    steady, steady_seconds = steady_state(samples, run_ended)
    steady_kinds = figures_by(steady, steady_seconds)
    return "\n\n".join(
        [
            f"Whole run ({seconds:.0f} s, sign-ins included):",
            markdown_table(kinds, "kind"),
            f"After the last sign-in ({steady_seconds:.0f} s):",
            markdown_table(steady_kinds, "kind"),
            f"Goal (0 errors, p95 ≤ {GOAL_P95_MS} ms for every kind): whole run {_verdict(kinds)}, "
            f"after the last sign-in {_verdict(steady_kinds)}.",
            "Per request, whole run:",
            markdown_table(figures_by(samples, seconds, key=str)[:-1], "request"),
            errors_table(samples),
        ]
    )


def _verdict(rows: list[Figures]) -> str:
    return "met" if goal_met(rows[:-1]) else "missed"
