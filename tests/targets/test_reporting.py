"""The figures of the monthly report (DESIGN §3), on small hand-built data."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Project
from targets.models import Indicator, ReportRow
from targets.reporting import build_rows, report_compute_month
from targets.reporting.figures import Periods, percent, time_progress
from tests.factories import (
    CapitalDeliveryFactory,
    IndicatorFactory,
    IndustryFactory,
    ProjectFactory,
    TargetFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
day = datetime.date
SIGNED = Indicator.Measure.SIGNED_AMOUNT
DELIVERED = Indicator.Measure.DELIVERED_AMOUNT
COUNT = Indicator.Measure.PROJECT_COUNT


# --- helpers --------------------------------------------------------------------------------------


def signed(unit, on, amount="100", **fields) -> Project:
    fields.setdefault("stage", Project.Stage.SIGNED)
    return ProjectFactory(unit=unit, signed_on=on, signed_amount=D(amount), **fields)


def dropped(unit, on, amount="100", dropped_on=None, **fields) -> Project:
    return signed(unit, on, amount, stage=Project.Stage.DROPPED, dropped_on=dropped_on or on, **fields)


def deliver(project, on, amount):
    return CapitalDeliveryFactory(project=project, delivered_on=on, amount=D(amount))


def indicator(code, measure=SIGNED, **fields) -> Indicator:
    if measure == COUNT:
        fields.setdefault("basis", Indicator.Basis.SIGNED)
    return IndicatorFactory(code=code, name=code, measure=measure, **fields)


def compute(year, month) -> dict:
    """Run the real computation and read its rows back: {(indicator code, unit code or None): row}."""
    report = report_compute_month(year=year, month=month)
    rows = ReportRow.objects.filter(report=report).select_related("indicator", "unit")
    return {(row.indicator.code, row.unit.code if row.unit else None): row for row in rows}


def figures(row) -> tuple:
    return row.month_value, row.ytd_value, row.last_year_ytd


@pytest.fixture
def a():
    return UnitFactory(code="a", name="甲县")


@pytest.fixture
def b():
    return UnitFactory(code="b", name="乙区")


# --- arithmetic -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "expected"),
    [(1, "8.3"), (2, "16.7"), (3, "25.0"), (5, "41.7"), (6, "50.0"), (7, "58.3"), (11, "91.7"), (12, "100.0")],
)
def test_time_progress_is_month_over_twelve_one_decimal_half_up(month, expected):
    assert time_progress(month) == D(expected)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        ("1127", "1000", "112.7"),
        ("100", "1600", "6.3"),  # 6.25: half-up, not banker's 6.2
        ("100", "800", "12.5"),
        ("1", "3", "33.3"),
        ("2", "3", "66.7"),
        ("-10", "800", "-1.3"),  # -1.25: half away from zero
        ("5", "0", None),
        ("5", None, None),
    ],
)
def test_percent(part, whole, expected):
    assert percent(D(part), D(whole) if whole is not None else None) == (D(expected) if expected else None)


def test_periods_of_a_leap_february_and_the_one_after():
    assert Periods.of(2012, 2) == Periods(
        month_start=day(2012, 2, 1), month_end=day(2012, 2, 29), year_start=day(2012, 1, 1),
        last_year_start=day(2011, 1, 1), last_year_end=day(2011, 2, 28),
    )  # fmt: skip
    assert Periods.of(2013, 2).last_year_end == day(2012, 2, 29)
    assert Periods.of(2011, 12).month_end == day(2011, 12, 31)


# --- measures -------------------------------------------------------------------------------------


def test_signed_amount_month_ytd_and_last_year(a, b):
    indicator("signed")
    signed(a, day(2011, 3, 15), "100")
    signed(b, day(2011, 3, 31), "50")  # last day of the month
    signed(a, day(2011, 4, 1), "7")  # the next month
    signed(a, day(2011, 1, 1), "3")  # the year's first day
    signed(a, day(2010, 12, 31), "11")  # last year, after last year's March
    signed(a, day(2010, 3, 31), "30")  # last year's ytd, its last day
    signed(a, day(2010, 4, 1), "1000")
    signed(a, day(2011, 3, 10), "5", stage=Project.Stage.STARTED)
    signed(b, day(2011, 2, 10), "6", stage=Project.Stage.PRODUCING)
    dropped(a, day(2011, 3, 10), "999")  # dropped: never counts
    ProjectFactory(unit=a, stage=Project.Stage.NEGOTIATING, signed_on=day(2011, 3, 3), signed_amount=D("888"))

    rows = compute(2011, 3)

    assert figures(rows["signed", "a"]) == (D("105"), D("108"), D("30"))
    assert figures(rows["signed", "b"]) == (D("50"), D("56"), D("0"))
    assert figures(rows["signed", None]) == (D("155"), D("164"), D("30"))
    assert rows["signed", None].yoy_pct == D("446.7")  # (164 - 30) / 30
    assert rows["signed", "b"].yoy_pct is None  # nothing last year


def test_december_takes_the_whole_year_and_not_the_next(a):
    indicator("signed")
    signed(a, day(2011, 12, 31), "10")
    signed(a, day(2012, 1, 1), "20")
    signed(a, day(2011, 1, 1), "1")
    signed(a, day(2010, 12, 31), "4")
    signed(a, day(2010, 1, 1), "2")
    signed(a, day(2009, 12, 31), "8")

    rows = compute(2011, 12)
    assert figures(rows["signed", "a"]) == (D("10"), D("11"), D("6"))

    january = compute(2012, 1)
    assert figures(january["signed", "a"]) == (D("20"), D("20"), D("1"))


def test_delivered_amount_counts_tranches_in_the_period_even_of_dropped_projects(a, b):
    indicator("delivered", DELIVERED)
    big = signed(a, day(2010, 5, 1), "6000")
    deliver(big, day(2010, 5, 1), "100")  # last year, in last year's May ytd
    deliver(big, day(2010, 6, 1), "1")  # last year, after May
    deliver(big, day(2011, 1, 1), "200")
    deliver(big, day(2011, 5, 31), "300")
    deliver(big, day(2011, 6, 1), "400")  # next month
    gone = dropped(b, day(2011, 2, 1), "500", dropped_on=day(2011, 5, 20))
    deliver(gone, day(2011, 5, 2), "70")  # a dropped project's tranche still counts
    lead = ProjectFactory(unit=b)  # a lead: neither signed nor delivered

    rows = compute(2011, 5)

    assert figures(rows["delivered", "a"]) == (D("300"), D("500"), D("100"))
    assert figures(rows["delivered", "b"]) == (D("70"), D("70"), D("0"))
    assert figures(rows["delivered", None]) == (D("370"), D("570"), D("100"))
    assert lead.pk


def test_project_count_on_the_signed_basis(a, b):
    indicator("count", COUNT)
    signed(a, day(2011, 6, 30))
    signed(a, day(2011, 6, 1), stage=Project.Stage.PRODUCING, started_on=day(2011, 6, 1), producing_on=day(2011, 6, 2))
    signed(b, day(2011, 2, 1))
    signed(b, day(2010, 6, 30))
    signed(b, day(2011, 7, 1))
    dropped(a, day(2011, 6, 15))

    rows = compute(2011, 6)

    assert figures(rows["count", "a"]) == (2, 2, 0)
    assert figures(rows["count", "b"]) == (0, 1, 1)
    assert figures(rows["count", None]) == (2, 3, 1)


def test_project_count_ongoing_carries_projects_over_and_drops_those_producing_before_the_year(a, b):
    indicator("ongoing", COUNT, basis=Indicator.Basis.ONGOING, category=Project.Category.SOCIAL)
    social = {"category": Project.Category.SOCIAL}
    started = {"stage": Project.Stage.STARTED}
    producing = {"stage": Project.Stage.PRODUCING}
    signed(a, day(2009, 5, 1), started_on=day(2009, 6, 1), **started, **social)  # carried over
    signed(a, day(2009, 5, 1), started_on=day(2009, 6, 1), producing_on=day(2010, 6, 1), **producing, **social)
    signed(b, day(2010, 2, 1), started_on=day(2010, 3, 1), producing_on=day(2011, 2, 1), **producing, **social)
    signed(b, day(2010, 12, 31), producing_on=None, **social)  # carried over from the year's eve
    signed(a, day(2011, 3, 5), **social)  # this month
    signed(a, day(2011, 3, 31), **social)  # this month, its last day
    signed(b, day(2011, 1, 15), **social)  # earlier this year
    signed(b, day(2011, 4, 1), **social)  # after the month
    signed(a, day(2011, 3, 6))  # not social
    dropped(a, day(2010, 1, 1), dropped_on=day(2011, 5, 1), **social)  # dropped: never counts
    ProjectFactory(unit=a, stage=Project.Stage.NEGOTIATING, **social)  # not signed

    rows = compute(2011, 3)

    # a: the 2009 project still building + two signed in March; the one producing since 2010 is out.
    assert figures(rows["ongoing", "a"]) == (2, 3, 2)
    # b: producing only since February 2011 (still counts this year), carried over from 31 Dec, January's.
    assert figures(rows["ongoing", "b"]) == (0, 3, 1)
    assert figures(rows["ongoing", None]) == (2, 6, 3)
    # Last year (to 31 March 2010, not producing before 1 January 2010): a's two 2009 projects, b's of February.


def test_ongoing_month_value_is_what_the_month_adds_to_the_count(a):
    indicator("ongoing", COUNT, basis=Indicator.Basis.ONGOING)
    signed(a, day(2010, 7, 1))
    for signed_on in (day(2011, 1, 10), day(2011, 2, 10), day(2011, 2, 20), day(2011, 4, 1)):
        signed(a, signed_on)

    by_month = {month: compute(2011, month)["ongoing", "a"] for month in (1, 2, 3, 4)}

    assert [by_month[m].month_value for m in (1, 2, 3, 4)] == [1, 2, 0, 1]
    assert [by_month[m].ytd_value for m in (1, 2, 3, 4)] == [2, 4, 4, 5]
    for month in (2, 3, 4):
        assert by_month[month].ytd_value - by_month[month - 1].ytd_value == by_month[month].month_value


def test_leap_year_february(a):
    indicator("signed")
    indicator("delivered", DELIVERED)
    leap_day = signed(a, day(2012, 2, 29), "29")
    deliver(leap_day, day(2012, 2, 29), "2.9")
    signed(a, day(2011, 2, 28), "28")
    signed(a, day(2011, 3, 1), "31")  # after last year's February
    signed(a, day(2013, 2, 28), "13")

    leap = compute(2012, 2)
    assert figures(leap["signed", "a"]) == (D("29"), D("29"), D("28"))
    assert figures(leap["delivered", "a"]) == (D("2.9"), D("2.9"), D("0"))

    after = compute(2013, 2)  # last year's February ended on the 29th
    assert figures(after["signed", "a"]) == (D("13"), D("13"), D("29"))
    assert figures(after["delivered", "a"]) == (D("0"), D("0"), D("2.9"))


# --- filters --------------------------------------------------------------------------------------

FILTERS = [
    pytest.param(
        {"origins": ["out_of_province", "overseas"]}, {"origin": "overseas"}, {"origin": "local"}, id="origins"
    ),
    pytest.param({"category": "social"}, {"category": "social"}, {"category": "service"}, id="category"),
    pytest.param(
        {"returning_merchant": True},
        {"returning_merchant": True, "origin": "out_of_province"},
        {"returning_merchant": False, "origin": "out_of_province"},
        id="returning_merchant",
    ),
    pytest.param(
        {"returning_merchant": False},
        {"returning_merchant": False, "origin": "out_of_province"},
        {"returning_merchant": True, "origin": "out_of_province"},
        id="not_returning_merchant",
    ),
    pytest.param({"mountain_sea": True}, {"mountain_sea": True}, {"mountain_sea": False}, id="mountain_sea"),
    pytest.param({"mountain_sea": False}, {"mountain_sea": False}, {"mountain_sea": True}, id="not_mountain_sea"),
    pytest.param(
        {"min_total_investment": D("10000")},
        {"total_investment": D("10000")},  # the threshold itself counts (≥)
        {"total_investment": D("9999.99")},
        id="min_total_investment",
    ),
    pytest.param({"channel": "chamber"}, {"channel": "chamber"}, {"channel": "event"}, id="channel"),
]


@pytest.mark.parametrize("measure", [SIGNED, DELIVERED, COUNT])
@pytest.mark.parametrize(("spec", "matching", "other"), FILTERS)
def test_each_filter_narrows_every_measure(a, measure, spec, matching, other):
    indicator("filtered", measure, **spec)
    indicator("unfiltered", measure)
    yes = signed(a, day(2011, 8, 8), "80", **matching)
    no = signed(a, day(2011, 8, 9), "9", **other)
    deliver(yes, day(2011, 8, 8), "8")
    deliver(no, day(2011, 8, 9), "0.9")

    rows = compute(2011, 8)

    expected = {SIGNED: (D("80"), D("89")), DELIVERED: (D("8"), D("8.9")), COUNT: (1, 2)}[measure]
    assert rows["filtered", "a"].ytd_value == expected[0]
    assert rows["unfiltered", "a"].ytd_value == expected[1]  # an empty filter does not narrow


@pytest.mark.parametrize("measure", [SIGNED, DELIVERED, COUNT])
def test_industries_filter_is_a_set(a, measure):
    chips, cars, food = IndustryFactory(code="chips"), IndustryFactory(code="cars"), IndustryFactory(code="food")
    IndicatorFactory(code="tech", measure=measure, basis="signed" if measure == COUNT else "").industries.set(
        [chips, cars]
    )
    for industry, amount in ((chips, "1"), (cars, "10"), (food, "100"), (None, "1000")):
        project = signed(a, day(2011, 8, 8), amount, industry=industry)
        deliver(project, day(2011, 8, 8), amount)

    rows = compute(2011, 8)

    assert rows["tech", "a"].ytd_value == (2 if measure == COUNT else D("11"))


def test_filters_combine(a):
    indicator(
        "major_out_of_city", COUNT, origins=["out_of_city", "out_of_province", "overseas"],
        min_total_investment=D("10000"),
    )  # fmt: skip
    signed(a, day(2011, 8, 1), origin="out_of_city", total_investment=D("20000"))
    signed(a, day(2011, 8, 1), origin="local", total_investment=D("20000"))
    signed(a, day(2011, 8, 1), origin="overseas", total_investment=D("5000"))

    assert compute(2011, 8)["major_out_of_city", "a"].ytd_value == 1


# --- targets, completion, pace, year on year ------------------------------------------------------


def test_target_completion_pace_and_yoy(a, b):
    c = UnitFactory(code="c")
    ind = indicator("signed")
    TargetFactory(indicator=ind, unit=None, value=D("2000"))
    TargetFactory(indicator=ind, unit=a, value=D("1000"))
    TargetFactory(indicator=ind, unit=c, value=D("0"))
    TargetFactory(indicator=ind, unit=b, value=D("5"), year=2010)  # another year's target does not apply
    signed(a, day(2011, 6, 1), "1127")
    signed(a, day(2010, 6, 1), "1000")
    signed(b, day(2011, 6, 1), "10")
    signed(c, day(2011, 6, 1), "10")

    rows = compute(2011, 6)

    city, row_a, row_b, row_c = rows["signed", None], rows["signed", "a"], rows["signed", "b"], rows["signed", "c"]
    assert (city.target, city.completion_pct, city.time_progress_pct) == (D("2000"), D("57.4"), D("50.0"))
    assert (row_a.target, row_a.completion_pct, row_a.pace) == (D("1000"), D("112.7"), ReportRow.Pace.AHEAD)
    assert row_a.yoy_pct == D("12.7")
    assert city.yoy_pct == D("14.7")  # 1147 against 1000
    # No target for this year: no completion, no pace.
    assert (row_b.target, row_b.completion_pct, row_b.pace) == (None, None, "")
    # A target of 0: shown, but no ratio to it.
    assert (row_c.target, row_c.completion_pct, row_c.pace) == (D("0"), None, "")


@pytest.mark.parametrize(
    ("ytd", "pace"),
    [
        ("600", "ahead"),
        ("500", "ahead"),
        ("499.95", "ahead"),  # shows 50.0: compared as published
        ("499.4", "lagging"),  # 49.9
        ("400", "lagging"),  # 40.0: ten points behind is still lagging
        ("399.4", "behind"),  # 39.9
        ("0", "behind"),
    ],
)
def test_pace_against_june_time_progress_of_fifty(a, ytd, pace):
    ind = indicator("signed")
    TargetFactory(indicator=ind, unit=a, value=D("1000"))
    if D(ytd):
        signed(a, day(2011, 6, 1), ytd)

    row = compute(2011, 6)["signed", "a"]

    assert row.time_progress_pct == D("50.0")
    assert row.pace == pace  # lagging: at most 10 points behind the calendar (40.0 still lagging)


def test_last_year_zero_gives_no_yoy_and_this_year_zero_gives_minus_hundred(a, b):
    ind = indicator("signed")
    TargetFactory(indicator=ind, unit=a, value=D("100"))
    signed(a, day(2011, 2, 1), "50")
    signed(b, day(2010, 2, 1), "50")

    rows = compute(2011, 2)

    assert (rows["signed", "a"].last_year_ytd, rows["signed", "a"].yoy_pct) == (D("0"), None)
    assert rows["signed", "a"].completion_pct == D("50.0")
    assert (rows["signed", "b"].ytd_value, rows["signed", "b"].yoy_pct) == (D("0"), D("-100.0"))


# --- ranks and scopes -----------------------------------------------------------------------------


def test_ranks_ties_share_and_units_without_target_come_last():
    ind = indicator("signed")
    units = {code: UnitFactory(code=code) for code in "pqrstuvwxy"}
    plan = {  # unit: (target, ytd)
        "p": ("100", "90"),  # 90.0 %      → 1
        "q": ("100", "80"),  # 80.0 %      → 2 (full tie with r)
        "r": ("100", "80"),  # 80.0 %      → 2
        "s": ("2000", "1000"),  # 50.0 %, bigger ytd → 4
        "t": ("1000", "500"),  # 50.0 %    → 5
        "u": ("1000.4", "500"),  # 49.98 → 50.0 % shown, ytd 500: full tie with t → 5
        "v": (None, "10000"),  # no target → after all with one, by ytd
        "w": ("0", "7"),  # target 0: no completion → with those without a target
        "x": (None, "7"),  # ties with w on ytd
        "y": (None, None),  # nothing at all
    }
    for code, (target, ytd) in plan.items():
        if target is not None:
            TargetFactory(indicator=ind, unit=units[code], value=D(target))
        if ytd is not None:
            signed(units[code], day(2011, 6, 1), ytd)

    rows = compute(2011, 6)

    ranks = {code: rows["signed", code].rank for code in plan}
    assert ranks == {"p": 1, "q": 2, "r": 2, "s": 4, "t": 5, "u": 5, "v": 7, "w": 8, "x": 8, "y": 10}
    assert rows["signed", None].rank is None


def test_every_unit_and_the_city_get_a_row_for_every_active_indicator(a, b):
    UnitFactory(code="empty")
    indicator("signed")
    indicator("retired", active=False)
    signed(a, day(2011, 6, 1), "1")
    signed(b, day(2011, 6, 1), "2")

    rows = compute(2011, 6)

    active = set(Indicator.objects.filter(active=True).values_list("code", flat=True))
    assert {code for code, _unit in rows} == active
    assert len(rows) == len(active) * 4  # the city, a, b and the empty unit
    assert figures(rows["signed", "empty"]) == (D("0"), D("0"), D("0"))
    assert rows["signed", None].ytd_value == D("3")  # the city counts every unit's projects


def test_standard_indicators_on_one_project():
    """The ten standard indicators (data migration) on one project from outside the province."""
    unit = UnitFactory(code="kc")
    project = signed(
        unit, day(2011, 4, 1), "20000", origin="out_of_province", returning_merchant=True, mountain_sea=True,
        category="social", total_investment=D("30000"),
    )  # fmt: skip
    deliver(project, day(2011, 4, 2), "1500")

    city = {code: row for (code, unit_code), row in compute(2011, 4).items() if unit_code is None}

    assert {code: city[code].ytd_value for code in city} == {
        "signed_capital": D("20000"), "delivered_capital": D("1500"), "major_projects": 1,
        "out_of_province_delivered": D("1500"), "returning_merchant_delivered": D("1500"),
        "mountain_sea_projects": 1, "mountain_sea_signed": D("20000"), "mountain_sea_delivered": D("1500"),
        "social_projects": 1, "social_delivered": D("1500"),
    }  # fmt: skip


# --- SQL: the number of queries does not grow with the data ---------------------------------------


def _make_data(units: int, projects_per_unit: int):
    for n in range(units):
        unit = UnitFactory()
        for k in range(projects_per_unit):
            project = signed(unit, day(2011 - k % 2, 1 + k % 12, 1 + k % 28), str(10 + k), category="social")
            deliver(project, project.signed_on, "1")
            deliver(project, project.signed_on + datetime.timedelta(days=3), "2")
        if n % 2:
            dropped(unit, day(2011, 3, 3))


def test_build_rows_takes_seven_queries_whatever_the_data(django_assert_num_queries):
    industry = IndustryFactory()
    IndicatorFactory(code="by_industry").industries.set([industry])

    # indicators, their industries, units, the year's groups, targets, projects, deliveries
    with django_assert_num_queries(7):
        build_rows(year=2011, month=12)
    _make_data(units=5, projects_per_unit=12)
    with django_assert_num_queries(7):
        rows = build_rows(year=2011, month=12)
    assert len(rows) == Indicator.objects.filter(active=True).count() * 6


def test_report_compute_query_count_does_not_grow_with_data():
    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            report_compute_month(year=2011, month=6)
        return [q["sql"] for q in captured.captured_queries]

    report_compute_month(year=2011, month=6)  # the report exists from now on
    _make_data(units=1, projects_per_unit=1)
    small = queries()
    _make_data(units=4, projects_per_unit=15)
    large = queries()

    assert len(large) == len(small)
    # The only reads of projects and deliveries are the grouped ones.
    facts = [sql for sql in large if "projects_project" in sql]
    assert len(facts) == 2 and all("GROUP BY" in sql for sql in facts)
