"""Benchmark of the Excel import (issue #10): 10,000 project rows, preview and confirm, against a floor
of inserting the same rows with bulk_create and no validation. Time and peak Python memory
(tracemalloc); the preview's peak is measured at two file sizes to show it does not grow with the file.

Every write is rolled back: the dataset stays as it was. python -m bench.ledger runs it alone.
"""

import io
import statistics
import time
import tracemalloc
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook

# Django's modules are imported inside the functions: `python -m bench.ledger` sets Django up first.

ROWS = 10_000
SMALL_ROWS = 2_000
RUNS = 3
HEADERS = [
    "项目名称",
    "投资方",
    "责任单位",
    "资金来源",
    "项目类别",
    "阶段",
    "总投资（万元）",
    "协议引资额（万元）",
    "签约日期",
]


@dataclass
class LedgerBench:
    preview_seconds: float
    confirm_seconds: float
    floor_seconds: float
    preview_peak_mib: float
    preview_peak_small_mib: float
    confirm_peak_mib: float
    file_kib: float

    @property
    def ratio(self) -> float:
        return (self.preview_seconds + self.confirm_seconds) / self.floor_seconds


def ledger_file(rows: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("项目台账")
    sheet.append(HEADERS)
    for i in range(rows):
        signed = i % 3 == 0
        sheet.append([
            f"导入基准项目{i:05d}号", f"导入基准投资有限公司{i % 997}", "导入基准单位", "省外", "工业项目",
            "签约" if signed else "洽谈", f"{1000 + i % 5000},00".replace(",00", ".5"),
            f"{800 + i % 4000}" if signed else None, "2025-6-1" if signed else None,
        ])  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _user_and_unit():
    from accounts.models import Role, Unit, User

    unit, _ = Unit.objects.get_or_create(code="bench-import", defaults={"name": "导入基准单位", "kind": "county"})
    user = User.objects.filter(username="bench-import-admin").first()
    if user is None:
        user = User(username="bench-import-admin", role=Role.ADMIN, is_superuser=True, is_staff=True)
        user.set_unusable_password()
        user.save()
    return user, unit


def _rolled_back(work):
    from django.db import transaction

    with transaction.atomic():
        result = work()
        transaction.set_rollback(True)
    return result


def _timed(work) -> float:
    started = time.perf_counter()
    _rolled_back(work)
    return time.perf_counter() - started


def _peak_mib(work) -> float:
    tracemalloc.start()
    _rolled_back(work)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def bench_ledger() -> LedgerBench:
    from ledgers.importing import Options, run
    from projects.models import Project

    user, unit = _user_and_unit()
    content, small = ledger_file(ROWS), ledger_file(SMALL_ROWS)
    options = Options(kind="projects", user=user, filename="bench.xlsx")

    def preview(data=content):
        result = run(data, options, write=False)
        assert result.counts["create"] == (ROWS if data is content else SMALL_ROWS), result.counts
        return result

    def confirm():
        return run(content, options, write=True)

    def floor():
        Project.objects.bulk_create(
            [
                Project(reference=f"FLOOR-{i}", name=f"导入基准项目{i:05d}号",
                        investor=f"导入基准投资有限公司{i % 997}", unit=unit, origin="out_of_province",
                        stage="negotiating", total_investment=Decimal("1000.50"))
                for i in range(ROWS)
            ],
            batch_size=1000,
        )  # fmt: skip

    _timed(preview)  # warm up
    return LedgerBench(
        preview_seconds=statistics.median(_timed(preview) for _ in range(RUNS)),
        confirm_seconds=statistics.median(_timed(confirm) for _ in range(RUNS)),
        floor_seconds=statistics.median(_timed(floor) for _ in range(RUNS)),
        preview_peak_mib=_peak_mib(preview),
        preview_peak_small_mib=_peak_mib(lambda: preview(small)),
        confirm_peak_mib=_peak_mib(confirm),
        file_kib=len(content) / 1024,
    )


def print_ledger_bench() -> None:
    result = bench_ledger()
    print(f"\n| Excel import, {ROWS:,} project rows ({result.file_kib:,.0f} KiB .xlsx) | value |")
    print("|---|---|")
    print(f"| preview (read, check every row, duplicates of the first 50), s | {result.preview_seconds:.2f} |")
    print(f"| confirm (read, check again, write in one transaction with history), s | {result.confirm_seconds:.2f} |")
    print(f"| floor: bulk_create of the same rows without validation, seconds | {result.floor_seconds:.2f} |")
    print(f"| ratio (preview + confirm) / floor (goal ≤ 10) | {result.ratio:.1f} |")
    print(f"| peak Python memory, preview of {ROWS:,} rows / of {SMALL_ROWS:,} rows, MiB | "
          f"{result.preview_peak_mib:.1f} / {result.preview_peak_small_mib:.1f} |")  # fmt: skip
    print(f"| peak Python memory, confirm, MiB | {result.confirm_peak_mib:.1f} |")


if __name__ == "__main__":
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "investpro.settings")
    django.setup()
    from django.db import connection

    from bench.database import NotABenchDatabase, bench_database_prepare, require_bench_database

    try:
        require_bench_database(connection.settings_dict)
    except NotABenchDatabase as refusal:
        sys.exit(f"bench: {refusal}")
    bench_database_prepare()
    print_ledger_bench()
