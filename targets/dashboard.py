"""What the leaders' dashboard (/dashboard/) reads: the stored rows of one monthly report, the
city's rows of the earlier months of its year, and the year's capital by origin and by industry.

Every read is a fixed number of queries whatever the number of units, indicators or months: the
report's rows come in one query, the months of the year in another. The page never recomputes a
figure: what it shows is what the report stored (DESIGN §3), so the page and the bulletin agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Sum

from projects.models import CapitalDelivery, Project
from targets.models import FIRST_MONTH, LAST_MONTH, Indicator, Report, ReportRow
from targets.reporting import Periods
from targets.templatetags.figures import WAN_PER_YI

# A report whose rows can be read. Queued, running and failed reports are listed in the picker with
# their status, but the page opens on the latest month that has figures.
READABLE = (Report.Status.PROVISIONAL, Report.Status.PUBLISHED)

# The badge beside the month: 初步 until a leader publishes it, then 已发布; the other states say
# plainly that there are no figures yet.
BADGES = {
    Report.Status.PROVISIONAL: "初步（待发布）",
    Report.Status.PUBLISHED: "已发布",
    Report.Status.QUEUED: "排队中",
    Report.Status.RUNNING: "计算中",
    Report.Status.FAILED: "计算失败",
}

# The breakdown charts of capital are one grouped aggregate over the year's projects and deliveries;
# a report's breakdown is kept until the report is recomputed (its computed_at is in the key).
BREAKDOWN_SECONDS = 24 * 3600


# --- Which month ----------------------------------------------------------------------------------


@dataclass
class MonthChoice:
    """The month the page shows, and why another than the one asked for, in the bureau's words."""

    report: Report | None
    message: str = ""


def report_months() -> list[Report]:
    """Every report, newest first: the month picker's choices (one query)."""
    return list(Report.objects.order_by("-year", "-month"))


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _parse(raw: str | None, low: int, high: int) -> int | None:
    """A whole number within [low, high], else None (a bad value is reported, never a 500)."""
    if raw is None or not raw.strip().isdigit():
        return None
    value = int(raw.strip())
    return value if low <= value <= high else None


def report_choose(reports: list[Report], *, year: str | None, month: str | None) -> MonthChoice:
    """The report of ?year=&month=; the latest readable one without them; the nearest month when
    the asked one has no report or the parameters are not a month at all."""
    readable = [r for r in reports if r.status in READABLE]
    latest = (readable or reports or [None])[0]
    if year is None and month is None:
        return MonthChoice(latest)
    if latest is None:
        return MonthChoice(None)
    wanted_year = _parse(year, 1, 9999)
    wanted_month = _parse(month, FIRST_MONTH, LAST_MONTH) if month is not None else LAST_MONTH
    if wanted_year is None or wanted_month is None:
        shown = f"{latest.year}年{latest.month}月"
        return MonthChoice(latest, f"“年度 {year or ''}、月份 {month or ''}”不是有效的月份，已显示最近的 {shown}。")
    for report in reports:
        if (report.year, report.month) == (wanted_year, wanted_month):
            return MonthChoice(report)
    wanted = _month_index(wanted_year, wanted_month)
    pool = readable or reports
    nearest = min(pool, key=lambda r: (abs(_month_index(r.year, r.month) - wanted), -_month_index(r.year, r.month)))
    return MonthChoice(
        nearest,
        f"{wanted_year}年{wanted_month}月还没有通报，已显示最近的 {nearest.year}年{nearest.month}月。",
    )


# --- The report's tables --------------------------------------------------------------------------


@dataclass
class IndicatorTables:
    """One indicator of the report: the city's row, the units' rows and the assessment groups'
    (大组) rows, each list best rank first."""

    indicator: Indicator
    city: ReportRow | None = None
    units: list[ReportRow] = field(default_factory=list)
    groups: list[ReportRow] = field(default_factory=list)


def _by_rank(row: ReportRow) -> tuple:
    scope = row.unit or row.group
    return (row.rank is None, row.rank or 0, scope.code)


def report_tables(report: Report, *, own_unit_id: int | None = None) -> list[IndicatorTables]:
    """The report's rows per indicator in the indicators' order (one query). A row of the reader's
    own unit is marked `own`, so the page can highlight it."""
    rows = (
        ReportRow.objects.filter(report=report)
        .select_related("indicator", "unit", "group")
        .order_by("indicator__position", "indicator__code")
    )
    tables: dict[int, IndicatorTables] = {}
    pace_labels = {value: str(label) for value, label in ReportRow.Pace.choices}  # translated once, not per row
    for row in rows:
        table = tables.setdefault(row.indicator_id, IndicatorTables(row.indicator))
        row.own = own_unit_id is not None and row.unit_id == own_unit_id
        row.pace_label = pace_labels.get(row.pace, "")
        if row.group_id is not None:
            table.groups.append(row)
        elif row.unit_id is not None:
            table.units.append(row)
        else:
            table.city = row
    for table in tables.values():
        table.units.sort(key=_by_rank)
        table.groups.sort(key=_by_rank)
    return list(tables.values())


# --- Chart data -----------------------------------------------------------------------------------


