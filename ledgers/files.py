"""The files the import page hands out: the template of each kind, and a file back with its errors."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.models import Unit
from core.spreadsheets import xlsx_row
from projects.models import Industry

from .columns import ERROR_HEADER
from .importing import LEDGERS
from .reading import open_ledger

SHEET_TITLES = {"projects": "项目台账", "deliveries": "到位资金台账", "activities": "跟进记录台账"}
TEMPLATE_ROWS = 2000  # rows the dropdowns cover

INSTRUCTIONS = {
    "projects": [
        "每行一个项目。第一行是列标题，请勿修改；带 * 的列必填，其余可留空。",
        "项目编号：已有项目请填写系统中的项目编号（导出文件中有），再次导入会更新该项目而不会重复创建；新项目可留空，导入时自动生成。",
        "没有项目编号的行，按“责任单位 + 项目名称”查找已有项目。",
        "阶段、资金来源、项目类别、投资方类型、引进渠道、责任单位、产业：请从下拉列表中选择。",
        "金额以万元为单位，可写 1200、1,200、1.2亿元 或 300万元。",
        "日期可写 2011-3-5、2011/3/5、2011.3.5 或 2011年3月5日。",
        "导入不能把项目退回更早的阶段（如 签约 → 洽谈）。",
        "上传后先显示预览：新建、更新（逐项显示旧值 → 新值）、无变化和有错误的行；",
        "确认后才写入，要么全部写入，要么全部不写入。",
    ],
    "deliveries": [
        "每行一笔到位资金。带 * 的列必填。项目编号即系统中的项目编号（项目导出文件中有）。",
        "同一项目、同一日期、同一金额的一行视为同一笔资金：重复导入不会重复登记。",
        "到位日期在已发布通报月份内的资金，须在导入页勾选“更正已发布月份”。",
        "金额以万元为单位，可写 1200、1,200、1.2亿元 或 300万元。",
    ],
    "activities": [
        "每行一条跟进记录。带 * 的列必填。项目编号即系统中的项目编号。",
        "同一项目、同一日期、同一方式、同一摘要的一行视为同一条记录：重复导入不会重复登记。",
        "方式请从下拉列表中选择。",
    ],
}


def template_bytes(kind: str) -> bytes:
    ledger = LEDGERS[kind]
    workbook = Workbook()
    notes = workbook.active
    notes.title = "填写说明"
    notes.append(["填写说明"])
    notes["A1"].font = Font(bold=True, size=14)
    for line in INSTRUCTIONS[kind]:
        notes.append([line])
    notes.column_dimensions["A"].width = 120

    sheet = workbook.create_sheet(SHEET_TITLES[kind])
    required = ledger.required_fields
    sheet.append([column.header for column in ledger.columns])
    for index, column in enumerate(ledger.columns, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True, color="C00000" if column.field in required else None)
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(column.header) * 2 + 2)
    sheet.freeze_panes = "A2"

    lists = workbook.create_sheet("选项")
    lists.sheet_state = "hidden"
    options = _options(ledger)
    for list_index, (field, values) in enumerate(options.items(), start=1):
        letter = get_column_letter(list_index)
        lists.cell(row=1, column=list_index, value=field)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=list_index, value=value)
        column_index = next(i for i, c in enumerate(ledger.columns, start=1) if c.field == field)
        target = get_column_letter(column_index)
        validation = DataValidation(
            type="list", formula1=f"'选项'!${letter}$2:${letter}${len(values) + 1}", allow_blank=True,
            showErrorMessage=True, errorTitle="请从列表中选择", error="请从下拉列表中选择一个可选值。",
        )  # fmt: skip
        validation.add(f"{target}2:{target}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)
    workbook.active = 1
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _options(ledger) -> dict[str, list[str]]:
    """The dropdowns: every coded column's labels, the units and the industries."""
    options = {}
    for column in ledger.columns:
        if column.choices is not None:
            options[column.field] = [str(label) for label in column.choices.labels]
        elif column.read == "unit":
            options[column.field] = list(Unit.objects.order_by("kind", "code").values_list("name", flat=True))
        elif column.read == "industry":
            options[column.field] = list(Industry.objects.order_by("code").values_list("name", flat=True))
    return {field: values for field, values in options.items() if values}


def error_file_bytes(job) -> bytes:
    """The uploaded rows as they were, with a 错误说明 column saying what to fix in each; a row without
    an error has it empty. Fixed and uploaded again, the file imports (the column is read past)."""
    kind = LEDGERS[job.kind]
    known = {c.header for c in kind.columns} | kind.ignored
    required = {c.header for c in kind.columns if c.field in kind.required_fields}
    sheet_in = open_ledger(bytes(job.content), known_headers=known, required=required)
    errors = (job.preview or {}).get("errors", {})
    headers = [h for h in sheet_in.headers if h != ERROR_HEADER]
    keep = [i for i, h in enumerate(sheet_in.headers) if h != ERROR_HEADER]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLES[job.kind])
    sheet.append(xlsx_row(sheet, [*headers, ERROR_HEADER]))
    for number, values in sheet_in.rows:
        cells = [values[i] if i < len(values) else None for i in keep]
        sheet.append(xlsx_row(sheet, [*cells, errors.get(str(number), "")]))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
