"""REST clients at scale: cursor pages, changes since a time, removals, the sync recipe for every
role, conditional requests and estimated counts (core/pagination.py, core/sync.py, projects/api.py)."""

import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.db import connection

from projects import services
from projects.models import Project, ProjectRemoval
from tests.api.helpers import ROLES
from tests.factories import ProjectFactory

PROJECTS = "/api/v1/projects/"
LISTS = [
    "/api/v1/units/",
    "/api/v1/industries/",
    "/api/v1/indicators/",
    PROJECTS,
    "/api/v1/deliveries/",
    "/api/v1/activities/",
    "/api/v1/chambers/",
    "/api/v1/contacts/",
    "/api/v1/events/",
    "/api/v1/targets/",
    "/api/v1/reports/",
    "/api/v1/parcels/",
]
READERS = [role for role in ROLES if role != "anon"]


def walk(client, url: str, params: dict | None = None) -> tuple[list[dict], str | None, int]:
    """Every row of a cursor walk, in order, the first page's Sync-Horizon (the client's mark) and the
    number of pages."""
    response = client.get(url, {"cursor": "", **(params or {})})
    assert response.status_code == 200, response.content
    mark = response.headers.get("Sync-Horizon")
    rows, pages = [], 0
    while True:
        body = response.json()
        assert "count" not in body
        rows += body["results"]
        pages += 1
        if body["next"] is None:
            return rows, mark, pages
        response = client.get(body["next"])
        assert response.status_code == 200, response.content


def full_pull(client, url: str = PROJECTS) -> dict[int, dict]:
    """A fresh full pull by page numbers: what a client's copy must equal."""
    rows, page = {}, 1
    while True:
        body = client.get(url, {"page": page, "page_size": 200, "count_exact": 1}).json()
        rows.update({row.get("id", row.get("code")): row for row in body["results"]})
        if body["next"] is None:
            return rows
        page += 1


def applied(copy: dict[int, dict], rows: list[dict], removed: list[int] = ()) -> dict[int, dict]:
    copy = {**copy, **{row["id"]: row for row in rows}}
    for project_id in removed:
        copy.pop(project_id, None)
    return copy


@pytest.fixture(autouse=True)
def _exact_clock(settings):
    settings.SYNC_CLOCK_MARGIN = 0


@pytest.fixture
def many(world):
    """Twenty more projects of the world's unit, a few confidential."""
    return [ProjectFactory(unit=world.unit, confidential=n % 5 == 0) for n in range(20)]


# --- Cursor pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["leader", "reader", "own_staff"])
def test_a_cursor_walk_equals_a_full_pull(role, world, many, api_as):
    client = api_as(role)
    rows, mark, pages = walk(client, PROJECTS, {"page_size": 4})
    assert pages > 3 and mark
    assert len(rows) == len({row["id"] for row in rows})  # nothing twice
    assert {row["id"]: row for row in rows} == full_pull(client)
    keys = [(row["updated_at"], row["id"]) for row in rows]
    stored = list(
        Project.objects.filter(pk__in=[k[1] for k in keys]).order_by("updated_at", "id").values_list("id", flat=True)
    )
    assert [k[1] for k in keys] == stored  # ascending (updated_at, id)


