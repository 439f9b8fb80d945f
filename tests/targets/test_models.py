"""Rules of indicators, targets and monthly reports: refused by validation with the right field and
message, nothing written, and refused by the database when validation is bypassed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from targets.models import Indicator, Report, ReportRow, Target
from tests.factories import IndicatorFactory, ReportFactory, ReportRowFactory, TargetFactory, UnitFactory
from tests.model_rules import assert_db_refuses, assert_refused, assert_valid

pytestmark = pytest.mark.django_db

Measure = Indicator.Measure
Basis = Indicator.Basis

BASIS_MESSAGE = "项目个数类指标须选择计数基准；金额类指标不填计数基准。"
ORIGINS_NOT_A_LIST = "资金来源须为来源编码的列表。"


# --- Indicators -----------------------------------------------------------------------------------


def test_a_project_count_needs_a_basis():
    assert_refused(IndicatorFactory.build(measure=Measure.PROJECT_COUNT, basis=""), "basis", BASIS_MESSAGE)


@pytest.mark.parametrize("measure", [Measure.SIGNED_AMOUNT, Measure.DELIVERED_AMOUNT])
@pytest.mark.parametrize("basis", [Basis.SIGNED, Basis.ONGOING])
def test_an_amount_has_no_basis(measure, basis):
    assert_refused(IndicatorFactory.build(measure=measure, basis=basis), "basis", BASIS_MESSAGE)


@pytest.mark.parametrize(
    ("measure", "basis"),
    [
        (Measure.PROJECT_COUNT, Basis.SIGNED),
        (Measure.PROJECT_COUNT, Basis.ONGOING),
        (Measure.SIGNED_AMOUNT, ""),
        (Measure.DELIVERED_AMOUNT, ""),
    ],
)
def test_measure_and_basis_that_fit(measure, basis):
    assert_valid(IndicatorFactory.build(measure=measure, basis=basis))


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"basis": ""}, "indicator_count_has_basis"),
        ({"measure": Measure.SIGNED_AMOUNT}, "indicator_count_has_basis"),
        ({"min_total_investment": Decimal("-1")}, "indicator_min_total_investment_not_negative"),
    ],
)
def test_the_database_refuses_an_invalid_indicator(changes, constraint):
    indicator = IndicatorFactory(measure=Measure.PROJECT_COUNT, basis=Basis.SIGNED)
    before = Indicator.objects.filter(pk=indicator.pk).values().get()

    assert_db_refuses(lambda: Indicator.objects.filter(pk=indicator.pk).update(**changes), constraint)

    assert Indicator.objects.filter(pk=indicator.pk).values().get() == before


@pytest.mark.parametrize("origins", ["out_of_city", {"out_of_city": True}, [1], ["out_of_city", None], None])
def test_origins_are_a_list_of_codes(origins):
    assert_refused(IndicatorFactory.build(origins=origins), "origins", ORIGINS_NOT_A_LIST)


def test_origins_are_known_codes():
    indicator = IndicatorFactory.build(origins=["out_of_province", "mars", "Local"])

    assert_refused(
        indicator, "origins", "未知的资金来源：Local, mars；可选：local, out_of_city, out_of_province, overseas。"
    )


def test_origins_do_not_repeat():
    indicator = IndicatorFactory.build(origins=["overseas", "out_of_city", "overseas"])

    assert_refused(indicator, "origins", "资金来源不能重复。")


@pytest.mark.parametrize("origins", [[], ["local"], ["local", "out_of_city", "out_of_province", "overseas"]])
def test_any_set_of_known_origins_is_valid(origins):
    assert_valid(IndicatorFactory.build(origins=origins))


def test_the_minimum_total_investment_cannot_be_negative():
    indicator = IndicatorFactory.build(min_total_investment=Decimal("-0.01"))

    assert_refused(indicator, "min_total_investment", "总投资下限不能为负数。")


def test_the_minimum_total_investment_may_be_zero():
    assert_valid(IndicatorFactory.build(min_total_investment=0))


# --- Targets --------------------------------------------------------------------------------------


@pytest.fixture
def indicator():
    return IndicatorFactory(code="test_signed")


@pytest.fixture
def county():
    return UnitFactory(code="jiangshan", name="江山市")


def test_one_target_per_year_indicator_and_unit(indicator, county):
    TargetFactory(indicator=indicator, unit=county, value=Decimal("100"))

    assert_refused(
        TargetFactory.build(indicator=indicator, unit=county, value=Decimal("200")),
        "__all__",
        "该年度、指标和单位的目标已存在。",
    )
    assert Target.objects.get().value == Decimal("100")


def test_one_city_target_per_year_and_indicator(indicator):
    TargetFactory(indicator=indicator, unit=None, value=Decimal("320000"))

    assert_refused(
        TargetFactory.build(indicator=indicator, unit=None, value=Decimal("1")),
        "__all__",
        "该年度、指标的全市目标已存在。",
    )
    assert Target.objects.get().value == Decimal("320000")


def test_the_database_refuses_a_second_target_for_a_unit(indicator, county):
    TargetFactory(indicator=indicator, unit=county)

    assert_db_refuses(TargetFactory.build(indicator=indicator, unit=county).save)

    assert Target.objects.count() == 1


def test_the_database_refuses_a_second_city_target(indicator):
    TargetFactory(indicator=indicator, unit=None)

    assert_db_refuses(TargetFactory.build(indicator=indicator, unit=None).save)

    assert Target.objects.count() == 1


def test_city_and_unit_targets_of_a_year_live_side_by_side(indicator, county):
    other = UnitFactory(code="longyou", name="龙游县")
    TargetFactory(indicator=indicator, unit=None)
    TargetFactory(indicator=indicator, unit=county)
    for target in [
        TargetFactory.build(indicator=indicator, unit=other),
        TargetFactory.build(indicator=indicator, unit=county, year=2012),
        TargetFactory.build(indicator=indicator, unit=None, year=2012),
        TargetFactory.build(indicator=IndicatorFactory(), unit=None),
    ]:
        assert_valid(target)

    assert Target.objects.count() == 6


def test_an_existing_target_can_be_changed(indicator, county):
    target = TargetFactory(indicator=indicator, unit=None)
    TargetFactory(indicator=indicator, unit=county)
    target.value = Decimal("123.45")

    assert_valid(target)
    target.refresh_from_db()
    assert target.value == Decimal("123.45")


def test_a_target_value_cannot_be_negative(indicator):
    assert_refused(TargetFactory.build(indicator=indicator, value=Decimal("-1")), "value", "目标值不能为负数。")


def test_a_target_value_may_be_zero(indicator):
    assert_valid(TargetFactory.build(indicator=indicator, value=0))


@pytest.mark.parametrize("year", [1999, 2101])
def test_a_target_year_is_plausible(indicator, year):
    assert_refused(TargetFactory.build(indicator=indicator, year=year), "year", "年度须在 2000 至 2100 之间。")


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [({"value": Decimal("-1")}, "target_value_not_negative"), ({"year": 1999}, "target_year_sane")],
)
def test_the_database_refuses_an_invalid_target(indicator, changes, constraint):
    target = TargetFactory(indicator=indicator)

    assert_db_refuses(lambda: Target.objects.filter(pk=target.pk).update(**changes), constraint)

    target.refresh_from_db()
    assert (target.year, target.value) == (2011, Decimal("10000.00"))


# --- Reports --------------------------------------------------------------------------------------


@pytest.mark.parametrize("month", [0, 13])
def test_a_report_month_is_one_to_twelve(month):
    assert_refused(ReportFactory.build(month=month), "month", "月份须在 1 至 12 之间。")


@pytest.mark.parametrize("month", [1, 12])
def test_the_first_and_last_months_are_valid(month):
    assert_valid(ReportFactory.build(month=month))


def test_one_report_per_month():
    ReportFactory(year=2011, month=6)

    assert_refused(ReportFactory.build(year=2011, month=6), "__all__", "该月的通报已存在。")
    assert_valid(ReportFactory.build(year=2012, month=6))
    assert_valid(ReportFactory.build(year=2011, month=7))


def test_a_published_report_has_its_publishing_time():
    report = ReportFactory.build(status=Report.Status.PUBLISHED)

    assert_refused(report, "published_at", "已发布的通报须有发布时间。")


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"month": 0}, "report_month_range"),
        ({"month": 13}, "report_month_range"),
        ({"year": 2101}, "report_year_sane"),
        ({"status": Report.Status.PUBLISHED}, "report_published_has_when"),
    ],
)
def test_the_database_refuses_an_invalid_report(changes, constraint):
    report = ReportFactory(status=Report.Status.PROVISIONAL)

    assert_db_refuses(lambda: Report.objects.filter(pk=report.pk).update(**changes), constraint)

    report.refresh_from_db()
    assert (report.year, report.month, report.status) == (2011, 12, Report.Status.PROVISIONAL)


def test_the_database_refuses_a_second_report_of_a_month():
    ReportFactory(year=2011, month=6)

    assert_db_refuses(ReportFactory.build(year=2011, month=6).save)

    assert Report.objects.count() == 1


def test_a_published_report_with_its_time_is_valid():
    assert_valid(ReportFactory.build(status=Report.Status.PUBLISHED, published_at=timezone.now()))


# --- Report rows: one per (indicator, scope), the city included --------------------------------------


@pytest.fixture
def report():
    return ReportFactory(year=2011, month=12)


def test_one_row_per_indicator_and_unit(report, indicator, county):
    ReportRowFactory(report=report, indicator=indicator, unit=county)
    duplicate = ReportRowFactory.build(report=report, indicator=indicator, unit=county)

    assert_refused_as_a_whole(duplicate)
    assert_db_refuses(duplicate.save)

    assert ReportRow.objects.count() == 1


def test_one_city_row_per_indicator(report, indicator):
    ReportRowFactory(report=report, indicator=indicator, unit=None)
    duplicate = ReportRowFactory.build(report=report, indicator=indicator, unit=None)

    assert_refused_as_a_whole(duplicate)
    assert_db_refuses(duplicate.save)

    assert ReportRow.objects.count() == 1


def test_the_city_row_and_unit_rows_live_side_by_side(report, indicator, county):
    ReportRowFactory(report=report, indicator=indicator, unit=None)
    ReportRowFactory(report=report, indicator=indicator, unit=county)
    for row in [
        ReportRowFactory.build(report=report, indicator=indicator, unit=UnitFactory(code="kaihua")),
        ReportRowFactory.build(report=report, indicator=IndicatorFactory(), unit=None),
        ReportRowFactory.build(report=ReportFactory(year=2011, month=11), indicator=indicator, unit=None),
    ]:
        assert_valid(row)

    assert ReportRow.objects.count() == 5


def assert_refused_as_a_whole(row: ReportRow) -> None:
    """A duplicate row is refused as a whole (no single field is wrong), and nothing is written."""
    count = ReportRow.objects.count()
    with pytest.raises(ValidationError) as info:
        row.full_clean()
        row.save()
    assert list(info.value.message_dict) == ["__all__"], info.value.message_dict
    assert len(info.value.message_dict["__all__"]) == 1
    assert ReportRow.objects.count() == count
