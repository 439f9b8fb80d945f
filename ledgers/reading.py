"""Reading an uploaded ledger: an .xlsx (streamed with openpyxl's read-only mode) or a .csv.

A file is refused as a whole, with one message in Chinese (FileRefused), when it is not a
spreadsheet, is protected by a password, has no sheet with the expected column headers, is over
MAX_BYTES or has over MAX_ROWS rows. Otherwise it is read row by row: memory stays flat in the size of
the file (rows are yielded one at a time and nothing keeps them).

What a clerk's spreadsheet program adds is undone here: title rows above the headers are skipped,
empty rows between the data are skipped, and a merged cell's value stands in every cell it covers
(read-only mode sees only the top-left one, so the sheet's list of merged ranges is read beside it).
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
HEADER_SEARCH_ROWS = 10  # title lines a clerk puts above the headers

ZIP_MAGIC = b"PK\x03\x04"
# An encrypted .xlsx is an OLE2 compound file (as an old .xls is): the same 8 bytes start both.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileRefused(ValueError):
    pass


@dataclass
class Sheet:
    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list]] = field(repr=False)  # (row number as the spreadsheet shows it, values)


def open_ledger(content: bytes, *, known_headers: set[str], required: set[str]) -> Sheet:
    """The sheet of the file whose header row has the `required` headers (and at least one of the
    known ones), ready to be read row by row."""
    if len(content) > MAX_BYTES:
        raise FileRefused(_("文件超过 20 MB，请拆分后分批导入。"))
    if content.startswith(OLE2_MAGIC):
        raise FileRefused(_("文件受密码保护，或是旧版 .xls 格式：请在 Excel 中取消密码，另存为 .xlsx 后再上传。"))
    if content.startswith(ZIP_MAGIC):
        return _xlsx_sheet(content, known_headers, required)
    return _csv_sheet(content, known_headers, required)


def _find_header(rows: Iterator[tuple[int, list]], known: set[str]) -> tuple[int, list[str]] | None:
    for row_number, values in rows:
        if row_number > HEADER_SEARCH_ROWS:
            return None
        headers = [_header(value) for value in values]
        if len(known.intersection(headers)) >= 2:
            return row_number, headers
    return None


def _header(value) -> str:
    from .cells import text  # the same trimming as the cells: a header typed with a trailing space still matches

    return text(value).replace(" ", "").replace("(", "（").replace(")", "）")


def _sheet_or_refuse(found, required: set[str], where: str) -> tuple[int, list[str]]:
    if found is None:
        raise FileRefused(
            _("%(where)s找不到列标题行（前 %(n)s 行内应有“%(columns)s”等列标题）；请使用导入模板或本系统导出的文件。")
            % {"where": where, "n": HEADER_SEARCH_ROWS, "columns": "”“".join(sorted(required))}
        )
    row_number, headers = found
    missing = sorted(required.difference(headers))
    if missing:
        raise FileRefused(
            _("第 %(row)s 行的列标题缺少必填列：%(columns)s。") % {"row": row_number, "columns": "、".join(missing)}
        )
    return found


# --- .xlsx ------------------------------------------------------------------------------------------


def _xlsx_sheet(content: bytes, known: set[str], required: set[str]) -> Sheet:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, BadZipFile, InvalidFileException, XML errors)
        raise FileRefused(_("无法读取该文件：它不是有效的 .xlsx 工作簿。")) from None
    for worksheet in workbook.worksheets:
        if not hasattr(worksheet, "iter_rows"):  # a chartsheet
            continue
        merges = _merged_ranges(content, worksheet)
        found = _find_header(_xlsx_rows(worksheet, merges), known)
        if found is not None:
            row_number, headers = _sheet_or_refuse(found, required, "")
            rows = (item for item in _xlsx_rows(worksheet, merges) if item[0] > row_number)
            return Sheet(headers=headers, header_row=row_number, rows=_limited(rows))
    return Sheet(*_sheet_or_refuse(None, required, _("工作簿的各工作表中")), rows=iter(()))


MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+:[A-Z]+[0-9]+)\"")
CHUNK = 1 << 20


def _merged_ranges(content: bytes, worksheet) -> list[tuple[int, int, int, int]]:
    """The merged ranges (min_col, min_row, max_col, max_row) of a sheet, found in its XML by a plain
    scan, a megabyte at a time (an XML parse of the whole sheet would cost as much as reading it)."""
    ranges, tail = [], b""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open(worksheet._worksheet_path) as source:
            while chunk := source.read(CHUNK):
                text = tail + chunk
                ranges += [range_boundaries(ref.decode()) for ref in MERGE_CELL.findall(text)]
                tail = text[-200:]  # a tag cut in two by the chunk's end is found whole next time
    except (KeyError, zipfile.BadZipFile, ValueError):
        return []
    return list(dict.fromkeys(ranges))  # one found twice (in a tail) counts once


def _xlsx_rows(worksheet, merges) -> Iterator[tuple[int, list]]:
    """(row number, values) of each row; a merged range's value fills every cell of the range."""
    carried: dict[tuple[int, int, int, int], object] = {}
    for row_number, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1):
        values = list(values)
        for merge in merges:
            min_col, min_row, max_col, max_row = merge
            if not min_row <= row_number <= max_row:
                continue
            if row_number == min_row:
                carried[merge] = values[min_col - 1] if len(values) >= min_col else None
            if len(values) < max_col:
                values.extend([None] * (max_col - len(values)))
            for col in range(min_col, max_col + 1):
                values[col - 1] = carried.get(merge)
        yield row_number, values


# --- .csv -------------------------------------------------------------------------------------------


def _csv_sheet(content: bytes, known: set[str], required: set[str]) -> Sheet:
    if b"\x00" in content[:4096]:
        raise FileRefused(_("无法读取该文件：请上传 .xlsx 或 .csv 格式的台账。"))
    for encoding in ("utf-8-sig", "gb18030"):  # Excel's "CSV UTF-8" and the Chinese Windows default
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(_("无法读取该文件：请上传 .xlsx 或 .csv 格式的台账。"))

    def rows() -> Iterator[tuple[int, list]]:
        yield from enumerate(csv.reader(io.StringIO(text)), start=1)

    found = _find_header(rows(), known)
    row_number, headers = _sheet_or_refuse(found, required, "")
    data = (item for item in rows() if item[0] > row_number)
    return Sheet(headers=headers, header_row=row_number, rows=_limited(_csv_text_cells(data)))


def _csv_text_cells(rows):
    """A CSV cell that starts with an apostrophe was escaped by an export (core.spreadsheets): it is text."""
    for row_number, values in rows:
        yield row_number, [value[1:] if value[:2] in {"'=", "'+", "'-", "'@"} else value for value in values]


def _limited(rows: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """The non-empty rows; refused once there are more than MAX_ROWS of them."""
    count = 0
    for row_number, values in rows:
        if all(value is None or (isinstance(value, str) and not value.strip("\u3000 \t\r\n")) for value in values):
            continue
        count += 1
        if count > MAX_ROWS:
            raise FileRefused(_("文件超过 %(n)s 行，请拆分后分批导入。") % {"n": f"{MAX_ROWS:,}"})
        yield row_number, values
