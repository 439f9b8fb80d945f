"""The data rules of DESIGN §2 for projects, deliveries, activities and parcels: each one refused by
`full_clean()` on the right field with its Chinese message, nothing written, and — for the rules that
are CHECK constraints — refused by the database when validation is bypassed."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import Role
from projects.models import Activity, CapitalDelivery, Parcel, Project, can_edit_unit
from tests.factories import (
    ActivityFactory,
    CapitalDeliveryFactory,
    ParcelFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
)
from tests.model_rules import assert_db_refuses, assert_refused, assert_valid

pytestmark = pytest.mark.django_db

Stage = Project.Stage
Origin = Project.Origin

SIGNED_ON = datetime.date(2011, 3, 15)
FIRST_DELIVERY_ON = datetime.date(2011, 4, 20)


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def signed_project(unit):
    return ProjectFactory(unit=unit, signed=True)


@pytest.fixture
def delivered_project(signed_project):
    """A signed project (15 March 2011) whose first tranche arrived on 20 April 2011."""
    CapitalDeliveryFactory(project=signed_project, delivered_on=FIRST_DELIVERY_ON)
    CapitalDeliveryFactory(project=signed_project, delivered_on=datetime.date(2011, 9, 1))
    return signed_project


# --- Project: amounts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("total_investment", "总投资不能为负数。"),
        ("signed_amount", "协议引资额不能为负数。"),
        ("land_area_mu", "用地面积不能为负数。"),
    ],
)
def test_project_amounts_cannot_be_negative(unit, field, message):
    project = ProjectFactory.build(unit=unit, **{field: Decimal("-0.01")})

    assert_refused(project, field, message)


def test_project_amounts_may_be_zero(unit):
    assert_valid(ProjectFactory.build(unit=unit, total_investment=0, signed_amount=0, land_area_mu=0))


def test_a_change_to_a_negative_amount_is_refused_and_the_stored_row_kept(signed_project):
    signed_project.signed_amount = Decimal("-1")

    assert_refused(signed_project, "signed_amount", "协议引资额不能为负数。")
    signed_project.refresh_from_db()
    assert signed_project.signed_amount == Decimal("5000.00")


# --- Project: stages and their dates --------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.SIGNED, Stage.STARTED, Stage.PRODUCING])
def test_a_signed_or_later_project_needs_its_signing_date(unit, stage):
    project = ProjectFactory.build(unit=unit, stage=stage, signed_amount=Decimal("100"))

    assert_refused(project, "signed_on", "签约及以后阶段的项目须填写签约日期。")


@pytest.mark.parametrize("stage", [Stage.SIGNED, Stage.STARTED, Stage.PRODUCING])
def test_a_signed_or_later_project_needs_its_signed_amount(unit, stage):
    project = ProjectFactory.build(unit=unit, stage=stage, signed_on=SIGNED_ON)

    assert_refused(project, "signed_amount", "签约及以后阶段的项目须填写协议引资额。")


@pytest.mark.parametrize("stage", [Stage.LEAD, Stage.NEGOTIATING])
def test_a_project_before_signing_needs_neither_date_nor_amount(unit, stage):
    assert_valid(ProjectFactory.build(unit=unit, stage=stage))


def test_construction_cannot_start_before_signing(unit):
    project = ProjectFactory.build(
        unit=unit, signed=True, stage=Stage.STARTED, started_on=SIGNED_ON - datetime.timedelta(days=1)
    )

    assert_refused(project, "started_on", "开工日期不能早于签约日期。")


def test_construction_may_start_on_the_signing_day(unit):
    assert_valid(ProjectFactory.build(unit=unit, signed=True, stage=Stage.STARTED, started_on=SIGNED_ON))


def test_production_cannot_begin_before_construction(unit):
    project = ProjectFactory.build(
        unit=unit,
        signed=True,
        stage=Stage.PRODUCING,
        started_on=datetime.date(2011, 6, 1),
        producing_on=datetime.date(2011, 5, 31),
    )

    assert_refused(project, "producing_on", "投产日期不能早于开工日期。")


def test_production_may_begin_on_the_day_construction_starts(unit):
    day = datetime.date(2011, 6, 1)
    assert_valid(ProjectFactory.build(unit=unit, signed=True, stage=Stage.PRODUCING, started_on=day, producing_on=day))


def test_a_dropped_project_needs_its_dropping_date(unit):
    project = ProjectFactory.build(unit=unit, stage=Stage.DROPPED)

    assert_refused(project, "dropped_on", "终止的项目须填写终止日期。")


def test_a_lead_can_be_dropped_with_a_date(unit):
    assert_valid(ProjectFactory.build(unit=unit, stage=Stage.DROPPED, dropped_on=datetime.date(2011, 7, 1)))


# --- Project: returning merchants -----------------------------------------------------------------


@pytest.mark.parametrize("origin", [Origin.LOCAL, Origin.OUT_OF_CITY, Origin.OVERSEAS])
def test_a_returning_merchant_project_comes_from_outside_the_province(unit, origin):
    project = ProjectFactory.build(unit=unit, returning_merchant=True, origin=origin)

    assert_refused(project, "returning_merchant", "浙商回归项目的资金来源必须是“省外”。")


def test_a_returning_merchant_project_from_outside_the_province_is_valid(unit):
    assert_valid(ProjectFactory.build(unit=unit, returning_merchant=True, origin=Origin.OUT_OF_PROVINCE))


# --- Project: the database refuses what validation would have refused ------------------------------


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"total_investment": Decimal("-1")}, "project_total_investment_not_negative"),
        ({"signed_amount": Decimal("-1")}, "project_signed_amount_not_negative"),
        ({"land_area_mu": Decimal("-1")}, "project_land_area_mu_not_negative"),
        ({"signed_on": None}, "project_signed_has_date"),
        ({"signed_amount": None}, "project_signed_has_amount"),
        ({"stage": Stage.PRODUCING, "signed_on": None}, "project_signed_has_date"),
        ({"started_on": SIGNED_ON - datetime.timedelta(days=1)}, "project_started_after_signed"),
        (
            {"started_on": datetime.date(2011, 6, 1), "producing_on": datetime.date(2011, 5, 31)},
            "project_producing_after_started",
        ),
        ({"stage": Stage.DROPPED}, "project_dropped_has_date"),
        ({"returning_merchant": True, "origin": Origin.LOCAL}, "project_returning_merchant_out_of_province"),
    ],
)
def test_the_database_refuses_an_invalid_project_update(signed_project, changes, constraint):
    before = Project.objects.filter(pk=signed_project.pk).values().get()

    assert_db_refuses(lambda: Project.objects.filter(pk=signed_project.pk).update(**changes), constraint)

    assert Project.objects.filter(pk=signed_project.pk).values().get() == before


def test_the_database_refuses_an_invalid_project_saved_without_validation(unit):
    project = ProjectFactory.build(unit=unit, stage=Stage.SIGNED, signed_amount=Decimal("100"))

    assert_db_refuses(project.save, "project_signed_has_date")

    assert Project.objects.count() == 0


# --- Capital deliveries ---------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-0.01")])
def test_a_delivery_amount_must_be_positive(signed_project, amount):
    delivery = CapitalDeliveryFactory.build(project=signed_project, amount=amount)

    assert_refused(delivery, "amount", "到位金额必须大于 0。")


def test_the_database_refuses_a_delivery_of_nothing(signed_project):
    delivery = CapitalDeliveryFactory(project=signed_project)

    assert_db_refuses(
        lambda: CapitalDelivery.objects.filter(pk=delivery.pk).update(amount=0), "delivery_amount_positive"
    )
    assert_db_refuses(CapitalDeliveryFactory.build(project=signed_project, amount=0).save, "delivery_amount_positive")

    assert list(CapitalDelivery.objects.values_list("amount", flat=True)) == [Decimal("1000.00")]


def test_a_delivery_cannot_be_dated_in_the_future(signed_project):
    delivery = CapitalDeliveryFactory.build(project=signed_project, delivered_on=tomorrow())

    assert_refused(delivery, "delivered_on", "到位日期不能晚于今天。")


def test_a_delivery_may_be_dated_today(signed_project):
    assert_valid(CapitalDeliveryFactory.build(project=signed_project, delivered_on=timezone.localdate()))


def test_a_delivery_cannot_precede_the_signing(signed_project):
    delivery = CapitalDeliveryFactory.build(project=signed_project, delivered_on=SIGNED_ON - datetime.timedelta(days=1))

    assert_refused(delivery, "delivered_on", "到位日期不能早于项目签约日期（2011-03-15）。")


def test_a_delivery_may_arrive_on_the_signing_day(signed_project):
    assert_valid(CapitalDeliveryFactory.build(project=signed_project, delivered_on=SIGNED_ON))


@pytest.mark.parametrize("stage", [Stage.LEAD, Stage.NEGOTIATING])
def test_a_project_that_is_not_signed_receives_no_capital(unit, stage):
    project = ProjectFactory(unit=unit, stage=stage)
    delivery = CapitalDeliveryFactory.build(project=project, delivered_on=datetime.date(2011, 5, 1))

    assert_refused(delivery, "project", "只有签约及以后阶段的项目才能登记到位资金。")


def test_a_project_dropped_before_signing_receives_no_capital(unit):
    project = ProjectFactory(unit=unit, stage=Stage.DROPPED, dropped_on=datetime.date(2011, 6, 1))
    delivery = CapitalDeliveryFactory.build(project=project, delivered_on=datetime.date(2011, 5, 1))

    assert_refused(delivery, "project", "只有签约及以后阶段的项目才能登记到位资金。")


@pytest.mark.parametrize("stage", [Stage.SIGNED, Stage.STARTED, Stage.PRODUCING])
def test_a_signed_or_later_project_receives_capital(unit, stage):
    project = ProjectFactory(unit=unit, signed=True, stage=stage)

    assert_valid(CapitalDeliveryFactory.build(project=project, delivered_on=FIRST_DELIVERY_ON))


# --- A project that holds deliveries --------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.LEAD, Stage.NEGOTIATING])
def test_a_project_with_deliveries_cannot_go_back_before_signing(delivered_project, stage):
    delivered_project.stage = stage

    assert_refused(delivered_project, "stage", "已有到位资金的项目不能退回签约前的阶段。")


def test_the_signing_date_cannot_move_past_the_first_delivery(delivered_project):
    delivered_project.signed_on = FIRST_DELIVERY_ON + datetime.timedelta(days=1)

    assert_refused(delivered_project, "signed_on", "签约日期不能晚于最早一笔到位资金的日期（2011-04-20）。")


@pytest.mark.parametrize("signed_on", [FIRST_DELIVERY_ON, datetime.date(2011, 1, 5)])
def test_the_signing_date_may_move_up_to_the_first_delivery(delivered_project, signed_on):
    delivered_project.signed_on = signed_on

    assert_valid(delivered_project)
    delivered_project.refresh_from_db()
    assert delivered_project.signed_on == signed_on


def test_a_project_with_deliveries_cannot_be_deleted(delivered_project):
    ActivityFactory(project=delivered_project)

    with pytest.raises(ProtectedError):
        delivered_project.delete()

    assert Project.objects.filter(pk=delivered_project.pk).exists()
    assert CapitalDelivery.objects.filter(project=delivered_project).count() == 2
    assert Activity.objects.filter(project=delivered_project).count() == 1


def test_a_project_without_deliveries_can_be_deleted_with_its_timeline(signed_project):
    ActivityFactory(project=signed_project)

    signed_project.delete()

    assert not Project.objects.exists()
    assert not Activity.objects.exists()


def test_a_project_with_deliveries_can_be_dropped_and_keeps_them(delivered_project):
    delivered_project.stage = Stage.DROPPED
    delivered_project.dropped_on = datetime.date(2011, 10, 1)

    assert_valid(delivered_project)

    delivered_project.refresh_from_db()
    assert delivered_project.stage == Stage.DROPPED
    deliveries = CapitalDelivery.objects.filter(project=delivered_project)
    assert deliveries.count() == 2
    for delivery in deliveries:  # an old tranche of a dropped project can still be corrected
        delivery.full_clean()


# --- Activities -----------------------------------------------------------------------------------


def test_the_next_action_cannot_be_before_the_activity(signed_project):
    activity = ActivityFactory.build(
        project=signed_project, happened_on=datetime.date(2011, 4, 1), next_action_on=datetime.date(2011, 3, 31)
    )

    assert_refused(activity, "next_action_on", "下一步日期不能早于跟进日期。")


def test_the_next_action_may_be_the_same_day(signed_project):
    day = datetime.date(2011, 4, 1)
    assert_valid(ActivityFactory.build(project=signed_project, happened_on=day, next_action_on=day))


def test_an_activity_cannot_have_happened_in_the_future(signed_project):
    activity = ActivityFactory.build(project=signed_project, happened_on=tomorrow())

    assert_refused(activity, "happened_on", "跟进日期不能晚于今天；计划中的事项请填在“下一步”。")


def test_an_activity_may_have_happened_today_with_a_next_action_later(signed_project):
    today = timezone.localdate()
    assert_valid(
        ActivityFactory.build(project=signed_project, happened_on=today, next_action_on=today + datetime.timedelta(7))
    )


def test_the_database_refuses_a_next_action_before_the_activity(signed_project):
    activity = ActivityFactory(project=signed_project, happened_on=datetime.date(2011, 4, 1))

    assert_db_refuses(
        lambda: Activity.objects.filter(pk=activity.pk).update(next_action_on=datetime.date(2011, 3, 1)),
        "activity_next_action_after",
    )

    activity.refresh_from_db()
    assert activity.next_action_on is None


# --- Parcels (熟地) --------------------------------------------------------------------------------


@pytest.mark.parametrize("area", [Decimal("0"), Decimal("-5")])
def test_a_parcel_has_an_area(unit, area):
    parcel = ParcelFactory.build(unit=unit, area_mu=area)

    assert_refused(parcel, "area_mu", "面积必须大于 0。")


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("min_investment_intensity", "投资强度门槛不能为负数。"),
        ("min_tax_per_mu", "亩均税收门槛不能为负数。"),
    ],
)
def test_parcel_thresholds_cannot_be_negative(unit, field, message):
    parcel = ParcelFactory.build(unit=unit, **{field: Decimal("-1")})

    assert_refused(parcel, field, message)


def test_a_published_parcel_has_a_publishing_date(unit):
    parcel = ParcelFactory.build(unit=unit, published=True)

    assert_refused(parcel, "published_on", "已发布的地块须填写发布日期。")


def test_a_valid_parcel_saves(unit):
    assert_valid(
        ParcelFactory.build(
            unit=unit,
            area_mu=Decimal("0.01"),
            min_investment_intensity=0,
            min_tax_per_mu=0,
            published=True,
            published_on=datetime.date(2011, 2, 1),
        )
    )


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"area_mu": 0}, "parcel_area_positive"),
        ({"min_investment_intensity": -1}, "parcel_min_investment_intensity_not_negative"),
        ({"min_tax_per_mu": -1}, "parcel_min_tax_per_mu_not_negative"),
        ({"published": True, "published_on": None}, "parcel_published_has_date"),
    ],
)
def test_the_database_refuses_an_invalid_parcel(unit, changes, constraint):
    parcel = ParcelFactory(unit=unit)
    before = Parcel.objects.filter(pk=parcel.pk).values().get()

    assert_db_refuses(lambda: Parcel.objects.filter(pk=parcel.pk).update(**changes), constraint)

    assert Parcel.objects.filter(pk=parcel.pk).values().get() == before


# --- Who sees which projects (DESIGN §5) ----------------------------------------------------------


@pytest.fixture
def two_units_projects():
    """An open and a confidential project in each of two units."""
    east, west = UnitFactory(code="east"), UnitFactory(code="west")
    return {
        "east_open": ProjectFactory(unit=east),
        "east_secret": ProjectFactory(unit=east, confidential=True),
        "west_open": ProjectFactory(unit=west),
        "west_secret": ProjectFactory(unit=west, confidential=True),
    }


VISIBILITY = {
    "staff_east": {"east_open", "east_secret", "west_open"},
    "staff_west": {"east_open", "west_open", "west_secret"},
    "leader": {"east_open", "east_secret", "west_open", "west_secret"},
    "admin": {"east_open", "east_secret", "west_open", "west_secret"},
    "api_reader": {"east_open", "west_open"},
    "anonymous": set(),
    "nobody": set(),
}

EDITABILITY = {
    "staff_east": {"east_open", "east_secret"},
    "staff_west": {"west_open", "west_secret"},
    "leader": set(),
    "admin": {"east_open", "east_secret", "west_open", "west_secret"},
    "api_reader": set(),
    "anonymous": set(),
    "nobody": set(),
}


def make_user(who: str):
    if who == "anonymous":
        return AnonymousUser()
    if who == "nobody":
        return None
    if who.startswith("staff_"):
        return UserFactory(role=Role.STAFF, unit=UnitFactory(code=who.removeprefix("staff_")))
    return UserFactory(role=who)


def names(projects: dict, queryset) -> set[str]:
    by_pk = {project.pk: key for key, project in projects.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize(("who", "expected"), VISIBILITY.items())
def test_visible_to(two_units_projects, who, expected):
    user = make_user(who)

    assert names(two_units_projects, Project.objects.visible_to(user)) == expected


@pytest.mark.parametrize(("who", "expected"), VISIBILITY.items())
def test_deliveries_and_activities_are_visible_with_their_project(two_units_projects, who, expected):
    for project in two_units_projects.values():
        project.stage, project.signed_on, project.signed_amount = Stage.SIGNED, SIGNED_ON, Decimal("100")
        project.save()
        CapitalDeliveryFactory(project=project)
        ActivityFactory(project=project)
    user = make_user(who)

    delivered = CapitalDelivery.objects.visible_to(user).values_list("project", flat=True)
    followed = Activity.objects.visible_to(user).values_list("project", flat=True)
    assert names(two_units_projects, Project.objects.filter(pk__in=delivered)) == expected
    assert names(two_units_projects, Project.objects.filter(pk__in=followed)) == expected


@pytest.mark.parametrize(("who", "expected"), EDITABILITY.items())
def test_who_may_change_which_units_projects(two_units_projects, who, expected):
    user = make_user(who)

    editable = [p.pk for p in two_units_projects.values() if can_edit_unit(user, p.unit_id)]
    assert names(two_units_projects, Project.objects.filter(pk__in=editable)) == expected


def test_counting_keeps_signed_projects_that_are_still_alive(unit):
    counted = {
        ProjectFactory(unit=unit, signed=True).pk,
        ProjectFactory(unit=unit, signed=True, stage=Stage.STARTED).pk,
        ProjectFactory(unit=unit, signed=True, stage=Stage.PRODUCING).pk,
    }
    ProjectFactory(unit=unit, stage=Stage.LEAD)
    # A negotiation with a planned signing date and amount is not signed yet.
    ProjectFactory(unit=unit, stage=Stage.NEGOTIATING, signed_on=datetime.date(2011, 5, 1), signed_amount=100)
    ProjectFactory(unit=unit, signed=True, stage=Stage.DROPPED, dropped_on=datetime.date(2011, 8, 1))
    ProjectFactory(unit=unit, stage=Stage.DROPPED, dropped_on=datetime.date(2011, 8, 1))

    assert set(Project.objects.counting().values_list("pk", flat=True)) == counted
    assert Project.objects.count() == 7


# --- Dropping a project --------------------------------------------------------------------------


def test_a_project_is_not_dropped_before_it_was_signed(unit):
    project = ProjectFactory.build(
        unit=unit, signed=True, stage=Project.Stage.DROPPED, dropped_on=datetime.date(2011, 3, 1)
    )

    assert_refused(project, "dropped_on", "终止日期不能早于签约日期。")


def test_no_tranche_arrives_after_a_project_was_dropped(unit):
    project = ProjectFactory(unit=unit, signed=True, stage=Project.Stage.DROPPED, dropped_on=datetime.date(2011, 6, 30))
    CapitalDeliveryFactory(project=project, delivered_on=datetime.date(2011, 6, 30))  # the last day still counts

    late = CapitalDeliveryFactory.build(project=project, delivered_on=datetime.date(2011, 7, 1))

    assert_refused(late, "delivered_on", "到位日期不能晚于项目终止日期（2011-06-30）。")


def test_dropping_a_project_keeps_its_tranches_before_the_drop(unit):
    project = ProjectFactory(unit=unit, signed=True)
    CapitalDeliveryFactory(project=project, delivered_on=datetime.date(2011, 5, 1))
    project.stage, project.dropped_on = Project.Stage.DROPPED, datetime.date(2011, 4, 30)

    assert_refused(project, "dropped_on", "终止日期不能早于最后一笔到位资金的日期（2011-05-01）。")

    project.dropped_on = datetime.date(2011, 5, 1)
    project.full_clean()
