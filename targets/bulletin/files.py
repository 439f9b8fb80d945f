"""The bulletin as files: a .docx in the layout of a bureau's 通报 (python-docx) and an .xlsx with
every table (openpyxl), both from the drafted text and the tables of one stored report."""

from __future__ import annotations

import datetime
import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from openpyxl import Workbook

from core.spreadsheets import xlsx_row

from .tables import Column, Table, measure_unit, number, shown, xlsx_header
from .text import Draft

BODY_FONT, TITLE_FONT = "仿宋", "宋体"  # the fonts of official documents (GB/T 9704), where installed


RED = RGBColor(0xC0, 0x00, 0x00)  # the red of a 红头 document's title and rule


def _font(run, name: str, size: float, bold: bool = False) -> None:
    """The font of a run or a style."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    # Word picks the East Asian font from its own attribute; without it the Chinese text falls back.
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text: str, *, size: float = 14, bold=False, align=None, indent=False, font=BODY_FONT):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)  # two characters, as Chinese prose
    paragraph.paragraph_format.space_after = Pt(4)
    _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _red_rule_below(paragraph) -> None:
    """The red line under the issuing unit and date that heads an official bulletin."""
    border = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "6"), ("color", "C00000")):
        border.set(qn(f"w:{key}"), value)
    borders = OxmlElement("w:pBdr")
    borders.append(border)
    paragraph._p.get_or_add_pPr().append(borders)


def _repeat_as_header(row) -> None:
    """A long units' table carries its column names onto every page it runs over."""
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _cell_styles(document) -> tuple:
    """Paragraph styles for the tables' cells: a font set once on a style, not on each of thousands
    of runs (which python-docx writes slowly, and Word stores verbosely)."""
    styles = []
    for name, bold in (("通报表格", False), ("通报表头", True)):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        _font(style, BODY_FONT, 9, bold)
        style.paragraph_format.space_after = Pt(0)
        styles.append(style)
    return tuple(styles)


def _table(document, table: Table, caption: str, styles: tuple) -> None:
    body, head = (style.style_id for style in styles)
    _paragraph(document, caption, size=12, bold=True, font=TITLE_FONT)
    grid = document.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_as_header(grid.rows[0])
    texts = [[c.header for c in table.columns], *([shown(c, row) for c in table.columns] for row in table.rows)]
    for grid_row, line in zip(grid.rows, texts, strict=True):
        style = head if grid_row is grid.rows[0] else body
        for cell, text in zip(grid_row.cells, line, strict=True):
            paragraph = cell.paragraphs[0]
            # The style by its id: `paragraph.style = …` searches every style of the document each time.
            paragraph._p.style = style
            paragraph.add_run(text)


def _a4(section, *, landscape: bool) -> None:
    """A4 with the margins of an official document (GB/T 9704: 3.7 cm top, 2.8 cm left)."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (Cm(29.7), Cm(21.0)) if landscape else (Cm(21.0), Cm(29.7))
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = (Cm(2.0), Cm(2.0)) if landscape else (Cm(3.7), Cm(3.5))
    section.left_margin, section.right_margin = (Cm(2.0), Cm(2.0)) if landscape else (Cm(2.8), Cm(2.6))


def docx_bytes(draft: Draft, tables: list[Table], *, issuer: str, issued_on: datetime.date) -> bytes:
    """Title and issue, the issuing unit and date, the drafted sections on portrait A4; then the
    tables (附表) on landscape pages, since a units' table has eleven columns."""
    document = Document()
    _a4(document.sections[0], landscape=False)
    title = _paragraph(document, draft.title, size=22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT)
    title.runs[0].font.color.rgb = RED
    date = f"{issued_on.year}年{issued_on.month}月{issued_on.day}日"
    issued = _paragraph(document, f"{issuer}　　　　{date}", size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule_below(issued)
    for part in draft.sections:
        _paragraph(document, part.heading, size=14, bold=True, font=TITLE_FONT)
        for text in part.paragraphs:
            _paragraph(document, text, indent=True)
    if tables:
        _a4(document.add_section(WD_SECTION.NEW_PAGE), landscape=True)
    styles = _cell_styles(document)
    for number_, table in enumerate(tables, start=1):
        _table(document, table, f"附表{number_}：{table.title}", styles)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _sheet_name(number_: int, title: str) -> str:
    """Excel refuses sheet names over 31 characters and some punctuation; the number keeps them apart."""
    cleaned = "".join(c for c in title if c not in "[]:*?/\\")
    return f"{number_} {cleaned}"[:31]


CITY_MEASURE = Column("计量单位", lambda r: measure_unit(r.indicator))


def xlsx_bytes(tables: list[Table]) -> bytes:
    """One sheet per table, numbers as numbers: the city sheet names each row's unit (万元 or 个),
    an indicator's sheet has it in its headers."""
    workbook = Workbook(write_only=True)
    for number_, table in enumerate(tables, start=1):
        sheet = workbook.create_sheet(_sheet_name(number_, table.title))
        columns = table.columns if table.indicator else [table.columns[0], CITY_MEASURE, *table.columns[1:]]
        sheet.append(xlsx_row(sheet, (xlsx_header(c, table.indicator) for c in columns)))
        for row in table.rows:
            sheet.append(xlsx_row(sheet, (number(c, row) for c in columns)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
