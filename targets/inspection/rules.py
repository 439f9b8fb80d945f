"""The quarterly inspection (一季一督查): three lists as of a quarter's last day.

1. Signed projects not started INSPECTION_START_DAYS (180) days or more after signing: signed on or
   before the quarter's end minus those days, not started and not dropped by the quarter's end.
2. Projects under construction whose delivered capital lags: started by the quarter's end and
   neither producing nor dropped by then, whose deliveries up to the quarter's end are below their
   signed amount × the year's time progress at the quarter's end (25 % after March, 50 %, 75 %, 100 %).
3. Units behind the calendar (pace 滞后, ReportRow.Pace.BEHIND) on one indicator in two months
   running, the later of the two in the quarter, both in the same year's stored (finished) reports.

The project lists are querysets; what a user sees of them goes through `visible`, which counts the
whole list and the hidden confidential projects in one query and reads one capped page of rows.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from projects.models import Project, project_visibility
from targets.models import Report, ReportRow
from targets.reporting.figures import time_progress

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
FINISHED = (Report.Status.PROVISIONAL, Report.Status.PUBLISHED)
AMOUNT = DecimalField(max_digits=30, decimal_places=4)


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1-4

    @property
    def months(self) -> tuple[int, int, int]:
        last = self.number * 3
        return (last - 2, last - 1, last)

    @property
    def end(self) -> datetime.date:
        month = self.number * 3
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def progress(self) -> Decimal:
        """The year's time progress at the quarter's end, as the monthly report states it (%)."""
        return time_progress(self.number * 3)

    def __str__(self) -> str:
        return f"{self.year}年{QUARTER_NAMES[self.number]}"


def quarter_of(year: int, month: int) -> Quarter:
    return Quarter(year, (month - 1) // 3 + 1)


def _alive_at(day: datetime.date) -> Q:
    return Q(dropped_on__isnull=True) | Q(dropped_on__gt=day)


def not_started(quarter: Quarter, *, days: int | None = None) -> QuerySet[Project]:
    """List 1: signed `days` (INSPECTION_START_DAYS) or more days before the quarter's end and still
    not started at its end; the longest waiting first."""
    days = settings.INSPECTION_START_DAYS if days is None else days
    latest_signing = quarter.end - datetime.timedelta(days=days)
    return (
        Project.objects.filter(
            stage__in=(*Project.SIGNED_STAGES, Project.Stage.DROPPED), signed_on__lte=latest_signing,
        )
        .filter(Q(started_on__isnull=True) | Q(started_on__gt=quarter.end), _alive_at(quarter.end))
        .order_by("signed_on", "pk")
    )  # fmt: skip


def under_delivered(quarter: Quarter) -> QuerySet[Project]:
    """List 2: under construction at the quarter's end, delivered (to that day) below signed amount ×
    time progress. Annotated with `delivered` and `expected` (万元); the largest shortfall first."""
    progress = Value(quarter.progress, output_field=AMOUNT)
    expected = ExpressionWrapper(F("signed_amount") * progress / Value(Decimal("100")), output_field=AMOUNT)
    delivered = Coalesce(
        Sum("deliveries__amount", filter=Q(deliveries__delivered_on__lte=quarter.end)), Value(Decimal("0")),
        output_field=AMOUNT,
    )  # fmt: skip
    return (
        Project.objects.filter(
            stage__in=(Project.Stage.STARTED, Project.Stage.PRODUCING, Project.Stage.DROPPED),
            started_on__lte=quarter.end, signed_amount__isnull=False,
        )
        .filter(Q(producing_on__isnull=True) | Q(producing_on__gt=quarter.end), _alive_at(quarter.end))
        .annotate(delivered=delivered)
        .annotate(expected=expected)
        .filter(delivered__lt=F("expected"))
        .order_by(F("delivered") - F("expected"), "pk")
    )  # fmt: skip


@dataclass
class Listing:
    """What one user sees of a list: its size, the rows shown (at most `limit`), the hidden ones."""

    total: int
    hidden: int
    rows: list = field(default_factory=list)

    @property
    def visible(self) -> int:
        return self.total - self.hidden

    @property
    def capped(self) -> bool:
        return self.visible > len(self.rows)


def counts(queryset: QuerySet[Project], user) -> tuple[int, int]:
    """The list's size, confidential projects included (the bureau's whole list, DESIGN §5), and how
    many of them the user may not see: one query."""
    figures = queryset.aggregate(
        total=Count("pk", distinct=True), seen=Count("pk", filter=project_visibility(user), distinct=True)
    )
    return figures["total"], figures["total"] - figures["seen"]


def visible(queryset: QuerySet[Project], user, *, limit: int) -> Listing:
    """Two queries whatever the list's size: the counts, then the first `limit` rows the user may see."""
    total, hidden = counts(queryset, user)
    rows = list(queryset.filter(project_visibility(user)).select_related("unit")[:limit])
    return Listing(total=total, hidden=hidden, rows=rows)


@dataclass(frozen=True)
class BehindUnit:
    """A unit behind the calendar on one indicator in consecutive months."""

    unit_code: str
    unit_name: str
    indicator_name: str
    months: tuple[int, ...]
    completion_pct: Decimal | None  # of the latest month behind
    time_progress_pct: Decimal

    @property
    def months_words(self) -> str:
        return "、".join(f"{m}月" for m in self.months)


def behind_two_months(quarter: Quarter) -> list[BehindUnit]:
    """List 3, in one query: the unit rows behind (滞后) in a month of the quarter whose row of the
    month before, same year, unit and indicator, was behind too."""
    behind = Q(pace=ReportRow.Pace.BEHIND, unit__isnull=False, report__status__in=FINISHED)
    month_before = ReportRow.objects.filter(
        behind, report__year=OuterRef("report__year"), report__month=OuterRef("report__month") - 1,
        unit=OuterRef("unit"), indicator=OuterRef("indicator"),
    )  # fmt: skip
    rows = (
        ReportRow.objects.filter(behind, report__year=quarter.year, report__month__in=quarter.months)
        .filter(Exists(month_before))
        .values(
            "unit__code",
            "unit__name",
            "indicator__name",
            "indicator__position",
            "indicator__code",
            "report__month",
            "completion_pct",
            "time_progress_pct",
        )
        .order_by("unit__code", "indicator__position", "indicator__code", "report__month")
    )
    return _runs(list(rows))


def _runs(rows: Sequence[dict]) -> list[BehindUnit]:
    """One entry per (unit, indicator): every month of its runs, with the latest month's figures."""
    entries: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["unit__code"], row["indicator__code"])
        entry = entries.setdefault(key, {"months": set(), "row": row})
        entry["months"] |= {row["report__month"] - 1, row["report__month"]}
        entry["row"] = row  # ordered by month: the last one wins
    return [
        BehindUnit(
            unit_code=e["row"]["unit__code"],
            unit_name=e["row"]["unit__name"],
            indicator_name=e["row"]["indicator__name"],
            months=tuple(sorted(e["months"])),
            completion_pct=e["row"]["completion_pct"],
            time_progress_pct=e["row"]["time_progress_pct"],
        )  # fmt: skip
        for e in entries.values()
    ]
