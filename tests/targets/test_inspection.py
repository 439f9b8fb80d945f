"""The quarterly inspection's three rules at their boundaries: 179 vs 180 days without a start, delivered
capital just below and at signed amount × time progress, one vs two months behind the calendar."""

import datetime
from decimal import Decimal

import pytest

from projects.models import Project
from targets.inspection.rules import Quarter, behind_two_months, not_started, quarter_of, under_delivered
from targets.models import Report, ReportRow
from tests.factories import (
    CapitalDeliveryFactory,
    IndicatorFactory,
    ProjectFactory,
    ReportFactory,
    ReportRowFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

Q3 = Quarter(2011, 3)  # ends 2011-09-30; time progress 75.0 %
DAY = datetime.timedelta(days=1)


def _signed(days_before_end: int, quarter=Q3, **fields) -> Project:
    return ProjectFactory(
        stage=Project.Stage.SIGNED, signed_on=quarter.end - days_before_end * DAY, signed_amount=Decimal("10000"),
        **fields,
    )  # fmt: skip


def test_quarters():
    assert Q3.months == (7, 8, 9)
    assert Q3.end == datetime.date(2011, 9, 30)
    assert Q3.progress == Decimal("75.0")
    assert [Quarter(2011, n).progress for n in (1, 2, 4)] == [Decimal("25.0"), Decimal("50.0"), Decimal("100.0")]
    assert str(Q3) == "2011年第三季度"
    assert quarter_of(2011, 1) == Quarter(2011, 1) and quarter_of(2011, 12) == Quarter(2011, 4)


def test_a_project_signed_180_days_before_the_quarter_end_and_not_started_is_listed_179_is_not():
    due = _signed(180)
    _signed(179)

    assert list(not_started(Q3)) == [due]


def test_the_days_are_a_setting(settings):
    settings.INSPECTION_START_DAYS = 90
    due = _signed(90)
    _signed(89)

    assert list(not_started(Q3)) == [due]


def test_started_dropped_or_not_signed_projects_are_not_listed_as_not_started():
    started_in_time = _signed(300)
    started_in_time.stage, started_in_time.started_on = Project.Stage.STARTED, Q3.end - 10 * DAY
    started_in_time.save()
    started_after_the_quarter = _signed(300)
    started_after_the_quarter.stage, started_after_the_quarter.started_on = Project.Stage.STARTED, Q3.end + DAY
    started_after_the_quarter.save()
    dropped = _signed(300)
    dropped.stage, dropped.dropped_on = Project.Stage.DROPPED, Q3.end - DAY
    dropped.save()
    dropped_later = _signed(301)
    dropped_later.stage, dropped_later.dropped_on = Project.Stage.DROPPED, Q3.end + DAY
    dropped_later.save()
    ProjectFactory(stage=Project.Stage.NEGOTIATING, signed_on=Q3.end - 400 * DAY)  # a planned date, not signed

    # As of 30 September: not started yet (started in October), or dropped only in October.
    assert list(not_started(Q3)) == [dropped_later, started_after_the_quarter]


def _started(delivered: str | None, *, signed="10000", quarter=Q3, **fields) -> Project:
    project = ProjectFactory(
        stage=Project.Stage.STARTED, signed_on=datetime.date(quarter.year - 1, 6, 1), signed_amount=Decimal(signed),
        started_on=datetime.date(quarter.year - 1, 9, 1), **fields,
    )  # fmt: skip
    if delivered is not None:
        CapitalDeliveryFactory(project=project, delivered_on=quarter.end, amount=Decimal(delivered))
    return project


def test_delivered_just_below_signed_amount_times_time_progress_is_listed_at_it_is_not():
    below = _started("7499.99")  # 10000 × 75 % = 7500
    _started("7500.00")
    nothing = _started(None)

    listed = list(under_delivered(Q3))

    assert listed == [nothing, below]  # the largest shortfall first
    assert (listed[1].delivered, listed[1].expected) == (Decimal("7499.99"), Decimal("7500"))


def test_deliveries_after_the_quarter_end_and_producing_or_unstarted_projects_do_not_count():
    late = _started("5000")
    CapitalDeliveryFactory(project=late, delivered_on=Q3.end + DAY, amount=Decimal("5000"))
    producing = _started("1")
    producing.stage, producing.producing_on = Project.Stage.PRODUCING, Q3.end - DAY
    producing.save()
    _signed(300)  # signed, not started: the first list's business

    assert list(under_delivered(Q3)) == [late]  # only 5000 of its 10000 had come by 30 September


def _month(month, pace, unit, indicator, status=Report.Status.PROVISIONAL):
    report, _ = Report.objects.get_or_create(year=2011, month=month, defaults={"status": status})
    ReportRowFactory(
        report=report, unit=unit, indicator=indicator, pace=pace, completion_pct=Decimal("20.0"),
        time_progress_pct=Decimal(month * 100 / 12).quantize(Decimal("0.1")),
    )  # fmt: skip


def test_a_unit_behind_two_months_running_is_listed_one_month_is_not():
    indicator = IndicatorFactory(code="i-signed", name="招商引资协议引资额")
    other = IndicatorFactory(code="i-major", name="亿元以上项目", position=2)
    twice = UnitFactory(code="a-twice", name="江山市")
    once = UnitFactory(code="b-once", name="龙游县")
    apart = UnitFactory(code="c-apart", name="常山县")
    behind, lagging = ReportRow.Pace.BEHIND, ReportRow.Pace.LAGGING
    _month(7, behind, twice, indicator)
    _month(8, behind, twice, indicator)
    _month(9, behind, once, indicator)
    _month(8, lagging, once, indicator)  # 略滞后 is not 滞后
    _month(7, behind, apart, indicator)
    _month(8, behind, apart, other)  # two months, two different indicators
    _month(9, behind, apart, indicator)

    listed = behind_two_months(Q3)

    assert [(u.unit_name, u.indicator_name, u.months_words) for u in listed] == [
        ("江山市", "招商引资协议引资额", "7月、8月")
    ]


def test_the_run_may_begin_in_the_month_before_the_quarter_but_not_in_last_year():
    indicator = IndicatorFactory(code="i-signed")
    unit = UnitFactory(code="kecheng", name="柯城区")
    _month(6, ReportRow.Pace.BEHIND, unit, indicator)
    _month(7, ReportRow.Pace.BEHIND, unit, indicator)
    _month(1, ReportRow.Pace.BEHIND, unit, indicator)
    december = ReportFactory(year=2010, month=12, status=Report.Status.PUBLISHED, published_at="2011-01-05T00:00Z")
    ReportRowFactory(report=december, unit=unit, indicator=indicator, pace=ReportRow.Pace.BEHIND)

    assert [u.months for u in behind_two_months(Q3)] == [(6, 7)]
    assert behind_two_months(Quarter(2011, 1)) == []


def test_reports_not_finished_do_not_count():
    indicator = IndicatorFactory(code="i-signed")
    unit = UnitFactory(code="kecheng")
    _month(7, ReportRow.Pace.BEHIND, unit, indicator)
    _month(8, ReportRow.Pace.BEHIND, unit, indicator, status=Report.Status.FAILED)

    assert behind_two_months(Q3) == []
