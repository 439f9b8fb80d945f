"""Ledger files built as a clerk would: real .xlsx workbooks written with openpyxl, or CSV text."""

import io

import pytest
from openpyxl import Workbook

from accounts.models import User
from ledgers.importing import Options, run
from tests.factories import IndustryFactory

PROJECT_HEADERS = ["项目编号", "项目名称", "投资方", "责任单位", "产业", "资金来源", "阶段", "总投资（万元）",
                   "协议引资额（万元）", "签约日期"]  # fmt: skip


def xlsx(headers: list, rows: list[list], *, title_rows: list[list] = (), sheet: str = "项目台账", merges=()) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in title_rows:
        worksheet.append(row)
    worksheet.append(headers)
    for row in rows:
        worksheet.append(row)
    for merge in merges:
        worksheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(headers: list, rows: list[list]) -> bytes:
    lines = [",".join(headers), *(",".join("" if v is None else str(v) for v in row) for row in rows)]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def preview_of(content: bytes, user: User, kind: str = "projects", **options):
    return run(content, Options(kind=kind, user=user, filename="台账.xlsx", **options), write=False)


def confirm(content: bytes, user: User, kind: str = "projects", **options):
    from django.db import transaction

    with transaction.atomic():
        return run(content, Options(kind=kind, user=user, filename="台账.xlsx", **options), write=True)


def errors_of(preview) -> list[tuple[int, str, str]]:
    return [(row["row"], column, message) for row in preview.rows if row["action"] == "error"
            for column, message in row["errors"]]  # fmt: skip


@pytest.fixture
def industry(db):
    return IndustryFactory(code="new_materials", name="新材料")
