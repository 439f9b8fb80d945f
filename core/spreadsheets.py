"""Cells that a spreadsheet program shows and never runs (CSV and formula injection, OWASP).

Excel, WPS and LibreOffice treat a cell that starts with `=`, `+`, `-` or `@` as a formula, and a
leading tab or carriage return hides such a start; `=HYPERLINK(...)` or `=cmd|...` typed into a
project's name would run on the machine of whoever opens the export. Every file the app writes for a
spreadsheet program (the list exports, the import's error files) passes its rows through here.

Only text is neutralised: amounts (Decimal), counts and dates stay numbers and dates.
"""

from collections.abc import Iterable

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = frozenset("=+-@\t\r")


def starts_like_formula(value: object) -> bool:
    return isinstance(value, str) and value[:1] in FORMULA_PREFIXES


def csv_cell(value: object) -> object:
    """A CSV has no types: a leading apostrophe is what makes the spreadsheet program read text."""
    return "'" + value if starts_like_formula(value) else value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_cell(value) for value in values]


def xlsx_row(sheet: Worksheet, values: Iterable[object]) -> list[object]:
    """The row for `sheet.append`: risky text becomes a cell typed as text, the rest is left to openpyxl."""
    return [_xlsx_cell(sheet, value) if isinstance(value, str) else value for value in values]


def _xlsx_cell(sheet: Worksheet, text: str) -> str | Cell:
    # Control characters have no place in the file's XML: openpyxl refuses the whole workbook for one.
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if not (starts_like_formula(text) or text in ERROR_CODES):
        return text
    # openpyxl would store "=..." as a formula and "#N/A" as an error. Typed as a string, the file holds
    # the text itself; the quote prefix keeps it text when someone edits the cell in Excel.
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
