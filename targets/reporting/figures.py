"""The figures of the monthly report (DESIGN §3), computed from today's data without writing anything.

The facts are read in a fixed number of grouped queries, whatever the number of projects,
deliveries or units: one over projects (signed amounts and project counts) and one over deliveries
(delivered amounts). Each computes, for every active indicator at once, the month, the year to date
and last year's year to date of every unit with conditional aggregates (`SUM(...) FILTER (WHERE ...)`),
so each table is read once. Only those per-unit totals reach Python; the city is their sum (every
project has a unit), an assessment group's the sum of its member units' (no further read of projects
per group), and ratios, pace and ranks follow from them in `Decimal` arithmetic.

Where §3 leaves a choice open, this module decides:

- *Signed* means at stage signed, started or producing (`Project.SIGNED_STAGES`) with `signed_on`:
  dropped projects never count toward signed amounts or project counts, and a lead or a negotiation
  with a planned signing date is not signed yet. Deliveries count whatever the project's stage.
- `project_count` on the `ongoing` basis (在建，含上年结转): `ytd_value` is the number of projects
  signed on or before the month's end and not producing before 1 January (`producing_on` empty or on
  or after 1 January) — the projects carried over from earlier years plus those signed this year.
  `month_value` is what that month added to the count: the projects of that set signed in the month
  (so month_value = ytd of this month − ytd of the month before). `last_year_ytd` is the same count a
  year earlier: signed by the same day last year and not producing before last year's 1 January.
- Groups are ranked among the groups of the year, units among units, each by the same rule. A group's
  last year's figure is the sum of its present members' last year: the group as it is assessed now.
- A target of 0 has no completion rate (there is no ratio to nothing): `completion_pct` is null,
  `pace` blank, and for ranking the unit counts as one without a target. The `target` column shows 0.
- Pace and ranks compare the published figures: `completion_pct` and `time_progress_pct` rounded to
  one decimal (then `ytd_value` for ranks), so every pace and rank can be checked from the table.
- A ratio beyond what its column holds (|x| ≥ 100,000,000 %) is left null rather than failing the
  whole report; it can only come from a target or last-year figure of a few yuan.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Aggregate, Count, Q, QuerySet, Sum

from accounts.models import Unit
from projects.models import CapitalDelivery, Project
from targets.models import Indicator, Report, ReportRow, Target, UnitGroup

ZERO = Decimal("0.00")
CENTS = Decimal("0.01")
ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal("100")
LAGGING_POINTS = Decimal("10")  # "lagging" is at most this many points behind the calendar
PCT_LIMIT = Decimal("99999999.9")  # the largest value completion_pct and yoy_pct hold (max_digits 9, 1 decimal)
# Indicators per grouped query: keeps a query within SQLite's 999 parameters and far from
# PostgreSQL's column limit. The ten standard indicators take one query per table.
INDICATORS_PER_QUERY = 20

Facts = tuple[Decimal, Decimal, Decimal]  # month, year to date, last year's year to date


@dataclass(frozen=True)
class Periods:
    """The date ranges (inclusive) of one report month."""

    month_start: datetime.date
    month_end: datetime.date
    year_start: datetime.date
    last_year_start: datetime.date
    last_year_end: datetime.date

    @classmethod
    def of(cls, year: int, month: int) -> Periods:
        def month_end(y: int) -> datetime.date:
            return datetime.date(y, month, calendar.monthrange(y, month)[1])

        return cls(
            month_start=datetime.date(year, month, 1),
            month_end=month_end(year),
            year_start=datetime.date(year, 1, 1),
            last_year_start=datetime.date(year - 1, 1, 1),
            # February of a leap year ends on the 29th, the February before it on the 28th.
            last_year_end=month_end(year - 1),
        )


# --- Arithmetic -----------------------------------------------------------------------------------


def round_pct(value: Decimal) -> Decimal | None:
    """One decimal, half away from zero (四舍五入); None beyond what the column holds."""
    rounded = value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    return rounded if abs(rounded) <= PCT_LIMIT else None


def percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """part / whole × 100, one decimal half-up; None without a whole (null or 0)."""
    if not whole:
        return None
    return round_pct(part * HUNDRED / whole)  # multiply first: exact whenever the ratio is


def time_progress(month: int) -> Decimal:
    return round_pct(Decimal(month) * HUNDRED / 12)


def pace_of(completion: Decimal | None, progress: Decimal) -> str:
    if completion is None:
        return ""
    if completion >= progress:
        return ReportRow.Pace.AHEAD
    if progress - completion <= LAGGING_POINTS:
        return ReportRow.Pace.LAGGING
    return ReportRow.Pace.BEHIND


def assign_ranks(rows: Sequence[ReportRow]) -> None:
    """Rank the unit rows of one indicator: completion highest first, then ytd; units without a
    completion rate after those with one; full ties share a rank (1, 2, 2, 4)."""

    def key(row: ReportRow) -> tuple:
        has_completion = row.completion_pct is not None
        return (not has_completion, -(row.completion_pct or 0), -row.ytd_value)

    previous, rank = None, 0
    for position, row in enumerate(sorted(rows, key=key), start=1):
        if key(row) != previous:
            previous, rank = key(row), position
        row.rank = rank


# --- What an indicator counts ---------------------------------------------------------------------


def indicator_filter(indicator: Indicator, industry_ids: Iterable[int], prefix: str = "") -> Q:
    """The indicator's filters as a condition on projects (prefix "project__" from a delivery).
    An empty filter does not narrow."""
    conditions = {}
    if indicator.origins:
        conditions["origin__in"] = list(indicator.origins)
    if indicator.category:
        conditions["category"] = indicator.category
    if indicator.returning_merchant is not None:
        conditions["returning_merchant"] = indicator.returning_merchant
    if indicator.mountain_sea is not None:
        conditions["mountain_sea"] = indicator.mountain_sea
    if indicator.min_total_investment is not None:
        conditions["total_investment__gte"] = indicator.min_total_investment
    industry_ids = sorted(industry_ids)
    if industry_ids:
        conditions["industry_id__in"] = industry_ids
    if indicator.channel:
        conditions["channel"] = indicator.channel
    return Q(**{prefix + lookup: value for lookup, value in conditions.items()})


def _not_producing_before(day: datetime.date) -> Q:
    return Q(producing_on__isnull=True) | Q(producing_on__gte=day)


# The three periods of a report row: the month alone, the year to date, last year's year to date.
MONTH, YTD, LAST_YEAR_YTD = "month", "ytd", "last_year_ytd"
PERIOD_COLUMNS = (MONTH, YTD, LAST_YEAR_YTD)


@dataclass(frozen=True)
class Scope:
    """What one figure counts: the rows of `model` that meet `condition`, summed over `field` (or
    counted, when `field` is "pk"). Projects are those that count (`Project.objects.counting()`);
    deliveries are every tranche, a dropped project's too (DESIGN §3).

    The report aggregates it (`column`) and the drill-down lists it (`rows`): one definition, so the
    list behind a figure is exactly what the figure counts."""

    model: type[Project] | type[CapitalDelivery]
    condition: Q
    field: str

    @property
    def counts(self) -> bool:
        return self.field == "pk"

    def measure(self, **options) -> Aggregate:
        """The sum (or count) the figure is, over whatever rows it is given."""
        return (Count if self.counts else Sum)(self.field, **options)

    def column(self) -> Aggregate:
        """The figure as a conditional aggregate over `base(model)` (SUM/COUNT ... FILTER (WHERE ...))."""
        return self.measure(filter=self.condition)

    def rows(self) -> QuerySet:
        """The rows behind the figure, unordered."""
        return base(self.model).filter(self.condition)


def base(model) -> QuerySet:
    """The rows a measure can ever count: projects that are signed and alive; every delivery."""
    return Project.objects.counting() if model is Project else CapitalDelivery.objects.all()


def _project_period(indicator: Indicator, p: Periods, period: str) -> Q:
    """When a project counts toward a signed-amount or count indicator in the period."""
    if indicator.measure == Indicator.Measure.PROJECT_COUNT and indicator.basis == Indicator.Basis.ONGOING:
        this_year, last_year = _not_producing_before(p.year_start), _not_producing_before(p.last_year_start)
        return {
            MONTH: Q(signed_on__range=(p.month_start, p.month_end)) & this_year,
            YTD: Q(signed_on__lte=p.month_end) & this_year,
            LAST_YEAR_YTD: Q(signed_on__lte=p.last_year_end) & last_year,
        }[period]
    return {
        MONTH: Q(signed_on__range=(p.month_start, p.month_end)),
        YTD: Q(signed_on__range=(p.year_start, p.month_end)),
        LAST_YEAR_YTD: Q(signed_on__range=(p.last_year_start, p.last_year_end)),
    }[period]


def _delivery_period(p: Periods, period: str) -> Q:
    return {
        MONTH: Q(delivered_on__range=(p.month_start, p.month_end)),
        YTD: Q(delivered_on__range=(p.year_start, p.month_end)),
        LAST_YEAR_YTD: Q(delivered_on__range=(p.last_year_start, p.last_year_end)),
    }[period]


def indicator_scope(indicator: Indicator, industry_ids: Iterable[int], p: Periods, period: str) -> Scope:
    """What the indicator counts in one period (MONTH, YTD or LAST_YEAR_YTD) of the report month `p`,
    over every unit. The one definition the report's aggregates and the drill-down's lists share."""
    if indicator.measure == Indicator.Measure.DELIVERED_AMOUNT:
        match = indicator_filter(indicator, industry_ids, prefix="project__")
        return Scope(CapitalDelivery, match & _delivery_period(p, period), "amount")
    match = indicator_filter(indicator, industry_ids)
    field = "signed_amount" if indicator.measure == Indicator.Measure.SIGNED_AMOUNT else "pk"
    return Scope(Project, match & _project_period(indicator, p, period), field)


def _columns(indicator: Indicator, industry_ids: Iterable[int], p: Periods) -> tuple[Aggregate, ...]:
    """Month, year to date and last year's year to date of an indicator, as aggregates."""
    return tuple(indicator_scope(indicator, industry_ids, p, period).column() for period in PERIOD_COLUMNS)


