"""Every filter and ordering of the project and delivery lists (DESIGN §4), the obvious filters of the
other lists, and bad filter values: 400 naming the filter, never a 500."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chambers.models import Event
from projects.models import Industry, Project
from tests.api.helpers import ids
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
)

PROJECTS = reverse("project-list")
DELIVERIES = reverse("delivery-list")
D = datetime.date


@pytest.fixture
def admin(api_as):
    return api_as("admin")


@pytest.fixture
def catalogue(unit, other_unit):
    """Five projects that differ in every filtered field. Names start with a Latin letter so that
    their order is the same under any database collation."""
    x, y = Industry.objects.get(code="new_materials"), Industry.objects.get(code="logistics")
    chamber, event = ChamberFactory(), EventFactory()
    p = {
        "battery": ProjectFactory(
            name="A 锂电池材料", investor="华友钴业", unit=unit, industry=x, stage="signed", origin="out_of_province",
            returning_merchant=True, channel="chamber", chamber=chamber, category="industrial",
            signed_on=D(2011, 3, 1), signed_amount=Decimal("100.00"), total_investment=Decimal("1000.00"),
        ),
        "logistics": ProjectFactory(
            name="B 物流园", investor="顺丰控股", unit=other_unit, industry=y, stage="started", origin="out_of_city",
            mountain_sea=True, channel="event", event=event, category="service", signed_on=D(2011, 6, 30),
            started_on=D(2011, 7, 1), signed_amount=Decimal("300.00"), total_investment=Decimal("20000.00"),
        ),
        "care_home": ProjectFactory(
            name="C 养老院", investor="本地民企", unit=unit, stage="lead", origin="local", channel="direct",
            category="social", total_investment=Decimal("500.00"),
        ),
        "tea": ProjectFactory(
            name="D 茶园", investor="Tea Garden Ltd", unit=other_unit, stage="producing", origin="overseas",
            category="agriculture", channel="online", signed_on=D(2011, 6, 1), started_on=D(2011, 6, 10),
            producing_on=D(2011, 7, 1), signed_amount=Decimal("200.00"), total_investment=Decimal("10000.00"),
        ),
        "dropped": ProjectFactory(
            name="E 终止项目", investor="某集团", unit=unit, stage="dropped", origin="out_of_city", channel="referral",
            signed_on=D(2010, 12, 31), signed_amount=Decimal("50.00"), dropped_on=D(2011, 2, 1),
            total_investment=Decimal("9999.99"),
        ),
    }  # fmt: skip
    # Distinct, known update times (auto_now would make them microseconds apart, in creation order).
    base = timezone.now() - datetime.timedelta(days=10)
    for i, key in enumerate(["tea", "battery", "dropped", "care_home", "logistics"]):
        Project.objects.filter(pk=p[key].pk).update(updated_at=base + datetime.timedelta(hours=i))
    p["chamber"], p["event"], p["x"] = chamber, event, x
    return p


def listed(client, params) -> set[int]:
    response = client.get(PROJECTS, params)
    assert response.status_code == 200, response.content
    return ids(response)


def pks(catalogue, *names) -> set[int]:
    return {catalogue[n].pk for n in names}


ALL = ("battery", "logistics", "care_home", "tea", "dropped")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ALL),
        ({"stage": "signed"}, ("battery",)),
        ({"stage": ["signed", "started"]}, ("battery", "logistics")),
        ({"stage": ["lead", "dropped", "producing"]}, ("care_home", "dropped", "tea")),
        ({"unit": "kecheng"}, ("battery", "care_home", "dropped")),
        ({"unit": "qujiang"}, ("logistics", "tea")),
        ({"industry": "new_materials"}, ("battery",)),
        ({"industry": "logistics"}, ("logistics",)),
        ({"origin": "out_of_city"}, ("logistics", "dropped")),
        ({"origin": "overseas"}, ("tea",)),
        ({"channel": "event"}, ("logistics",)),
        ({"channel": "referral"}, ("dropped",)),
        ({"category": "social"}, ("care_home",)),
        ({"category": "agriculture"}, ("tea",)),
        ({"mountain_sea": "true"}, ("logistics",)),
        ({"mountain_sea": "1"}, ("logistics",)),
        ({"mountain_sea": ""}, ALL),
        ({"mountain_sea": "false"}, ("battery", "care_home", "tea", "dropped")),
        ({"returning_merchant": "true"}, ("battery",)),
        ({"returning_merchant": "false"}, ("logistics", "care_home", "tea", "dropped")),
        ({"returning_merchant": "0"}, ("logistics", "care_home", "tea", "dropped")),
        ({"signed_from": "2011-06-01"}, ("logistics", "tea")),  # inclusive: tea signed on 06-01
        ({"signed_to": "2011-03-01"}, ("battery", "dropped")),  # inclusive: battery signed on 03-01
        ({"signed_from": "2011-06-30", "signed_to": "2011-06-30"}, ("logistics",)),
        ({"signed_from": "2011-01-01", "signed_to": "2011-12-31"}, ("battery", "logistics", "tea")),
        ({"min_total_investment": "10000"}, ("logistics", "tea")),  # inclusive
        ({"max_total_investment": "10000"}, ("battery", "care_home", "tea", "dropped")),  # inclusive
        ({"min_total_investment": "9999.99", "max_total_investment": "9999.99"}, ("dropped",)),
        ({"q": "锂电"}, ("battery",)),
        ({"q": "顺丰"}, ("logistics",)),  # the investor
        ({"q": "tea garden"}, ("tea",)),  # case-insensitive
        ({"q": "  "}, ALL),
        ({"q": "无此项目"}, ()),
        ({"unit": "kecheng", "stage": ["signed", "dropped"], "signed_from": "2011-01-01"}, ("battery",)),
    ],
)
def test_project_filters(params, expected, catalogue, admin):
    assert listed(admin, params) == pks(catalogue, *expected)


def test_project_filters_by_chamber_and_event(catalogue, admin):
    assert listed(admin, {"chamber": catalogue["chamber"].pk}) == pks(catalogue, "battery")
    assert listed(admin, {"event": catalogue["event"].pk}) == pks(catalogue, "logistics")
    assert listed(admin, {"event": EventFactory().pk}) == set()


SIGNED_ONLY = {"stage": ["signed", "started", "producing", "dropped"]}


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("signed_on", ["dropped", "battery", "tea", "logistics"]),
        ("-signed_on", ["logistics", "tea", "battery", "dropped"]),
        ("signed_amount", ["dropped", "battery", "tea", "logistics"]),
        ("-signed_amount", ["logistics", "tea", "battery", "dropped"]),
        ("total_investment", ["battery", "dropped", "tea", "logistics"]),
        ("-total_investment", ["logistics", "tea", "dropped", "battery"]),
        ("updated_at", ["tea", "battery", "dropped", "logistics"]),
        ("-updated_at", ["logistics", "dropped", "battery", "tea"]),
        ("name", ["battery", "logistics", "tea", "dropped"]),
        ("-name", ["dropped", "tea", "logistics", "battery"]),
    ],
)
def test_project_ordering(ordering, expected, catalogue, admin):
    response = admin.get(PROJECTS, {**SIGNED_ONLY, "ordering": ordering})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [catalogue[n].pk for n in expected]


def test_default_order_is_most_recently_updated_first(catalogue, admin):
    response = admin.get(PROJECTS)
    order = ["logistics", "care_home", "dropped", "battery", "tea"]
    assert [row["id"] for row in response.json()["results"]] == [catalogue[n].pk for n in order]


def test_ordering_ties_are_broken_by_id_so_pages_never_repeat(unit, admin):
    same_day = [ProjectFactory(unit=unit, signed=True, signed_on=D(2011, 5, 5)) for _ in range(5)]
    asc = [
        row["id"]
        for page in (1, 2, 3)
        for row in admin.get(PROJECTS, {"ordering": "signed_on", "page_size": 2, "page": page}).json()["results"]
    ]
    assert asc == sorted(p.pk for p in same_day)
    desc = [row["id"] for row in admin.get(PROJECTS, {"ordering": "-signed_on"}).json()["results"]]
    assert desc == sorted((p.pk for p in same_day), reverse=True)


def test_ordering_by_two_fields(catalogue, admin):
    response = admin.get(PROJECTS, {"ordering": "unit_dummy"})
    assert response.status_code == 400
    response = admin.get(PROJECTS, {**SIGNED_ONLY, "ordering": "-signed_on,name"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [
        catalogue[n].pk for n in ["logistics", "tea", "battery", "dropped"]
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"stage": "won"}, "stage"),
        ({"stage": ["signed", "won"]}, "stage"),
        ({"origin": "mars"}, "origin"),
        ({"channel": "pigeon"}, "channel"),
        ({"category": "military"}, "category"),
        ({"chamber": "abc"}, "chamber"),
        ({"chamber": "99999999999999999999999"}, "chamber"),  # over 2^63 - 1: no id can be that
        ({"event": "-1"}, "event"),
        ({"event": "1.5"}, "event"),
        ({"chamber": "21.0"}, "chamber"),  # Django's IntegerField would read 21; the schema says digits
        ({"mountain_sea": "perhaps"}, "mountain_sea"),
        ({"returning_merchant": "2"}, "returning_merchant"),
        ({"signed_from": "not-a-date"}, "signed_from"),
        ({"signed_to": "2011-02-30"}, "signed_to"),
        ({"signed_from": "99999-01-01"}, "signed_from"),
        ({"min_total_investment": "abc"}, "min_total_investment"),
        ({"max_total_investment": "NaN"}, "max_total_investment"),
        ({"min_total_investment": "Infinity"}, "min_total_investment"),
        ({"q": "a\x00b"}, "q"),
        ({"ordering": "investor"}, "ordering"),
        ({"ordering": "-"}, "ordering"),
    ],
)
def test_bad_project_filter_values_are_400_naming_the_filter(params, field, catalogue, admin):
    response = admin.get(PROJECTS, params)
    assert response.status_code == 400, (response.status_code, response.content)
    assert field in response.json(), response.json()


@pytest.mark.parametrize(
    "params",
    [
        {"min_total_investment": "1e400"},
        {"max_total_investment": "-1e400"},
        {"min_total_investment": "0." + "0" * 400 + "1"},
        {"page": "0"},
        {"page": "abc"},
        {"page": "99999999999999999999"},
        {"page_size": "0"},
        {"page_size": "-5"},
        {"page_size": "abc"},
        {"page_size": "99999999999999999999"},
        {"q": "%"},
        {"q": "_"},
        {"q": "x" * 5000},
        {"unknown_param": "1"},
    ],
)
def test_odd_values_never_give_a_server_error(params, catalogue, admin):
    response = admin.get(PROJECTS, params)
    assert response.status_code in (200, 400, 404), (response.status_code, response.content)


# A well-formed reference that matches nothing, by id or by code, answers as a hidden row does: 200 and
# an empty list, never a 400 that would tell a missing row from one the caller may not see.
NOTHING_MATCHES = [
    (PROJECTS, {"unit": "no-such-unit"}),
    (PROJECTS, {"industry": "no-such-industry"}),
    (PROJECTS, {"chamber": "999999999"}),
    (PROJECTS, {"event": str(2**63 - 1)}),
    (reverse("project-export"), {"unit": "no-such-unit", "format": "csv"}),
    (DELIVERIES, {"unit": "nope"}),
    (DELIVERIES, {"project": "999999999"}),
    (reverse("activity-list"), {"contact": "999999999"}),
    (reverse("activity-list"), {"project": "999999999"}),
    (reverse("contact-list"), {"chamber": "999999999"}),
    (reverse("target-list"), {"unit": "nowhere"}),
    (reverse("target-list"), {"indicator": "全市目标"}),
    (reverse("parcel-list"), {"unit": "nowhere"}),
    (reverse("parcel-list"), {"industry": "nothing"}),
]


def _csv_lines(response) -> int:
    return b"".join(response.streaming_content).decode("utf-8-sig").count("\n")


@pytest.mark.parametrize(("path", "params"), NOTHING_MATCHES)
def test_a_reference_that_matches_nothing_lists_nothing(path, params, world, catalogue, deliveries, admin):
    everything = admin.get(path, {"format": "csv"} if "format" in params else {})
    assert everything.status_code == 200
    response = admin.get(path, params)
    assert response.status_code == 200, response.content
    if "format" in params:  # the export: its header row, and no project
        assert _csv_lines(response) == 1
        assert _csv_lines(everything) > 1
    else:
        assert (response.json()["count"], response.json()["results"]) == (0, [])
        assert everything.json()["count"] > 0, "the list must hold rows for the filter to remove"


def _queries(client, params) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PROJECTS, params)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def test_a_code_costs_no_query_of_its_own_as_an_id_does(catalogue, admin, unit):
    """A code is looked up inside the list's own statements (a subquery); an id is compared as it is."""
    admin.get(PROJECTS)  # warm what a first request fills (the token's last use)
    # The baseline is filtered too: an unfiltered list may count by the planner's estimate on
    # PostgreSQL (one EXPLAIN), a filtered one always counts exactly.
    unfiltered, _body = _queries(admin, {"min_total_investment": "0"})
    by_code, body = _queries(admin, {"unit": unit.code, "min_total_investment": "0"})
    assert by_code == unfiltered
    assert {row["unit"] for row in body["results"]} == {unit.code}
    by_id, body = _queries(admin, {"chamber": catalogue["battery"].chamber_id, "min_total_investment": "0"})
    assert by_id == unfiltered
    assert [row["id"] for row in body["results"]] == [catalogue["battery"].pk]
    unknown, body = _queries(admin, {"unit": "no-such-unit"})
    assert unknown <= by_code and body["count"] == 0


