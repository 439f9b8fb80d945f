"""Writes through the API obey the model layer's rules: 400 with the field that broke the rule, 409 for
conflicts, and a refused write leaves the database as it was (DESIGN §2, §4; issue 4 item 3)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Unit
from chambers.models import Chamber
from projects.models import CapitalDelivery, Project
from targets.models import Target
from tests.factories import CapitalDeliveryFactory

PROJECTS = reverse("project-list")
DELIVERIES = reverse("delivery-list")
TARGETS = reverse("target-list")


def stored(obj) -> dict:
    return type(obj)._base_manager.filter(pk=obj.pk).values().get()


@pytest.fixture
def staff(api_as):
    return api_as("own_staff")


@pytest.fixture
def admin(api_as):
    return api_as("admin")


# --- Projects --------------------------------------------------------------------------------------------


def test_create_a_signed_project_answers_its_full_representation(world, staff, staff_user):
    body = {
        "name": "年产五万吨锂电材料项目", "investor": "华友钴业", "investor_kind": "listed", "unit": world.unit.code,
        "industry": world.industry.code, "category": "industrial", "origin": "out_of_province",
        "returning_merchant": True, "mountain_sea": False, "channel": "chamber", "chamber": world.chamber.pk,
        "event": world.event.pk, "introduced_by": world.contact.pk, "stage": "signed",
        "total_investment": "600000.00", "signed_amount": "189500.00", "signed_on": "2011-05-20",
        "land_area_mu": "700.00", "parcel": world.parcel.pk, "confidential": True, "owner": staff_user.pk,
        "next_follow_up_on": "2011-06-01", "notes": "一期用地 700 亩",
    }  # fmt: skip
    response = staff.post(PROJECTS, body, format="json")
    assert response.status_code == 201, response.content
    answer = response.json()
    for name, value in body.items():
        assert answer[name] == value, name
    assert answer["delivered_total"] == "0.00"
    project = Project.objects.get(pk=answer["id"])
    assert (project.unit, project.signed_amount, project.signed_on) == (
        world.unit, Decimal("189500.00"), datetime.date(2011, 5, 20),
    )  # fmt: skip
    assert project.history.get().history_user == staff_user


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stage": "signed", "signed_amount": "100.00"}, "signed_on"),
        ({"stage": "signed", "signed_on": "2011-05-01"}, "signed_amount"),
        ({"stage": "dropped"}, "dropped_on"),
        ({"returning_merchant": True, "origin": "local"}, "returning_merchant"),
        ({"total_investment": "-1.00"}, "total_investment"),
        ({"land_area_mu": "-5"}, "land_area_mu"),
        (
            {"stage": "started", "signed_on": "2011-05-01", "signed_amount": "1", "started_on": "2011-04-01"},
            "started_on",
        ),
        (
            {"stage": "producing", "signed_on": "2011-01-01", "signed_amount": "1", "started_on": "2011-05-01",
             "producing_on": "2011-04-01"},
            "producing_on",
        ),
        ({"stage": "won"}, "stage"),
        ({"origin": "mars"}, "origin"),
        ({"total_investment": "abc"}, "total_investment"),
        ({"total_investment": "1234567890123456.00"}, "total_investment"),
        ({"total_investment": "1.234"}, "total_investment"),
        ({"signed_on": "2011-13-01"}, "signed_on"),
        ({"industry": "no-such-industry"}, "industry"),
        ({"chamber": 10**9}, "chamber"),
        ({"event": "abc"}, "event"),
        ({"parcel": 10**9}, "parcel"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"confidential": "perhaps"}, "confidential"),
    ],
)
def test_create_refuses_a_broken_rule_with_its_field(body, field, world, staff):
    before = Project.objects.count()
    response = staff.post(PROJECTS, {"name": "新项目", "unit": world.unit.code, **body}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert all(isinstance(m, str) and m for m in response.json()[field])
    assert Project.objects.count() == before


def test_missing_required_fields_are_named(world, staff):
    response = staff.post(PROJECTS, {}, format="json")
    assert response.status_code == 400
    assert {"name", "unit"} <= set(response.json())


@pytest.mark.parametrize(
    ("content", "content_type"),
    [("{not json", "application/json"), ("[1, 2]", "application/json"), ('"text"', "application/json"),
     ("null", "application/json"), ("name=x", "text/plain")],
)  # fmt: skip
def test_bodies_of_the_wrong_shape_are_4xx(content, content_type, world, staff):
    before = Project.objects.count()
    response = staff.generic("POST", PROJECTS, content, content_type=content_type)
    assert response.status_code in (400, 415), response.content
    assert Project.objects.count() == before


def test_patch_refuses_a_broken_rule_and_keeps_the_row(world, staff):
    project = world.project
    before = stored(project)
    url = reverse("project-detail", args=[project.pk])
    response = staff.patch(url, {"started_on": "2011-01-01", "stage": "started"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"started_on"}
    assert stored(project) == before


def test_a_project_with_deliveries_cannot_go_back_before_signing(world, staff):
    url = reverse("project-detail", args=[world.project.pk])
    response = staff.patch(url, {"stage": "negotiating"}, format="json")
    assert response.status_code == 400
    assert "stage" in response.json()
    response = staff.patch(url, {"signed_on": "2011-04-02"}, format="json")  # after its first delivery
    assert response.status_code == 400 and "signed_on" in response.json()
    world.project.refresh_from_db()
    assert (world.project.stage, world.project.signed_on) == ("signed", datetime.date(2011, 3, 15))


def test_patch_updates_and_answers_with_delivered_total(world, staff):
    CapitalDeliveryFactory(project=world.project, delivered_on=datetime.date(2011, 5, 1), amount=Decimal("0.50"))
    url = reverse("project-detail", args=[world.project.pk])
    response = staff.patch(url, {"stage": "started", "started_on": "2011-06-01"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["delivered_total"] == "300.50"
    assert response.json()["stage"] == "started"
    world.project.refresh_from_db()
    assert world.project.started_on == datetime.date(2011, 6, 1)


def test_deleting_a_project_with_deliveries_is_a_conflict(world, staff):
    response = staff.delete(reverse("project-detail", args=[world.project.pk]))
    assert response.status_code == 409
    assert response.json()["detail"]
    assert Project.objects.filter(pk=world.project.pk).exists()
    assert CapitalDelivery.objects.filter(project=world.project).count() == 1


def test_a_project_without_deliveries_is_deleted(world, staff):
    response = staff.delete(reverse("project-detail", args=[world.lead.pk]))
    assert response.status_code == 204
    assert not Project.objects.filter(pk=world.lead.pk).exists()


def test_dropping_a_project_with_deliveries_is_allowed(world, staff):
    url = reverse("project-detail", args=[world.project.pk])
    response = staff.patch(url, {"stage": "dropped", "dropped_on": "2011-09-01"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["delivered_total"] == "300.00"


def test_read_only_fields_are_ignored_on_write(world, staff):
    url = reverse("project-detail", args=[world.project.pk])
    response = staff.patch(
        url, {"id": 999999, "delivered_total": "1.00", "created_at": "2000-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["id"] == world.project.pk
    assert response.json()["delivered_total"] == "300.00"


# --- Deliveries ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"delivered_on": "2011-03-14"}, "delivered_on"),  # the day before signing
        ({"amount": "0.00"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"delivered_on": "yesterday"}, "delivered_on"),
        ({"note": "x" * 201}, "note"),
    ],
)
def test_delivery_refuses_a_broken_rule_with_its_field(body, field, world, staff):
    before = CapitalDelivery.objects.count()
    payload = {"project": world.project.pk, "delivered_on": "2011-05-01", "amount": "100.00", **body}
    response = staff.post(DELIVERIES, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert CapitalDelivery.objects.count() == before


def test_delivery_in_the_future_is_refused(world, staff):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    payload = {"project": world.project.pk, "delivered_on": tomorrow.isoformat(), "amount": "100.00"}
    response = staff.post(DELIVERIES, payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"delivered_on"}
    today = {**payload, "delivered_on": timezone.localdate().isoformat()}
    assert staff.post(DELIVERIES, today, format="json").status_code == 201


def test_delivery_on_the_signing_day_is_accepted(world, staff):
    payload = {"project": world.project.pk, "delivered_on": "2011-03-15", "amount": "18950.00", "note": "一期"}
    response = staff.post(DELIVERIES, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {"id": response.json()["id"], **payload}
    assert CapitalDelivery.objects.get(pk=response.json()["id"]).amount == Decimal("18950.00")


def test_delivery_on_a_project_not_yet_signed_is_refused(world, staff):
    payload = {"project": world.lead.pk, "delivered_on": "2011-05-01", "amount": "100.00"}
    response = staff.post(DELIVERIES, payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"project"}
    assert not world.lead.deliveries.exists()


def test_delivery_patch_refuses_a_date_before_signing(world, staff):
    before = stored(world.delivery)
    url = reverse("delivery-detail", args=[world.delivery.pk])
    response = staff.patch(url, {"delivered_on": "2010-01-01"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"delivered_on"}
    assert stored(world.delivery) == before


def test_activity_in_the_future_is_refused(world, staff):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    payload = {"project": world.project.pk, "happened_on": tomorrow.isoformat(), "summary": "计划中的拜访"}
    response = staff.post(reverse("activity-list"), payload, format="json")
    assert response.status_code == 400 and set(response.json()) == {"happened_on"}


# --- Targets and other duplicates -------------------------------------------------------------------------


def test_second_target_for_the_same_unit_is_a_conflict(world, admin):
    before = Target.objects.count()
    body = {"year": 2011, "indicator": world.indicator.code, "unit": world.unit.code, "value": "1.00"}
    response = admin.post(TARGETS, body, format="json")
    assert response.status_code == 409, response.content
    assert Target.objects.count() == before
    world.target.refresh_from_db()
    assert world.target.value == Decimal("50000.00")


def test_second_city_target_is_a_conflict(world, admin):
    body = {"year": 2011, "indicator": world.indicator.code, "unit": None, "value": "320000.00"}
    first = admin.post(TARGETS, body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["unit"] is None
    before = Target.objects.count()
    second = admin.post(TARGETS, {**body, "value": "1.00"}, format="json")
    assert second.status_code == 409, second.content
    assert Target.objects.count() == before
    assert Target.objects.get(year=2011, indicator=world.indicator, unit=None).value == Decimal("320000.00")


def test_patching_a_target_into_a_duplicate_is_a_conflict(world, admin):
    other = Target.objects.create(year=2012, indicator=world.indicator, unit=world.unit, value=Decimal("1"))
    response = admin.patch(reverse("target-detail", args=[other.pk]), {"year": 2011}, format="json")
    assert response.status_code == 409
    other.refresh_from_db()
    assert other.year == 2012


def test_same_indicator_and_unit_in_another_year_is_fine(world, admin):
    body = {"year": 2012, "indicator": world.indicator.code, "unit": world.unit.code, "value": "1.00"}
    assert admin.post(TARGETS, body, format="json").status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [({"value": "-1.00"}, "value"), ({"year": 1999}, "year"), ({"indicator": "nope"}, "indicator"),
     ({"unit": "nope"}, "unit"), ({"year": "x"}, "year")],
)  # fmt: skip
def test_target_refuses_a_broken_rule_with_its_field(body, field, world, admin):
    before = Target.objects.count()
    payload = {"year": 2013, "indicator": world.indicator.code, "unit": world.unit.code, "value": "1.00", **body}
    response = admin.post(TARGETS, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Target.objects.count() == before


def test_duplicate_unit_code_and_chamber_name_are_conflicts(world, admin, api_as):
    before = (Unit.objects.count(), Chamber.objects.count())
    body = {"code": world.unit.code, "name": "另一个", "kind": "county"}
    unit = admin.post(reverse("unit-list"), body, format="json")
    assert unit.status_code == 409, unit.content
    chamber = api_as("own_staff").post(reverse("chamber-list"), {"name": world.chamber.name}, format="json")
    assert chamber.status_code == 409, chamber.content
    assert (Unit.objects.count(), Chamber.objects.count()) == before


def test_indicator_rules_surface_with_their_field(world, admin):
    response = admin.post(
        reverse("indicator-list"), {"code": "bad", "name": "坏指标", "measure": "project_count"}, format="json"
    )
    assert response.status_code == 400 and "basis" in response.json()
    response = admin.post(
        reverse("indicator-list"),
        {"code": "bad", "name": "坏指标", "measure": "signed_amount", "origins": ["mars"]},
        format="json",
    )
    assert response.status_code == 400 and "origins" in response.json()


def test_event_rule_surfaces_with_its_field(world, api_as):
    response = api_as("own_staff").post(
        reverse("event-list"), {"name": "推介会", "starts_on": "2011-05-02", "ends_on": "2011-05-01"}, format="json"
    )
    assert response.status_code == 400 and set(response.json()) == {"ends_on"}


def test_parcel_rules_surface_with_their_field(world, staff):
    base = {"code": "kc-77", "name": "地块", "unit": world.unit.code, "area_mu": "10.00"}
    response = staff.post(reverse("parcel-list"), {**base, "published": True}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"published_on"}
    response = staff.post(reverse("parcel-list"), {**base, "area_mu": "0"}, format="json")
    assert response.status_code == 400 and "area_mu" in response.json()
