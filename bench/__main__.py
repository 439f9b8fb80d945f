"""`make bench`: build (once) the benchmark dataset in PostgreSQL and print the benchmark table.

DATABASE_URL=postgres://…/investpro_bench_<name> python -m bench [--scale small|full|tiny] [--dashboard-only]

The database is emptied and refilled: any database whose name does not start with `investpro_bench_`
is refused before a connection is opened. It is created if missing, and migrated.
"""

import argparse
import os
import sys
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", choices=["small", "full", "tiny"], default="full")
    # The dashboard's page alone, its result as one JSON line: how the run measures the page on the
    # 1,000-project dataset in its own database (bench.dashboard.bench_dashboard_tiny).
    parser.add_argument("--dashboard-only", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "investpro.settings")
    django.setup()

    from django.db import connection

    from bench.database import NotABenchDatabase, bench_database_prepare, require_bench_database

    try:
        require_bench_database(connection.settings_dict)
    except NotABenchDatabase as refusal:
        sys.exit(f"bench: {refusal}")
    bench_database_prepare()

    from bench.api import bench_api
    from bench.dashboard import TINY, bench_dashboard, bench_dashboard_tiny, dashboard_json, print_dashboard
    from bench.dataset import SCALES, dataset_analyze, dataset_build, dataset_check, dataset_present, table_counts
    from bench.report import bench_report

    scale = {**SCALES, TINY.name: TINY}[args.scale]
    if dataset_present(scale):
        print(f"Dataset '{scale.name}' present; reusing it.")
    else:
        started = time.perf_counter()
        dataset_build(scale)
        dataset_analyze()
        print(f"Built dataset '{scale.name}' in {time.perf_counter() - started:.1f} s.")
    started = time.perf_counter()
    breaks = dataset_check()
    if breaks:
        listed = "\n".join(f"  {rule_break}" for rule_break in breaks[:20])
        sys.exit(f"bench: the dataset breaks the model's rules in {len(breaks)} sampled rows:\n{listed}")
    print(f"Sampled rows pass full_clean ({time.perf_counter() - started:.1f} s).")
    if args.dashboard_only:
        print(dashboard_json(bench_dashboard(scale.name)))
        return
    counts = table_counts()
    print(
        f"{counts['projects_project']:,} projects, {counts['projects_capitaldelivery']:,} deliveries, "
        f"{counts['accounts_unit']:,} units, {counts['targets_target']:,} targets\n"
    )

    report = bench_report()
    print("| monthly report (2026-10, all indicators × city and units) | value |")
    print("|---|---|")
    print(f"| job, seconds (median of 3) | {report.job_seconds:.3f} |")
    print(f"| floor: one SQL pass over deliveries + one over projects, seconds | {report.floor_seconds:.3f} |")
    print(f"| ratio job / floor (goal ≤ 1.5) | {report.ratio:.2f} |")
    print(f"| queries per run | {report.queries} |")
    print(f"| rows written | {report.rows} |")
    print(f"| peak Python memory of one run, MiB | {report.peak_python_mib:.1f} |")

    print(
        "\n| GET /api/v1/projects/, page_size 50, pages spread first to last | p50 ms | p95 ms "
        "| floor p50 ms | p50 / floor (goal ≤ 3) | queries per request |"
    )
    print("|---|---|---|---|---|---|")
    for result in bench_api():
        print(
            f"| {result.case.label} ({len(result.case.pages)} requests) | {result.p50_ms:.1f} | "
            f"{result.p95_ms:.1f} | {result.floor_p50_ms:.1f} | {result.ratio:.2f} | {result.queries} |"
        )

    from bench.sync import bench_sync

    cursor_pages, pulls = bench_sync()
    print(
        "\n| GET /api/v1/projects/ by cursor, page_size 50 | p50 ms | keyset SQL floor p50 ms "
        "| p50 / floor (goal ≤ 3) |"
    )
    print("|---|---|---|---|")
    for page in cursor_pages:
        print(f"| {page.label} | {page.p50_ms:.1f} | {page.floor_p50_ms:.1f} | {page.ratio:.2f} |")
    print(
        "\n| full pull of every project | seconds | rows | floor seconds "
        "| time / floor (goal: export ≤ 5, cursor ≤ 20) |"
    )
    print("|---|---|---|---|---|")
    for pull in pulls:
        print(f"| {pull.label} | {pull.seconds:.1f} | {pull.rows:,} | {pull.floor_seconds:.2f} | {pull.ratio:.1f} |")

    from bench.pages import GOAL, bench_pages

    print(
        f"\n| GET /projects/ (the list page: form, page of 50, totals of the filtered set) | page p50 ms "
        f"| page p95 ms | API p50 ms, same run | page / API (goal ≤ {GOAL}) | queries per page |"
    )
    print("|---|---|---|---|---|---|")
    for result in bench_pages():
        print(
            f"| {result.case.label} ({len(result.case.pages)} requests each) | {result.page_p50_ms:.1f} | "
            f"{result.page_p95_ms:.1f} | {result.api_p50_ms:.1f} | {result.ratio:.2f} | {result.queries} |"
        )
    dashboards = [bench_dashboard(scale.name)]
    if scale is not TINY:  # beside the same page on 1,000 projects
        dashboards.append(bench_dashboard_tiny())
    print_dashboard(dashboards)

    from bench.ledger import print_ledger_bench

    print_ledger_bench()


if __name__ == "__main__":
    main()
