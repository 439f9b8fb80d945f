"""The load test's table: requests per second, p50/p95/p99 and errors for each kind of request.

A request's Locust name reads "<kind>: <what>" (e.g. "api read: project list by unit"); a kind's
percentiles come from the merged response-time distributions of its requests (Locust's own
`StatsEntry.extend`), not from averaging their percentiles.
"""

from dataclasses import dataclass

from locust.stats import RequestStats, StatsEntry

GOAL_P95_MS = 500


@dataclass(frozen=True)
class Figures:
    label: str
    requests: int
    failures: int
    rps: float
    p50_ms: int
    p95_ms: int
    p99_ms: int
    max_ms: int


def kind_of(name: str) -> str:
    return name.split(":", 1)[0].strip() if ":" in name else name


def figures_by_kind(stats: RequestStats) -> list[Figures]:
    """One row per kind, by name, then the whole run."""
    seconds = _run_seconds(stats)
    merged: dict[str, StatsEntry] = {}
    for entry in _entries(stats):
        kind = kind_of(entry.name)
        if kind not in merged:
            merged[kind] = StatsEntry(stats, kind, "")
            merged[kind].start_time = entry.start_time
        merged[kind].extend(entry)
    rows = [_figures(kind, entry, seconds) for kind, entry in sorted(merged.items())]
    return [*rows, _figures("all", stats.total, seconds)]


def figures_by_request(stats: RequestStats) -> list[Figures]:
    seconds = _run_seconds(stats)
    return [_figures(f"{entry.method} {entry.name}", entry, seconds) for entry in _entries(stats)]


def goal_met(kinds: list[Figures]) -> bool:
    """The issue's goal: no error at all, and every kind's p95 within 500 ms."""
    return all(row.failures == 0 and row.p95_ms <= GOAL_P95_MS for row in kinds)


def markdown_table(rows: list[Figures], first_column: str) -> str:
    lines = [
        f"| {first_column} | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.label} | {row.requests:,} | {row.rps:.1f} | {row.p50_ms:,} | {row.p95_ms:,} | "
            f"{row.p99_ms:,} | {row.max_ms:,} | {row.failures:,} |"
        )
    return "\n".join(lines)


def errors_table(stats: RequestStats) -> str:
    errors = sorted(stats.errors.values(), key=lambda error: -error.occurrences)
    if not errors:
        return "No errors."
    lines = ["| request | error | count |", "|---|---|---:|"]
    for error in errors:
        lines.append(f"| {error.method} {error.name} | {str(error.error)[:160]} | {error.occurrences:,} |")
    return "\n".join(lines)


def report(stats: RequestStats) -> str:
    """The whole summary as Markdown: kinds, requests, errors and whether the goal was met."""
    kinds = figures_by_kind(stats)
    verdict = "met" if goal_met(kinds[:-1]) else "missed"
    return "\n\n".join(
        [
            markdown_table(kinds, "kind"),
            f"Goal (0 errors, p95 ≤ {GOAL_P95_MS} ms for every kind): {verdict}.",
            markdown_table(figures_by_request(stats), "request"),
            errors_table(stats),
        ]
    )


def _entries(stats: RequestStats) -> list[StatsEntry]:
    return [entry for entry in stats.entries.values() if entry.num_requests or entry.num_failures]


def _run_seconds(stats: RequestStats) -> float:
    total = stats.total
    if not total.last_request_timestamp:
        return 0.0
    return max(total.last_request_timestamp - total.start_time, 1e-9)


def _figures(label: str, entry: StatsEntry, seconds: float) -> Figures:
    return Figures(
        label=label,
        requests=entry.num_requests,
        failures=entry.num_failures,
        rps=entry.num_requests / seconds if seconds else 0.0,
        p50_ms=int(entry.get_response_time_percentile(0.50) or 0),
        p95_ms=int(entry.get_response_time_percentile(0.95) or 0),
        p99_ms=int(entry.get_response_time_percentile(0.99) or 0),
        max_ms=int(entry.max_response_time or 0),
    )