def _projects(indicators: Sequence[Indicator], p: Periods) -> QuerySet:
    """The projects any of the indicators can count: signed, not dropped, by the month's end, and
    either signed since last 1 January or (for the ongoing basis) carried over into last year."""
    recent = Q(signed_on__gte=p.last_year_start)
    if any(i.basis == Indicator.Basis.ONGOING for i in indicators):
        recent |= _not_producing_before(p.last_year_start)
    # Only narrows the scan: every period's condition (indicator_scope) lies within it.
    return base(Project).filter(recent, signed_on__lte=p.month_end)


def _grouped(
    queryset: QuerySet, unit_field: str, indicators: Sequence[Indicator], columns_of
) -> dict[tuple[int, int], Facts]:
    """Per (indicator, unit): the facts, INDICATORS_PER_QUERY indicators to a grouped query."""
    facts: dict[tuple[int, int], Facts] = {}
    for start in range(0, len(indicators), INDICATORS_PER_QUERY):
        chunk = indicators[start : start + INDICATORS_PER_QUERY]
        annotations = {}
        for indicator in chunk:
            for suffix, column in zip("myl", columns_of(indicator), strict=True):
                annotations[f"i{indicator.pk}_{suffix}"] = column
        for group in queryset.values(unit_field).annotate(**annotations).order_by():
            unit_id = group[unit_field]
            for indicator in chunk:
                facts[indicator.pk, unit_id] = tuple(
                    Decimal(group[f"i{indicator.pk}_{suffix}"] or 0).quantize(CENTS) for suffix in "myl"
                )
    return facts


