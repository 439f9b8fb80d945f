"""The bulletin's tables: the city table and one units' table per indicator, defined once for the
.docx (figures as leaders read them: 亿元, %) and the .xlsx (numbers as numbers, amounts in 万元)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from targets.models import Indicator, ReportRow
from targets.templatetags.figures import figure, percent

TEXT, FIGURE, PERCENT, NUMBER = "text", "figure", "percent", "number"


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[ReportRow], object]
    kind: str = TEXT


def measure_unit(indicator: Indicator) -> str:
    """The unit the .xlsx writes an indicator's figures in: amounts as stored, counts as they are."""
    return "万元" if indicator.is_amount else "个"


CITY_COLUMNS = [
    Column("指标", lambda r: r.indicator.name),
    Column("当月", lambda r: r.month_value, FIGURE),
    Column("累计", lambda r: r.ytd_value, FIGURE),
    Column("年度目标", lambda r: r.target, FIGURE),
    Column("完成率", lambda r: r.completion_pct, PERCENT),
    Column("时间进度", lambda r: r.time_progress_pct, PERCENT),
    Column("进度", lambda r: r.get_pace_display() or None),
    Column("上年同期", lambda r: r.last_year_ytd, FIGURE),
    Column("同比", lambda r: r.yoy_pct, PERCENT),
]

UNIT_COLUMNS = [
    Column("排名", lambda r: r.rank, NUMBER),
    Column("责任单位", lambda r: r.unit.name),
    *CITY_COLUMNS[1:],
]
GROUP_COLUMNS = [UNIT_COLUMNS[0], Column("考核大组", lambda r: r.group.name), *CITY_COLUMNS[1:]]


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[Column]
    rows: list[ReportRow]
    indicator: Indicator | None = None  # the units' table's indicator; None for the city table


def city_table(rows: Sequence[ReportRow]) -> Table:
    city = sorted((r for r in rows if r.is_city), key=lambda r: (r.indicator.position, r.indicator.code))
    return Table("全市招商引资主要指标完成情况", CITY_COLUMNS, city)


def _ranked_tables(rows: Sequence[ReportRow], *, groups: bool) -> list[Table]:
    """One table per indicator of its units' (or groups') rows by rank (those without one last)."""
    by_indicator: dict[int, list[ReportRow]] = {}
    for row in rows:
        if (row.group_id if groups else row.unit_id) is not None:
            by_indicator.setdefault(row.indicator_id, []).append(row)
    columns, scope = (GROUP_COLUMNS, "各大组") if groups else (UNIT_COLUMNS, "各单位")
    tables = []
    for scoped in sorted(by_indicator.values(), key=lambda g: (g[0].indicator.position, g[0].indicator.code)):
        scoped.sort(key=lambda r: (r.rank is None, r.rank or 0, r.scope_code))
        indicator = scoped[0].indicator
        tables.append(Table(f"{indicator.name}{scope}完成情况", columns, scoped, indicator))
    return tables


def unit_tables(rows: Sequence[ReportRow]) -> list[Table]:
    return _ranked_tables(rows, groups=False)


def group_tables(rows: Sequence[ReportRow]) -> list[Table]:
    """The assessment groups' tables (大组), none when the report has no group rows."""
    return _ranked_tables(rows, groups=True)


def all_tables(rows: Sequence[ReportRow]) -> list[Table]:
    """Every table of the bulletin: the city's, the units' per indicator, the groups' per indicator."""
    return [city_table(rows), *unit_tables(rows), *group_tables(rows)]


def shown(column: Column, row: ReportRow) -> str:
    """A cell as the .docx prints it."""
    value = column.value(row)
    if column.kind == FIGURE:
        return figure(value, row.indicator)
    if column.kind == PERCENT:
        return percent(value)
    return "—" if value is None else str(value)


def number(column: Column, row: ReportRow) -> object:
    """A cell as the .xlsx holds it: Decimal amounts and percentages, whole counts, text, or empty."""
    value = column.value(row)
    if column.kind == FIGURE and value is not None and not row.indicator.is_amount:
        return int(value)
    if isinstance(value, Decimal) or value is None or column.kind == NUMBER:
        return value
    return str(value)


def xlsx_header(column: Column, indicator: Indicator | None) -> str:
    """The sheet's header: amounts carry their unit (the city sheet has a 计量单位 column instead),
    percentages their sign, since the cells hold bare numbers."""
    if column.kind == FIGURE and indicator is not None:
        return f"{column.header}（{measure_unit(indicator)}）"
    if column.kind == PERCENT:
        return f"{column.header}（%）"
    return column.header