def test_previous_goes_back_a_page(world, many, api_as):
    client = api_as("leader")
    first = client.get(PROJECTS, {"cursor": "", "page_size": 5}).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert first["previous"] is None
    back = client.get(third["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in second["results"]]
    assert [r["id"] for r in client.get(back["previous"]).json()["results"]] == [r["id"] for r in first["results"]]


@pytest.mark.parametrize("path", LISTS)
def test_every_list_takes_a_cursor(path, world, api_as):
    client = api_as("admin")
    rows, _mark, _pages = walk(client, path, {"page_size": 1})
    pulled = full_pull(client, path)
    key = "id" if "id" in rows[0] else "code"  # reference data is named by its code
    assert sorted(row[key] for row in rows) == sorted(row[key] for row in pulled.values())
    assert len(rows) == len(pulled) > 0


def test_page_numbers_are_unchanged(world, api_as):
    body = api_as("leader").get(PROJECTS, {"page": 1, "page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"} and body["count"] == 5
    assert "page=2" in body["next"]


def test_cursor_pages_ignore_the_ordering_parameter(world, many, api_as):
    rows, _mark, _pages = walk(api_as("leader"), PROJECTS, {"ordering": "name", "page_size": 50})
    assert [(r["updated_at"], r["id"]) for r in rows] == sorted((r["updated_at"], r["id"]) for r in rows)


def _next_cursor(client, params=None) -> str:
    body = client.get(PROJECTS, {"cursor": "", "page_size": 2, **(params or {})}).json()
    return parse_qs(urlsplit(body["next"]).query)["cursor"][0]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "eyJrIjpbMSwyXX0:1tXYZ:abc", signing.dumps({"k": [1], "b": False}, salt="another")],
)
def test_a_forged_cursor_is_a_400(cursor, world, api_as):
    response = api_as("leader").get(PROJECTS, {"cursor": cursor})
    assert response.status_code == 400
    assert "游标" in response.json()["cursor"][0]


def test_a_tampered_cursor_is_a_400(world, many, api_as):
    client = api_as("leader")
    cursor = _next_cursor(client)
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert client.get(PROJECTS, {"cursor": tampered, "page_size": 2}).status_code == 400
    assert client.get(PROJECTS, {"cursor": cursor, "page_size": 2}).status_code == 200


def test_a_cursor_of_other_filters_is_a_400(world, many, api_as):
    client = api_as("leader")
    cursor = _next_cursor(client, {"stage": "lead"})
    response = client.get(PROJECTS, {"cursor": cursor, "stage": "signed"})
    assert response.status_code == 400 and "筛选条件" in response.json()["cursor"][0]
    assert client.get("/api/v1/deliveries/", {"cursor": cursor}).status_code == 400


def test_a_stale_cursor_is_a_400(world, many, api_as, settings):
    client = api_as("leader")
    cursor = _next_cursor(client)
    settings.API_CURSOR_MAX_AGE = -1
    response = client.get(PROJECTS, {"cursor": cursor, "page_size": 2})
    assert response.status_code == 400 and "过期" in response.json()["cursor"][0]


def test_writes_between_pages_lose_nothing(world, many, api_as):
    """Rows inserted and updated while a client walks: each untouched row comes once, and the copy
    ends equal to a fresh pull (an updated row comes again, later, with its new values)."""
    client = api_as("reader")
    response = client.get(PROJECTS, {"cursor": "", "page_size": 3})
    rows, changed = [], set()
    step = 0
    while True:
        body = response.json()
        rows += body["results"]
        step += 1
        seen = [row["id"] for row in rows]
        # Between pages: a new project, and a change to one already served and one not yet served.
        fresh = ProjectFactory(unit=world.unit, name=f"新项目{step}")
        changed.add(fresh.pk)
        for project in Project.objects.filter(confidential=False).exclude(pk__in=changed).order_by("?")[:1]:
            services.project_save(actor=None, project=project, notes=f"第{step}次修改")
            changed.add(project.pk)
        if seen:
            project = Project.objects.get(pk=seen[0])
            services.project_save(actor=None, project=project, notes=f"改过已读的{step}")
            changed.add(project.pk)
        if body["next"] is None or step > 40:
            break
        response = client.get(body["next"])
    assert step <= 40
    served = [row["id"] for row in rows]
    untouched = [pk for pk in served if pk not in changed]
    assert len(untouched) == len(set(untouched))
    copy = applied({}, rows)
    # The last writes happened after the last page: an incremental pull brings them in.
    more, _mark, _pages = walk(client, PROJECTS, {"updated_since": rows[-1]["updated_at"]})
    assert applied(copy, more) == full_pull(client)


# --- Changes since ------------------------------------------------------------------------------


def test_updated_since_lists_the_projects_changed_since(world, many, api_as):
    client = api_as("leader")
    _rows, mark, _pages = walk(client, PROJECTS)
    services.project_save(actor=None, project=world.other_project, notes="新的情况")
    services.delivery_record(
        actor=None, project=world.project, delivered_on=datetime.date(2011, 5, 1), amount=Decimal("10")
    )
    services.activity_record(
        actor=None, project=world.lead, kind="visit", happened_on=datetime.date(2011, 5, 2), summary="回访"
    )
    created = ProjectFactory(unit=world.unit)
    rows, _mark, _pages = walk(client, PROJECTS, {"updated_since": mark})
    assert {row["id"] for row in rows} == {world.other_project.pk, world.project.pk, world.lead.pk, created.pk}
    delivered = next(row for row in rows if row["id"] == world.project.pk)["delivered_total"]
    assert Decimal(delivered) == Decimal("310.00")  # the new tranche is in the project's representation


def test_deleting_a_delivery_changes_its_project(world, api_as):
    client = api_as("leader")
    _rows, mark, _pages = walk(client, PROJECTS)
    services.delivery_delete(actor=None, delivery=world.other_delivery)
    rows, _mark, _pages = walk(client, PROJECTS, {"updated_since": mark})
    assert [(row["id"], row["delivered_total"]) for row in rows] == [(world.other_project.pk, "0.00")]


def test_updated_since_takes_an_unencoded_plus(world, api_as):
    client = api_as("leader")
    moment = (
        Project.objects.order_by("updated_at")
        .first()
        .updated_at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    )
    text = moment.isoformat()
    assert "+08:00" in text
    encoded = client.get(PROJECTS, {"updated_since": text}).json()["results"]
    raw = client.get(f"{PROJECTS}?updated_since={text}").json()["results"]  # "+" arrives as a space
    assert [r["id"] for r in raw] == [r["id"] for r in encoded] and len(raw) == 5


@pytest.mark.parametrize("value", ["yesterday", "2026-13-40T00:00:00", ""])
def test_a_bad_updated_since_is_a_400(value, world, api_as):
    response = api_as("leader").get(PROJECTS, {"updated_since": value or "x"})
    assert response.status_code == 400 and "updated_since" in response.json()


# --- Removals and the sync recipe, per role -------------------------------------------------------


def mutate(world) -> None:
    """What another client does between two syncs: create, change, delete, turn confidential, move
    a confidential project to another unit, turn one public, record a tranche."""
    ProjectFactory(unit=world.other_unit, name="新线索")
    services.project_save(actor=None, project=world.other_project, notes="改了")
    services.project_delete(actor=None, project=world.lead)
    services.project_save(actor=None, project=world.project, confidential=True)
    services.project_save(actor=None, project=world.secret, unit=world.other_unit)
    services.project_save(actor=None, project=world.other_secret, confidential=False)
    services.delivery_record(
        actor=None, project=world.other_project, delivered_on=datetime.date(2011, 6, 1), amount=Decimal("5")
    )


@pytest.mark.parametrize("role", READERS)
def test_full_pull_then_changes_and_removals_equal_a_fresh_pull(role, world, many, api_as):
    client = api_as(role)
    rows, mark, _pages = walk(client, PROJECTS, {"page_size": 7})
    copy = applied({}, rows)
    mutate(world)
    changes, new_mark, _pages = walk(client, PROJECTS, {"updated_since": mark, "page_size": 7})
    removed = client.get(f"{PROJECTS}removed/", {"since": mark})
    assert removed.status_code == 200
    copy = applied(copy, changes, removed.json()["ids"])
    assert copy == full_pull(client)
    # A second round with nothing new changes nothing.
    again, _mark, _pages = walk(client, PROJECTS, {"updated_since": new_mark})
    assert applied(copy, again, client.get(f"{PROJECTS}removed/", {"since": new_mark}).json()["ids"]) == copy


@pytest.mark.parametrize(
    "role, expected",
    [
        ("leader", {"lead"}),  # sees everything: only the deletion
        ("admin", {"lead"}),
        ("reader", {"lead", "project"}),  # the project turned confidential
        ("other_staff", {"lead", "project"}),
        ("own_staff", {"lead", "secret"}),  # its confidential project moved to the other unit
    ],
)
def test_removed_lists_what_each_role_can_no_longer_see(role, expected, world, api_as):
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    ids = {name: getattr(world, name).pk for name in ("lead", "project", "secret")}
    mutate(world)
    body = api_as(role).get(f"{PROJECTS}removed/", {"since": since.isoformat()}).json()
    assert sorted(body["ids"]) == sorted(ids[name] for name in expected)
    assert body["until"]


def test_removed_since_later_lists_nothing(world, api_as):
    mutate(world)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1)
    assert api_as("reader").get(f"{PROJECTS}removed/", {"since": later.isoformat()}).json()["ids"] == []