def chart_value(value: Decimal | None, indicator: Indicator) -> float | None:
    """A figure as a chart plots it: amounts in 亿元 (two decimals), counts as they are."""
    if value is None:
        return None
    if indicator.is_amount:
        return float((value / WAN_PER_YI).quantize(Decimal("0.01")))
    return float(value)


def unit_label(indicator: Indicator) -> str:
    return "亿元" if indicator.is_amount else "个"


def year_lines(report: Report) -> dict[int, list[dict]]:
    """Per indicator, the city's year to date at the end of each month of the report's year up to
    its month, from the stored reports of those months (one query). A month without a readable
    report is left out rather than guessed."""
    if report.status not in READABLE:
        return {}
    rows = (
        ReportRow.objects.filter(
            report__year=report.year, report__month__lte=report.month, unit__isnull=True, group__isnull=True,
            report__status__in=READABLE,
        )
        .values_list("indicator_id", "report__month", "ytd_value")
        .order_by("report__month")
    )
    lines: dict[int, list[dict]] = defaultdict(list)
    for indicator_id, month, ytd in rows:
        lines[indicator_id].append({"month": month, "ytd": ytd})
    return lines


def charts_data(report: Report, tables: list[IndicatorTables]) -> dict:
    """Everything the page's charts plot, as plain JSON (rendered with json_script)."""
    lines = year_lines(report)
    progress = float(tables[0].city.time_progress_pct) if tables and tables[0].city else report.month * 100 / 12
    indicators = []
    for table in tables:
        indicator, city = table.indicator, table.city
        target = city.target if city else None
        months = {point["month"]: point["ytd"] for point in lines.get(indicator.id, [])}
        indicators.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": unit_label(indicator),
                "completion": float(city.completion_pct) if city and city.completion_pct is not None else None,
                "months": [f"{m}月" for m in range(1, report.month + 1)],
                "ytd": [chart_value(months.get(m), indicator) for m in range(1, report.month + 1)],
                "pace_line": [
                    chart_value(target * m / 12, indicator) if target else None for m in range(1, report.month + 1)
                ],
                "ranking": [
                    {
                        "unit": row.unit.name,
                        "completion": float(row.completion_pct) if row.completion_pct is not None else None,
                        "pace": row.pace,
                    }
                    for row in table.units
                ],
            }
        )
    return {"time_progress": progress, "indicators": indicators}


def monthly_table(report: Report, tables: list[IndicatorTables], charts: dict) -> None:
    """Attach to each indicator's tables the rows of its cumulative line (for the table under the
    chart): month, year to date, even-pace target, in the indicator's unit."""
    by_code = {entry["code"]: entry for entry in charts["indicators"]}
    for table in tables:
        entry = by_code[table.indicator.code]
        table.months = [
            {"month": label, "ytd": ytd, "pace": pace}
            for label, ytd, pace in zip(entry["months"], entry["ytd"], entry["pace_line"], strict=True)
        ]
        table.chart_unit = entry["unit"]


# --- Capital by origin and by industry ------------------------------------------------------------


def capital_breakdown(report: Report) -> dict:
    """The year's signed and delivered capital (1 January to the report month's end) by origin and
    by industry, in 亿元: two grouped aggregates (signed projects, deliveries), kept in the cache per
    report computation so that reading the page again does not re-read the year's projects."""
    key = breakdown_cache_key(report)
    cached = cache.get(key)
    if cached is None:
        cached = _breakdown(report.year, report.month)
        cache.set(key, cached, BREAKDOWN_SECONDS)
    return cached


def breakdown_cache_key(report: Report) -> str:
    computed = report.computed_at.isoformat() if report.computed_at else ""
    return f"dashboard:breakdown:{report.pk}:{computed}"


def _breakdown(year: int, month: int) -> dict:
    periods = Periods.of(year, month)
    year_range = (periods.year_start, periods.month_end)
    signed = (
        Project.objects.counting()
        .filter(signed_on__range=year_range)
        .values_list("origin", "industry__name")
        .annotate(total=Sum("signed_amount"))
        .order_by()
    )
    delivered = (
        CapitalDelivery.objects.filter(delivered_on__range=year_range)
        .values_list("project__origin", "project__industry__name")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_origin = {code: _nothing_yet(str(label)) for code, label in Project.Origin.choices}
    by_industry: dict[str, dict] = {}
    for measure, rows in (("signed", signed), ("delivered", delivered)):
        for origin, industry, total in rows:
            total = total or Decimal(0)
            by_origin.setdefault(origin, _nothing_yet(origin))
            by_origin[origin][measure] += total
            name = industry or "未填产业"
            by_industry.setdefault(name, _nothing_yet(name))
            by_industry[name][measure] += total
    industries = sorted(by_industry.values(), key=lambda entry: (-entry["signed"], entry["name"]))
    return {
        "origin": [_in_yi(entry) for entry in by_origin.values()],
        "industry": [_in_yi(entry) for entry in industries],
    }


def _nothing_yet(name: str) -> dict:
    return {"name": name, "signed": Decimal(0), "delivered": Decimal(0)}


def _in_yi(entry: dict) -> dict:
    def yi(value: Decimal) -> float:
        return float((value / WAN_PER_YI).quantize(Decimal("0.01")))

    return {"name": entry["name"], "signed": yi(entry["signed"]), "delivered": yi(entry["delivered"])}