def read_facts(indicators: Sequence[Indicator], p: Periods) -> dict[tuple[int, int], Facts]:
    """The grouped queries: at most one per table for every INDICATORS_PER_QUERY indicators."""
    industries = {i.pk: [industry.pk for industry in i.industries.all()] for i in indicators}
    on_projects = [i for i in indicators if i.measure != Indicator.Measure.DELIVERED_AMOUNT]
    on_deliveries = [i for i in indicators if i.measure == Indicator.Measure.DELIVERED_AMOUNT]
    facts = {}
    if on_projects:
        facts |= _grouped(_projects(on_projects, p), "unit_id", on_projects, lambda i: _columns(i, industries[i.pk], p))
    if on_deliveries:
        # Every tranche dated in the periods counts, a dropped project's too (DESIGN §3).
        deliveries = base(CapitalDelivery).filter(delivered_on__range=(p.last_year_start, p.month_end))
        facts |= _grouped(deliveries, "project__unit_id", on_deliveries, lambda i: _columns(i, industries[i.pk], p))
    return facts


# --- The rows -------------------------------------------------------------------------------------


def build_rows(*, year: int, month: int, report: Report | None = None) -> list[ReportRow]:
    """The report's rows as today's data gives them, unsaved: for each active indicator (in its
    position order) the city first, then every unit (in the units' order), then every assessment
    group of the year (in the groups' order).

    Queries: active indicators, their industries, units, the year's groups with their members,
    targets, and the grouped queries of `read_facts` — seven for the ten standard indicators,
    whatever the size of the data or the number of groups.
    """
    p = Periods.of(year, month)
    indicators = list(Indicator.objects.filter(active=True).prefetch_related("industries").order_by("position", "code"))
    unit_ids = list(Unit.objects.values_list("pk", flat=True))
    members = _group_members(year)
    targets = {
        (indicator_id, unit_id, group_id): value
        for indicator_id, unit_id, group_id, value in Target.objects.filter(
            year=year, indicator__active=True
        ).values_list("indicator_id", "unit_id", "group_id", "value")
    }
    facts = read_facts(indicators, p) if indicators else {}
    progress = time_progress(month)
    none: Facts = (ZERO, ZERO, ZERO)

    def row(indicator: Indicator, values: Facts, unit_id: int | None = None, group_id: int | None = None) -> ReportRow:
        month_value, ytd_value, last_year_ytd = values
        target = targets.get((indicator.pk, unit_id, group_id))
        completion = percent(ytd_value, target)
        return ReportRow(
            report=report, indicator=indicator, unit_id=unit_id, group_id=group_id,
            month_value=month_value, ytd_value=ytd_value, target=target,
            completion_pct=completion, time_progress_pct=progress, pace=pace_of(completion, progress),
            last_year_ytd=last_year_ytd, yoy_pct=percent(ytd_value - last_year_ytd, last_year_ytd),
        )  # fmt: skip

    rows: list[ReportRow] = []
    for indicator in indicators:
        unit_rows = [row(indicator, facts.get((indicator.pk, unit_id), none), unit_id=unit_id) for unit_id in unit_ids]
        assign_ranks(unit_rows)
        group_rows = [
            row(indicator, _sum_of(facts, indicator.pk, member_ids), group_id=group_id)
            for group_id, member_ids in members.items()
        ]
        assign_ranks(group_rows)  # groups are ranked among groups
        # The city counts every project whatever its unit: the sum over all units (a project always
        # has a unit, and a unit with projects cannot be deleted).
        rows.append(row(indicator, _sum_of(facts, indicator.pk, unit_ids)))
        rows.extend(unit_rows)
        rows.extend(group_rows)
    return rows


def _group_members(year: int) -> dict[int, list[int]]:
    """The year's assessment groups in their order, each with its member units' ids (a group without
    members too): one query."""
    members: dict[int, list[int]] = {}
    groups = UnitGroup.objects.filter(year=year).order_by("position", "code", "pk").values_list("pk", "units")
    for group_id, unit_id in groups:
        members.setdefault(group_id, [])
        if unit_id is not None:
            members[group_id].append(unit_id)
    return members


def _sum_of(facts: dict[tuple[int, int], Facts], indicator_id: int, unit_ids: Iterable[int]) -> Facts:
    """The sum of some units' facts of one indicator, from the facts already read: the city's figures
    are all units', a group's are its members'."""
    totals = [ZERO, ZERO, ZERO]
    for unit_id in unit_ids:
        for index, value in enumerate(facts.get((indicator_id, unit_id), ())):
            totals[index] += value
    return tuple(totals)