def test_a_project_visible_again_is_not_listed_as_removed(world, api_as):
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    services.project_save(actor=None, project=world.project, confidential=True)
    project = Project.objects.get(pk=world.project.pk)
    services.project_save(actor=None, project=project, confidential=False)
    assert api_as("reader").get(f"{PROJECTS}removed/", {"since": since.isoformat()}).json()["ids"] == []


@pytest.mark.parametrize("params", [{}, {"since": "x"}, {"since": ""}])
def test_removed_needs_a_time(params, world, api_as):
    response = api_as("reader").get(f"{PROJECTS}removed/", params)
    assert response.status_code == 400 and "since" in response.json()


def test_removed_needs_a_signed_in_caller(world, api_as):
    assert api_as("anon").get(f"{PROJECTS}removed/", {"since": "2020-01-01T00:00:00Z"}).status_code == 401


def test_the_services_log_removals(world):
    services.project_save(actor=None, project=world.other_project, name="改名不算")
    assert not ProjectRemoval.objects.exists()
    services.project_save(actor=None, project=world.other_project, confidential=True)
    services.project_save(actor=None, project=Project.objects.get(pk=world.other_project.pk), unit=world.unit)
    lead_pk = world.lead.pk
    services.project_delete(actor=None, project=world.lead)
    assert list(ProjectRemoval.objects.order_by("id").values_list("project_id", "reason")) == [
        (world.other_project.pk, "confidential"),
        (world.other_project.pk, "moved"),
        (lead_pk, "deleted"),
    ]


