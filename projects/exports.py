"""The project and delivery lists as CSV and XLSX files, with Chinese column headers.

The rows come from the same filtered querysets as the lists; they are read in chunks with
`values_list(...).iterator()` so an export of the whole year holds one chunk in memory at a time.
Every row goes out through core.spreadsheets, so that no text a user typed runs as a formula.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from core.spreadsheets import csv_row, xlsx_row

from .models import Project

CENT = Decimal("0.01")
CHUNK_ROWS = 2000  # rows read from a server-side cursor at a time


@dataclass(frozen=True)
class Column:
    path: str  # a values_list() lookup
    header: str
    choices: dict | None = None  # values shown by their Chinese label


PROJECT_COLUMNS = [
    Column("id", "编号"),
    Column("name", "项目名称"),
    Column("investor", "投资方"),
    Column("investor_kind", "投资方类型", dict(Project.InvestorKind.choices)),
    Column("unit__name", "责任单位"),
    Column("industry__name", "产业"),
    Column("category", "项目类别", dict(Project.Category.choices)),
    Column("origin", "资金来源", dict(Project.Origin.choices)),
    Column("returning_merchant", "浙商回归"),
    Column("mountain_sea", "山海协作"),
    Column("channel", "引进渠道", dict(Project.Channel.choices)),
    Column("stage", "阶段", dict(Project.Stage.choices)),
    Column("total_investment", "总投资（万元）"),
    Column("signed_amount", "协议引资额（万元）"),
    Column("signed_on", "签约日期"),
    Column("started_on", "开工日期"),
    Column("producing_on", "投产日期"),
    Column("dropped_on", "终止日期"),
    Column("delivered_total", "累计到位资金（万元）"),
    Column("land_area_mu", "用地（亩）"),
    Column("next_follow_up_on", "下次跟进日期"),
    Column("reference", "项目编号"),  # the Excel import finds the project again by it
]

DELIVERY_COLUMNS = [
    Column("id", "编号"),
    Column("project__reference", "项目编号"),
    Column("project__name", "项目名称"),
    Column("project__unit__name", "责任单位"),
    Column("delivered_on", "到位日期"),
    Column("amount", "到位金额（万元）"),
    Column("note", "说明"),
]

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def rows_of(queryset, columns: list[Column]) -> Iterator[list]:
    for values in streamed(queryset.values_list(*[c.path for c in columns])):
        yield [_cell(value, column) for value, column in zip(values, columns, strict=True)]


def streamed(queryset) -> Iterator:
    """The rows of `queryset` in chunks, from a server-side cursor on PostgreSQL.

    Django declares that cursor WITH HOLD outside a transaction, so PostgreSQL computes the whole
    result when it is declared: the planner is told to plan for all the rows
    (cursor_tuple_fraction = 1, for this connection's cursors), not for the first tenth, which on a
    filtered export chose to walk a million-row index in order rather than sort ten thousand rows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET cursor_tuple_fraction = 1")
    yield from queryset.iterator(chunk_size=CHUNK_ROWS)


def streamed_text(statement: tuple[str, list], *, time_zone: str) -> Iterator[str]:
    """The one text column of each row of `statement` (core.compiled_read's `json_statement`), from
    a server-side cursor on PostgreSQL, in chunks; its times written in `time_zone`.

    As `streamed` does: the cursor is declared WITH HOLD (the connection is in autocommit when the
    cursor is made), so that no transaction stays open while the rows stream. It is declared in a
    transaction of its own, whose settings (`set_config(..., true)`) end with it: PostgreSQL
    computes a held cursor's rows when that transaction commits, so the rows are written in
    `time_zone` and the connection keeps its own zone. Called in a transaction already, the cursor
    could not outlive it: callers read rows the other way there (`streamed`)."""
    cursor = connection.chunked_cursor()
    try:
        with transaction.atomic():
            with connection.cursor() as settings:
                settings.execute(
                    "SELECT set_config('TimeZone', %s, true), set_config('cursor_tuple_fraction', '1', true)",
                    [time_zone],
                )
            cursor.execute(*statement)
        while rows := cursor.fetchmany(CHUNK_ROWS):
            for (text,) in rows:
                yield text
    finally:
        cursor.close()


def _cell(value, column: Column):
    if column.choices is not None and value in column.choices:
        return str(column.choices[value])
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        # Every amount and area has two decimals, as in the API; a sum computed by SQLite loses them.
        return value.quantize(CENT)
    return value


def csv_chunks(columns: list[Column], rows: Iterable[list]) -> Iterator[str]:
    """CSV with a byte-order mark, so that Excel opens the Chinese text as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(csv_row(c.header for c in columns))
    for row in rows:
        writer.writerow(csv_row("" if v is None else v for v in row))
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(columns: list[Column], rows: Iterable[list], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(xlsx_row(sheet, (c.header for c in columns)))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ndjson_chunks(lines: Iterable[str]) -> Iterator[str]:
    """One JSON object a line (`lines` are the objects, written), sent in pieces of about 64 KB."""
    batch, size = [], 0
    for line in lines:
        batch.append(line)
        size += len(line) + 1
        if size > 64 * 1024:
            yield "\n".join(batch) + "\n"
            batch, size = [], 0
    if batch:
        yield "\n".join(batch) + "\n"


def export_response(queryset, columns: list[Column], *, file_format: str, name: str) -> StreamingHttpResponse:
    rows = rows_of(queryset, columns)
    if file_format == "xlsx":
        body: Iterable = [xlsx_bytes(columns, rows, title=name)]
    else:
        body = csv_chunks(columns, rows)
    return file_response(body, file_format=file_format, name=name)


def file_response(body: Iterable, *, file_format: str, name: str) -> StreamingHttpResponse:
    """An export's answer: streamed as `body` yields it, named `<name>-<today>.<format>`.

    Rows come from `.iterator()`: on PostgreSQL a server-side cursor, declared WITH HOLD outside a
    transaction (no transaction stays open while the file streams), closed when the generator is
    closed — also when the client goes away and the server closes the response half-way."""
    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(body, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{file_format}"'
    return response
