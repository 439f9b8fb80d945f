"""The field names and JSON types of every representation (DESIGN §4): amounts are decimal strings in
万元, dates ISO, units, industries and indicators by code, chambers, events and parcels by id; lists
are paginated as {count, next, previous, results} with page_size up to 200."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from targets import reporting
from tests.factories import ProjectFactory

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AMOUNT = re.compile(r"^-?\d+\.\d{2}$")
PCT = re.compile(r"^-?\d+\.\d$")


def is_date(value) -> bool:
    return isinstance(value, str) and bool(DATE.match(value)) and bool(datetime.date.fromisoformat(value))


def is_datetime(value) -> bool:
    return isinstance(value, str) and "T" in value and bool(datetime.datetime.fromisoformat(value).tzinfo)


def is_amount(value) -> bool:
    return isinstance(value, str) and bool(AMOUNT.match(value))


def nullable(check):
    return lambda value: value is None or check(value)


def of(*types):
    return lambda value: type(value) in types


STR, INT, BOOL = of(str), of(int), of(bool)
CODE = STR
ID = INT

UNIT = {"code": CODE, "name": STR, "kind": STR, "group": STR}
INDUSTRY = {"code": CODE, "name": STR}
INDICATOR = {
    "code": CODE, "name": STR, "measure": STR, "basis": STR, "origins": lambda v: isinstance(v, list),
    "category": STR, "returning_merchant": nullable(BOOL), "mountain_sea": nullable(BOOL),
    "min_total_investment": nullable(is_amount), "industries": lambda v: isinstance(v, list), "channel": STR,
    "position": INT, "active": BOOL,
}  # fmt: skip
PROJECT = {
    "id": ID, "reference": STR, "name": STR, "investor": STR, "investor_kind": STR, "unit": CODE,
    "industry": nullable(CODE),
    "category": STR, "origin": STR, "returning_merchant": BOOL, "mountain_sea": BOOL, "channel": STR,
    "chamber": nullable(ID), "event": nullable(ID), "introduced_by": nullable(ID), "stage": STR,
    "total_investment": is_amount, "signed_amount": nullable(is_amount), "signed_on": nullable(is_date),
    "started_on": nullable(is_date), "producing_on": nullable(is_date), "dropped_on": nullable(is_date),
    "land_area_mu": nullable(is_amount), "parcel": nullable(ID), "confidential": BOOL, "owner": nullable(ID),
    "next_follow_up_on": nullable(is_date), "notes": STR, "delivered_total": is_amount,
    "created_at": is_datetime, "updated_at": is_datetime,
}  # fmt: skip
DELIVERY = {"id": ID, "project": ID, "delivered_on": is_date, "amount": is_amount, "note": STR}
ACTIVITY = {
    "id": ID, "project": ID, "contact": nullable(ID), "kind": STR, "happened_on": is_date, "summary": STR,
    "next_action": STR, "next_action_on": nullable(is_date),
}  # fmt: skip
CHAMBER = {"id": ID, "name": STR, "kind": STR, "region": STR, "address": STR, "phone": STR, "notes": STR}
CONTACT = {
    "id": ID, "name": STR, "chamber": nullable(ID), "organization": STR, "title": STR, "phone": STR, "email": STR,
    "notes": STR,
}  # fmt: skip
EVENT = {
    "id": ID, "name": STR, "kind": STR, "starts_on": is_date, "ends_on": nullable(is_date), "location": STR,
    "organizer": nullable(CODE), "invited_count": INT, "notes": STR, "signed_count": INT, "signed_total": is_amount,
}  # fmt: skip
TARGET = {
    "id": ID, "year": INT, "indicator": CODE, "unit": nullable(CODE), "group": nullable(CODE), "value": is_amount,
}  # fmt: skip
UNIT_GROUP = {
    "code": CODE, "year": INT, "name": STR, "position": INT,
    "units": lambda v: isinstance(v, list) and all(isinstance(c, str) for c in v),
}  # fmt: skip
REPORT = {
    "id": ID, "year": INT, "month": INT, "status": STR, "error": STR, "queued_at": nullable(is_datetime),
    "computed_at": nullable(is_datetime), "published_at": nullable(is_datetime),
}  # fmt: skip
REPORT_ROW = {
    "indicator": CODE, "unit": nullable(CODE), "group": nullable(CODE), "month_value": is_amount,
    "ytd_value": is_amount,
    "target": nullable(is_amount), "completion_pct": nullable(lambda v: isinstance(v, str) and bool(PCT.match(v))),
    "time_progress_pct": lambda v: isinstance(v, str) and bool(PCT.match(v)), "pace": STR,
    "last_year_ytd": is_amount, "yoy_pct": nullable(lambda v: isinstance(v, str) and bool(PCT.match(v))),
    "rank": nullable(INT),
}  # fmt: skip
PARCEL = {
    "id": ID, "code": CODE, "name": STR, "unit": CODE, "location": STR, "area_mu": is_amount,
    "industries": lambda v: isinstance(v, list) and all(isinstance(c, str) for c in v), "requirements": STR,
    "min_investment_intensity": nullable(is_amount), "min_tax_per_mu": nullable(is_amount), "status": STR,
    "published": BOOL, "published_on": nullable(is_date), "reserved_on": nullable(is_date),
    "taken_on": nullable(is_date), "boundary": lambda v: v is None or isinstance(v, dict),
}  # fmt: skip

SHAPES = {
    "unit": UNIT, "industry": INDUSTRY, "indicator": INDICATOR, "project": PROJECT, "delivery": DELIVERY,
    "activity": ACTIVITY, "chamber": CHAMBER, "contact": CONTACT, "event": EVENT, "target": TARGET,
    "report": REPORT, "parcel": PARCEL, "unit-group": UNIT_GROUP,
}  # fmt: skip
DETAIL_KEY = {"unit": "code", "industry": "code", "indicator": "code", "unit-group": "code"}


def assert_shape(row: dict, shape: dict) -> None:
    assert set(row) == set(shape), f"extra {set(row) - set(shape)}, missing {set(shape) - set(row)}"
    wrong = {name: row[name] for name, check in shape.items() if not check(row[name])}
    assert not wrong, wrong


@pytest.fixture
def admin(api_as):
    return api_as("admin")


@pytest.mark.parametrize("name", SHAPES)
def test_list_and_detail_have_the_exact_fields_and_types(name, world, admin):
    response = admin.get(reverse(f"{name}-list"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert isinstance(body["count"], int) and body["results"]
    for row in body["results"]:
        assert_shape(row, SHAPES[name])
    key = DETAIL_KEY.get(name, "id")
    detail = admin.get(reverse(f"{name}-detail", args=[body["results"][0][key]])).json()
    shape = {**SHAPES[name], "rows": lambda v: isinstance(v, list)} if name == "report" else SHAPES[name]
    assert_shape(detail, shape)


def test_project_values_are_codes_ids_strings_and_iso_dates(world, admin):
    row = admin.get(reverse("project-detail", args=[world.project.pk])).json()
    assert row["unit"] == "kecheng"
    assert row["industry"] == "new_materials"
    assert row["chamber"] == world.chamber.pk
    assert row["event"] == world.event.pk
    assert row["parcel"] == world.parcel.pk
    assert row["signed_on"] == "2011-03-15"
    assert row["signed_amount"] == "5000.00"
    assert row["total_investment"] == "5000.00"
    assert row["delivered_total"] == "300.00"
    assert (row["stage"], row["origin"], row["category"]) == ("signed", "out_of_city", "industrial")


def test_amounts_keep_their_cents_exactly(world, admin):
    ProjectFactory(unit=world.unit, name="精确金额", total_investment=Decimal("123456789012.34"))
    row = admin.get(reverse("project-list"), {"q": "精确金额"}).json()["results"][0]
    assert row["total_investment"] == "123456789012.34"


def test_event_organizer_and_target_scope_are_codes(world, admin):
    assert admin.get(reverse("event-detail", args=[world.event.pk])).json()["organizer"] == "kecheng"
    target = admin.get(reverse("target-detail", args=[world.target.pk])).json()
    assert (target["indicator"], target["unit"], target["value"]) == ("signed_capital", "kecheng", "50000.00")


def test_indicator_shows_the_fields_of_section_3(world, admin):
    row = admin.get(reverse("indicator-detail", args=["major_projects"])).json()
    assert row["measure"] == "project_count" and row["basis"] == "signed"
    assert sorted(row["origins"]) == ["out_of_city", "out_of_province", "overseas"]
    assert row["min_total_investment"] == "10000.00"
    social = admin.get(reverse("indicator-detail", args=["social_projects"])).json()
    assert (social["basis"], social["category"]) == ("ongoing", "social")


def test_report_detail_rows_have_the_fields_of_section_3(world, admin):
    reporting.report_compute(report_id=world.report.pk)
    detail = admin.get(reverse("report-detail", args=[world.report.pk])).json()
    assert_shape(detail, {**REPORT, "rows": lambda v: isinstance(v, list)})
    assert detail["status"] == "provisional"
    assert detail["rows"]
    for row in detail["rows"]:
        assert_shape(row, REPORT_ROW)
    city = next(r for r in detail["rows"] if r["indicator"] == "signed_capital" and r["unit"] is None)
    own = next(r for r in detail["rows"] if r["indicator"] == "signed_capital" and r["unit"] == "kecheng")
    assert city["time_progress_pct"] == "50.0"
    assert own["target"] == "50000.00"
    # Confidential projects count in the report whoever reads it: it is the bureau's own figure.
    assert Decimal(city["ytd_value"]) == Decimal("20000.00")


# --- Pagination ---------------------------------------------------------------------------------------


@pytest.fixture
def many(unit):
    return ProjectFactory.create_batch(230, unit=unit)


def test_pagination_envelope_and_links(many, admin):
    url = reverse("project-list")
    first = admin.get(url, {"page_size": 100}).json()
    assert first["count"] == 230 and len(first["results"]) == 100
    assert first["previous"] is None
    assert "page=2" in first["next"] and "page_size=100" in first["next"]
    last = admin.get(url, {"page_size": 100, "page": 3}).json()
    assert len(last["results"]) == 30 and last["next"] is None and "page_size=100" in last["previous"]
    seen = {r["id"] for p in (1, 2, 3) for r in admin.get(url, {"page_size": 100, "page": p}).json()["results"]}
    assert seen == {p.pk for p in many}


def test_default_page_size_is_50(many, admin):
    assert len(admin.get(reverse("project-list")).json()["results"]) == 50


def test_page_size_200_is_accepted_and_larger_is_refused(many, admin):
    url = reverse("project-list")
    assert len(admin.get(url, {"page_size": 200}).json()["results"]) == 200
    refused = admin.get(url, {"page_size": 1000})  # the schema's bound (1-200), not a silent cap
    assert refused.status_code == 400 and list(refused.json()) == ["page_size"]


def test_a_page_past_the_end_is_404(many, admin):
    assert admin.get(reverse("project-list"), {"page_size": 200, "page": 3}).status_code == 404
    assert admin.get(reverse("project-list"), {"page": "last"}).status_code == 400  # a page is a number
