"""Assessment groups (大组): the model's rules, their service, and their rows in the monthly report."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import ProtectedError

from targets import services
from targets.models import Indicator, ReportRow, Target, UnitGroup
from targets.reporting import ReportPublishedError, build_rows, report_compute_month, report_publish
from tests.factories import (
    IndicatorFactory,
    ProjectFactory,
    ReportFactory,
    ReportRowFactory,
    TargetFactory,
    UnitFactory,
    UnitGroupFactory,
    UserFactory,
)
from tests.model_rules import assert_db_refuses

pytestmark = pytest.mark.django_db

D = Decimal


def signed(unit, on, amount):
    return ProjectFactory(unit=unit, stage="signed", signed_on=on, signed_amount=D(amount))


# --- The model's rules and the service ------------------------------------------------------------


def test_a_group_bundles_units_of_a_year(admin_user):
    a, b = UnitFactory(), UnitFactory()
    group = services.unit_group_create(actor=admin_user, year=2011, code="2011-1", name="市直第一组", units=[a, b])

    group.refresh_from_db()
    assert set(group.units.all()) == {a, b}
    assert str(group) == "2011 市直第一组"
    assert group.history.latest().history_user == admin_user


def test_a_unit_is_in_at_most_one_group_of_a_year(admin_user):
    a, b = UnitFactory(name="市发改委"), UnitFactory()
    first = services.unit_group_create(actor=admin_user, year=2011, code="2011-1", name="市直第一组", units=[a])

    with pytest.raises(ValidationError) as refused:
        services.unit_group_create(actor=admin_user, year=2011, code="2011-2", name="市直第二组", units=[a, b])

    assert refused.value.message_dict == {"units": ["一个单位每年只能属于一个考核大组：市发改委（已属于市直第一组）。"]}
    assert list(UnitGroup.objects.values_list("code", flat=True)) == ["2011-1"]
    # Another year is another assessment; and a group may keep (or re-set) its own members.
    services.unit_group_create(actor=admin_user, year=2012, code="2012-1", name="市直第一组", units=[a])
    services.unit_group_save(actor=admin_user, group=first, units=[a, b], name="市直一组")
    assert set(first.units.all()) == {a, b}


def test_moving_a_group_to_a_year_where_its_members_are_taken_is_refused(admin_user):
    a = UnitFactory()
    UnitGroupFactory(year=2012, units=[a])
    group = UnitGroupFactory(year=2011, units=[a])

    with pytest.raises(ValidationError) as refused:
        services.unit_group_save(actor=admin_user, group=group, year=2012)

    assert "units" in refused.value.message_dict
    group.refresh_from_db()
    assert group.year == 2011


def test_a_group_name_is_unique_in_its_year():
    UnitGroupFactory(year=2011, name="市直第一组")
    with pytest.raises(ValidationError) as refused:
        UnitGroupFactory.build(year=2011, name="市直第一组").full_clean()
    assert "该年度已有同名的考核大组。" in str(refused.value)
    UnitGroupFactory.build(year=2012, name="市直第一组").full_clean()


def test_a_group_with_targets_cannot_be_deleted(admin_user):
    group = UnitGroupFactory()
    TargetFactory(group=group)
    with pytest.raises(ProtectedError):
        services.unit_group_delete(actor=admin_user, group=group)
    assert UnitGroup.objects.filter(pk=group.pk).exists()


def test_a_target_is_for_a_unit_or_a_group_never_both():
    unit, group = UnitFactory(), UnitGroupFactory()
    both = TargetFactory.build(indicator=IndicatorFactory(), unit=unit, group=group)

    with pytest.raises(ValidationError) as refused:
        both.full_clean()
    assert refused.value.message_dict["group"] == ["责任单位和考核大组只能填写其一（都不填表示全市）。"]
    assert_db_refuses(both.save, "target_unit_or_group")


def test_a_group_target_is_of_the_groups_year_and_unique():
    group = UnitGroupFactory(year=2011, name="市直第一组")
    indicator = IndicatorFactory()
    with pytest.raises(ValidationError) as refused:
        TargetFactory.build(year=2012, indicator=indicator, group=group).full_clean()
    assert refused.value.message_dict["group"] == ["考核大组“市直第一组”属于 2011 年，与目标年度 2012 不符。"]

    TargetFactory(indicator=indicator, group=group)
    TargetFactory(indicator=indicator)  # the city's target is another scope
    with pytest.raises(ValidationError, match="该年度、指标和考核大组的目标已存在。"):
        TargetFactory.build(indicator=indicator, group=group).full_clean()
    assert_db_refuses(TargetFactory.build(indicator=indicator, group=group).save)
    assert Target.objects.city().count() == 1 and Target.objects.of_groups().count() == 1


def test_a_report_row_is_for_a_unit_or_a_group_and_one_per_group():
    report, indicator, group = ReportFactory(), IndicatorFactory(), UnitGroupFactory()
    assert_db_refuses(
        ReportRowFactory.build(report=report, indicator=indicator, unit=UnitFactory(), group=group).save,
        "report_row_unit_or_group",
    )
    ReportRowFactory(report=report, indicator=indicator, group=group)
    ReportRowFactory(report=report, indicator=indicator)  # the city
    assert_db_refuses(ReportRowFactory.build(report=report, indicator=indicator, group=group).save)


# --- Group rows in the report ---------------------------------------------------------------------


@pytest.fixture
def city():
    """Four units in two groups of 2011 and one unit in none, with signings in 2010 and 2011."""
    signed_all = IndicatorFactory(code="all_signed", name="协议引资额（全部）", measure=Indicator.Measure.SIGNED_AMOUNT)
    a, b, c, d, e = (UnitFactory(code=code) for code in ("a", "b", "c", "d", "e"))
    first = UnitGroupFactory(code="first", name="第一组", position=1, units=[a, b])
    second = UnitGroupFactory(code="second", name="第二组", position=2, units=[c, d])
    zero = UnitGroupFactory(code="zero", name="零目标组", position=3)  # no members, a target of 0
    UnitGroupFactory(year=2010, code="old", units=[a])  # another year's group: not in 2011's report
    for unit, amount in ((a, "300"), (b, "200"), (c, "100"), (d, "50"), (e, "1000")):
        signed(unit, datetime.date(2011, 3, 10), amount)
        signed(unit, datetime.date(2010, 2, 10), "100")
    signed(a, datetime.date(2011, 6, 1), "999")  # after the report's month
    TargetFactory(indicator=signed_all, group=first, value=D("1000"))
    TargetFactory(indicator=signed_all, group=second, value=D("1000"))
    TargetFactory(indicator=signed_all, group=zero, value=D("0"))
    return {"first": first, "second": second, "zero": zero}


def rows_of(rows, code="all_signed"):
    return {row.group.code: row for row in rows if row.indicator.code == code and row.group_id}


def test_a_groups_row_sums_its_members_figures(city):
    rows = build_rows(year=2011, month=3)
    groups = rows_of(rows)

    first, second, zero = groups["first"], groups["second"], groups["zero"]
    assert (first.month_value, first.ytd_value, first.last_year_ytd) == (D("500.00"), D("500.00"), D("200.00"))
    assert (first.target, first.completion_pct, first.time_progress_pct) == (D("1000"), D("50.0"), D("25.0"))
    assert (first.pace, first.yoy_pct, first.rank) == ("ahead", D("150.0"), 1)
    # 15.0 % against 25.0 % of the year: lagging (within 10 points), and ranked second.
    assert (second.ytd_value, second.completion_pct, second.pace, second.rank) == (D("150.00"), D("15.0"), "lagging", 2)
    # A target of 0 has no completion: ranked after the groups with one, no pace.
    assert (zero.ytd_value, zero.target, zero.completion_pct, zero.pace, zero.rank) == (D("0.00"), D("0"), None, "", 3)


def test_group_rows_follow_the_units_of_each_indicator_and_the_city_is_unchanged(city):
    rows = build_rows(year=2011, month=3)
    mine = [row for row in rows if row.indicator.code == "all_signed"]

    kinds = ["city" if row.is_city else "unit" if row.unit_id else "group" for row in mine]
    assert kinds == ["city"] + ["unit"] * 5 + ["group"] * 3
    assert [row.group.code for row in mine if row.group_id] == ["first", "second", "zero"]
    assert mine[0].ytd_value == D("1650.00")  # every unit, in a group or not, counted once
    unit_ranks = [row.rank for row in mine if row.unit_id]
    assert sorted(unit_ranks) == [1, 2, 3, 4, 5]  # units are ranked among units only


def test_the_report_reads_a_fixed_number_of_queries_whatever_the_groups(city, django_assert_num_queries):
    with django_assert_num_queries(7):
        few = build_rows(year=2011, month=3)
    for n in range(6):
        UnitGroupFactory(code=f"more-{n}", units=[UnitFactory()])
    with django_assert_num_queries(7):
        many = build_rows(year=2011, month=3)
    assert len(many) > len(few)


def test_publishing_freezes_the_group_rows(city, admin_user):
    report = report_compute_month(year=2011, month=3)
    report_publish(report=report, actor=UserFactory(role="leader"))
    frozen = list(ReportRow.objects.filter(report=report).of_groups().values_list("group__code", "ytd_value"))
    assert len(frozen) == Indicator.objects.filter(active=True).count() * 3

    services.unit_group_save(actor=admin_user, group=city["second"], units=[])
    signed(city["first"].units.first(), datetime.date(2011, 3, 20), "5000")
    with pytest.raises(ReportPublishedError):
        report_compute_month(year=2011, month=3)

    after = list(ReportRow.objects.filter(report=report).of_groups().values_list("group__code", "ytd_value"))
    assert after == frozen
    with pytest.raises(ProtectedError):  # the published rows keep their group
        services.unit_group_delete(actor=admin_user, group=city["zero"])


# --- Two writes at once (PostgreSQL) --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_groups_taking_one_unit_at_once_leave_it_in_one(monkeypatch):
    unit = UnitFactory(name="市发改委")
    real_check = UnitGroup.check_members

    def slow_check(self, units):
        real_check(self, units)
        time.sleep(0.5)  # without the lock on the unit, both writes would pass the check here

    monkeypatch.setattr(UnitGroup, "check_members", slow_check)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def create(code: str):
        try:
            start.wait()
            services.unit_group_create(actor=None, year=2011, code=code, name=code, units=[unit])
            outcomes.append("saved")
        except ValidationError as error:
            outcomes.append(error.message_dict["units"][0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(code,)) for code in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert outcomes[0] == "saved"  # the first to lock the unit
    assert outcomes[1].startswith("一个单位每年只能属于一个考核大组：市发改委（已属于")
    assert UnitGroup.units.through.objects.filter(unit=unit).count() == 1