def test_q_treats_wildcards_literally(unit, admin):
    ProjectFactory(unit=unit, name="100%达产项目")
    ProjectFactory(unit=unit, name="1000吨项目")
    assert len(listed(admin, {"q": "100%"})) == 1


def test_filters_never_reveal_hidden_projects(world, api_as):
    reader = api_as("reader")
    assert world.secret.pk not in listed(reader, {"unit": world.unit.code, "stage": "signed"})
    assert world.secret.pk not in listed(reader, {"q": world.secret.name})


# --- Deliveries ------------------------------------------------------------------------------------------


@pytest.fixture
def deliveries(unit, other_unit):
    a = ProjectFactory(unit=unit, signed=True, signed_on=D(2011, 1, 10))
    b = ProjectFactory(unit=other_unit, signed=True, signed_on=D(2011, 1, 10))
    make = CapitalDeliveryFactory
    return {
        "a_jan": make(project=a, delivered_on=D(2011, 1, 31), amount=Decimal("10.00")),
        "a_feb": make(project=a, delivered_on=D(2011, 2, 1), amount=Decimal("30.00")),
        "b_feb": make(project=b, delivered_on=D(2011, 2, 28), amount=Decimal("20.00")),
        "b_mar": make(project=b, delivered_on=D(2011, 3, 1), amount=Decimal("5.00")),
        "a": a,
        "b": b,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ("a_jan", "a_feb", "b_feb", "b_mar")),
        ({"unit": "kecheng"}, ("a_jan", "a_feb")),
        ({"unit": "qujiang"}, ("b_feb", "b_mar")),
        ({"delivered_from": "2011-02-01"}, ("a_feb", "b_feb", "b_mar")),  # inclusive
        ({"delivered_to": "2011-02-28"}, ("a_jan", "a_feb", "b_feb")),  # inclusive
        ({"delivered_from": "2011-02-01", "delivered_to": "2011-02-28"}, ("a_feb", "b_feb")),
        ({"unit": "qujiang", "delivered_to": "2011-02-28"}, ("b_feb",)),
    ],
)
def test_delivery_filters(params, expected, deliveries, admin):
    response = admin.get(DELIVERIES, params)
    assert response.status_code == 200
    assert ids(response) == {deliveries[n].pk for n in expected}