# --- Conditional requests -----------------------------------------------------------------------


@pytest.mark.parametrize("detail", [False, True])
def test_an_unchanged_page_answers_304(detail, world, api_as):
    client = api_as("reader")
    url = f"{PROJECTS}{world.project.pk}/" if detail else PROJECTS
    first = client.get(url)
    etag = first.headers["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    services.delivery_record(
        actor=None, project=world.project, delivered_on=datetime.date(2011, 5, 1), amount=Decimal("1")
    )
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_etags_differ_by_caller(world, api_as):
    assert api_as("reader").get(PROJECTS).headers["ETag"] != api_as("leader").get(PROJECTS).headers["ETag"]


def test_a_cursor_page_has_an_etag_too(world, api_as):
    client = api_as("leader")
    first = client.get(PROJECTS, {"cursor": ""})
    assert client.get(PROJECTS, {"cursor": ""}, HTTP_IF_NONE_MATCH=first.headers["ETag"]).status_code == 304


# --- Counts -------------------------------------------------------------------------------------


def test_counts_are_exact_on_sqlite(world, api_as, settings):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL estimates: test_sync_stream.py")
    settings.API_COUNT_ESTIMATE_THRESHOLD = 0
    response = api_as("leader").get(PROJECTS)
    assert response.json()["count"] == 5 and "Count-Estimated" not in response.headers


def test_the_schema_documents_sync(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    listing = {p["name"]: p for p in schema["paths"][PROJECTS]["get"]["parameters"]}
    assert {"cursor", "updated_since", "count_exact"} <= set(listing)
    assert "到位资金" in listing["updated_since"]["description"]
    assert "游标" in listing["cursor"]["description"]
    project = schema["components"]["schemas"]["Project"]["properties"]
    assert "到位资金" in project["updated_at"]["description"]
    removed = schema["paths"][f"{PROJECTS}removed/"]["get"]
    assert any(p["name"] == "since" and p["required"] for p in removed["parameters"])
    assert "count" not in schema["components"]["schemas"]["PaginatedProjectList"]["required"]


@pytest.mark.parametrize("value", ["-5", "yes", "2"])
def test_a_bad_count_exact_is_a_400(value, world, api_as):
    response = api_as("leader").get(PROJECTS, {"count_exact": value})
    assert response.status_code == 400 and "count_exact" in response.json()
