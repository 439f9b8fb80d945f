"""Fixtures of the REST API tests: a client per role (signed in with a real API token) and a small
world of two units with public and confidential projects, their deliveries and activities."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import Role, Unit, User
from projects.models import Industry
from targets.models import Indicator
from tests.api.helpers import World, token_client
from tests.factories import (
    ActivityFactory,
    CapitalDeliveryFactory,
    ChamberFactory,
    ContactFactory,
    EventFactory,
    ParcelFactory,
    ProjectFactory,
    ReportFactory,
    TargetFactory,
    UnitFactory,
    UnitGroupFactory,
    UserFactory,
)


@pytest.fixture
def other_unit(db) -> Unit:
    return UnitFactory(code="qujiang", name="衢江区")


@pytest.fixture
def other_staff(other_unit) -> User:
    return UserFactory(role=Role.STAFF, unit=other_unit)


@pytest.fixture
def reader_user(db) -> User:
    return UserFactory(role=Role.API_READER)


@pytest.fixture
def users(staff_user, other_staff, leader_user, reader_user, admin_user) -> dict[str, User | None]:
    return {
        "own_staff": staff_user,
        "other_staff": other_staff,
        "leader": leader_user,
        "reader": reader_user,
        "anon": None,
        "admin": admin_user,
    }


@pytest.fixture
def clients(users) -> dict[str, APIClient]:
    return {role: token_client(user) for role, user in users.items()}


@pytest.fixture
def api_as(users):
    """api_as("leader") → a token-authenticated client for that role (anon: none)."""
    return lambda role: token_client(users[role])


SIGNED_ON = datetime.date(2011, 3, 15)


@pytest.fixture
def world(unit, other_unit) -> World:
    industry = Industry.objects.get(code="new_materials")  # shipped by a data migration
    chamber = ChamberFactory(name="上海浙江商会")
    contact = ContactFactory(name="王会长", chamber=chamber)
    event = EventFactory(name="天下浙商家乡行", organizer=unit)
    parcel = ParcelFactory(code="kc-01", unit=unit, published=True, published_on=datetime.date(2011, 2, 1))
    draft_parcel = ParcelFactory(code="kc-02", unit=unit)

    def signed(unit, confidential=False, **kwargs):
        return ProjectFactory(
            unit=unit, signed=True, confidential=confidential, industry=industry, signed_on=SIGNED_ON, **kwargs
        )

    project = signed(unit, name="年产十万吨新材料项目", chamber=chamber, event=event, parcel=parcel)
    secret = signed(unit, confidential=True, name="保密的柯城项目")
    lead = ProjectFactory(unit=unit, name="尚在接触的线索")
    other_project = signed(other_unit, name="衢江公开项目")
    other_secret = signed(other_unit, confidential=True, name="衢江保密项目")

    def deliver(project):
        return CapitalDeliveryFactory(project=project, delivered_on=datetime.date(2011, 4, 1), amount=Decimal("300"))

    indicator = Indicator.objects.get(code="signed_capital")
    return World(
        unit=unit,
        other_unit=other_unit,
        industry=industry,
        chamber=chamber,
        contact=contact,
        event=event,
        parcel=parcel,
        draft_parcel=draft_parcel,
        project=project,
        secret=secret,
        lead=lead,
        other_project=other_project,
        other_secret=other_secret,
        delivery=deliver(project),
        secret_delivery=deliver(secret),
        other_delivery=deliver(other_project),
        other_secret_delivery=deliver(other_secret),
        activity=ActivityFactory(project=project, contact=contact),
        secret_activity=ActivityFactory(project=secret),
        other_secret_activity=ActivityFactory(project=other_secret),
        indicator=indicator,
        target=TargetFactory(year=2011, indicator=indicator, unit=unit, value=Decimal("50000.00")),
        report=ReportFactory(year=2011, month=6),
        unit_group=UnitGroupFactory(year=2010, code="2010-shizhi-1", name="市直第一组", units=[unit]),
    )