def test_delivery_filter_by_project(deliveries, admin):
    response = admin.get(DELIVERIES, {"project": deliveries["b"].pk})
    assert ids(response) == {deliveries["b_feb"].pk, deliveries["b_mar"].pk}
    assert ids(admin.get(DELIVERIES, {"project": 10**9})) == set()


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, ["b_mar", "b_feb", "a_feb", "a_jan"]),  # newest first
        ("delivered_on", ["a_jan", "a_feb", "b_feb", "b_mar"]),
        ("-amount", ["a_feb", "b_feb", "a_jan", "b_mar"]),
        ("amount", ["b_mar", "a_jan", "b_feb", "a_feb"]),
    ],
)
def test_delivery_ordering(ordering, expected, deliveries, admin):
    response = admin.get(DELIVERIES, {"ordering": ordering} if ordering else {})
    assert [row["id"] for row in response.json()["results"]] == [deliveries[n].pk for n in expected]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"project": "abc"}, "project"),
        ({"project": "1.5"}, "project"),
        ({"delivered_from": "2011-13-01"}, "delivered_from"),
        ({"delivered_to": "tomorrow"}, "delivered_to"),
        ({"ordering": "note"}, "ordering"),
    ],
)
def test_bad_delivery_filter_values_are_400_naming_the_filter(params, field, deliveries, admin):
    response = admin.get(DELIVERIES, params)
    assert response.status_code == 400, response.content
    assert field in response.json()


# --- The obvious filters of the other lists ------------------------------------------------------------


def test_other_lists_filter_by_their_obvious_fields(world, admin):
    def count(name, params):
        response = admin.get(reverse(f"{name}-list"), params)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    UnitFactory(code="zone-1", name="智造新城", kind="zone", group="园区组")
    assert count("unit", {"kind": "zone"}) == 1
    assert count("unit", {"group": "园区组"}) == 1
    ChamberFactory(kind="hometown", region="温州")
    assert count("chamber", {"kind": "hometown"}) == 1
    assert count("chamber", {"region": "温州"}) == 1
    ContactFactory()  # of another chamber
    assert count("contact", {"chamber": world.chamber.pk}) == 1
    EventFactory(kind="roadshow")
    assert count("event", {"kind": "roadshow"}) == 1
    ActivityFactory(project=world.project, kind="call")
    assert count("activity", {"project": world.project.pk}) == 2
    assert count("activity", {"project": world.project.pk, "kind": "call"}) == 1
    assert count("activity", {"contact": world.contact.pk}) == 1
    assert count("indicator", {"measure": "project_count"}) == 3
    assert count("indicator", {"active": "true"}) == 10
    TargetFactory(year=2012, indicator=world.indicator, unit=None)
    assert count("target", {"year": 2012}) == 1
    assert count("target", {"indicator": world.indicator.code}) == 2
    assert count("target", {"unit": world.unit.code}) == 1
    assert count("target", {"city": "true"}) == 1
    assert count("target", {"city": "false"}) == 1
    ReportFactory(year=2011, month=7, status="provisional")
    assert count("report", {"year": 2011}) == 2
    assert count("report", {"month": 7}) == 1
    assert count("report", {"status": "provisional"}) == 1
    sold_on = datetime.date(2011, 6, 1)  # land sold has the project it was sold to (the land life cycle)
    buyer = ProjectFactory(unit=world.other_unit, signed=True)
    ParcelFactory(unit=world.other_unit, status="taken", project=buyer, reserved_on=sold_on, taken_on=sold_on)
    assert count("parcel", {"unit": world.unit.code}) == 2
    assert count("parcel", {"industry": "new_materials"}) == 0
    assert count("parcel", {"status": "taken"}) == 1
    assert count("parcel", {"published": "true"}) == 1


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("unit", {"kind": "planet"}),
        ("chamber", {"kind": "x"}),
        ("contact", {"chamber": "abc"}),
        ("contact", {"chamber": "0"}),
        ("activity", {"contact": str(2**63)}),
        ("event", {"kind": "party"}),
        ("activity", {"project": "abc"}),
        ("indicator", {"measure": "x"}),
        ("target", {"year": "abc"}),
        ("report", {"status": "done"}),
        ("report", {"month": "x"}),
        ("parcel", {"status": "x"}),
        ("parcel", {"published": "yes"}),
        ("target", {"city": "maybe"}),
        ("indicator", {"active": "yes"}),
    ],
)
def test_bad_values_on_other_lists_are_400(name, params, world, admin):
    response = admin.get(reverse(f"{name}-list"), params)
    assert response.status_code == 400, response.content
    assert set(params) <= set(response.json())


def test_events_count_what_they_brought_in(world, admin):
    event = world.event  # world.project (signed, 5000.00) came from it
    ProjectFactory(event=event, unit=world.unit, signed=True, signed_amount=Decimal("1.50"))
    ProjectFactory(event=event, unit=world.unit)  # a lead: not counted
    ProjectFactory(event=event, unit=world.unit, stage="dropped", dropped_on=D(2011, 5, 1))  # not counted
    row = admin.get(reverse("event-detail", args=[event.pk])).json()
    assert (row["signed_count"], row["signed_total"]) == (2, "5001.50")
    assert Event.objects.filter(pk=event.pk).exists()
    listed_row = next(r for r in admin.get(reverse("event-list")).json()["results"] if r["id"] == event.pk)
    assert listed_row["signed_total"] == "5001.50"


def test_delivered_total_sums_the_projects_tranches(world, admin):
    CapitalDeliveryFactory(project=world.project, delivered_on=D(2011, 8, 1), amount=Decimal("0.25"))
    row = admin.get(reverse("project-detail", args=[world.project.pk])).json()
    assert row["delivered_total"] == "300.25"
    lead = admin.get(reverse("project-detail", args=[world.lead.pk])).json()
    assert lead["delivered_total"] == "0.00"
