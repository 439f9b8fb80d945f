"""The full pull (`projects/export/?format=ndjson`, and CSV) streamed from a server-side cursor, and
what only PostgreSQL can show: a write committing while a client walks, a client dropping an
export half-way, the planner's estimated count."""

import json
import threading
import tracemalloc

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from projects import services
from projects.models import Project, assign_references
from tests.api.test_sync import PROJECTS, applied, full_pull, walk
from tests.factories import ProjectFactory

EXPORT = f"{PROJECTS}export/"


@pytest.fixture(autouse=True)
def _exact_clock(settings):
    settings.SYNC_CLOCK_MARGIN = 0


def ndjson(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson; charset=utf-8"
    return [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]


def more_projects(unit, count: int) -> None:
    projects = [
        Project(name=f"批量项目{n}", investor=f"投资方{n}", unit=unit, total_investment=1) for n in range(count)
    ]
    assign_references(projects)  # bulk_create does not call save(), which gives the 项目编号
    Project.objects.bulk_create(projects)


@pytest.mark.parametrize("role", ["leader", "reader", "own_staff"])
def test_ndjson_is_the_list_as_the_api_shows_it(role, world, api_as):
    client = api_as(role)
    records = ndjson(client.get(EXPORT, {"format": "ndjson"}))
    assert {r["id"]: r for r in records} == full_pull(client)
    assert len(records) == len(full_pull(client))


def test_ndjson_honours_the_filters(world, api_as):
    records = ndjson(api_as("leader").get(EXPORT, {"format": "ndjson", "stage": "lead"}))
    assert [r["id"] for r in records] == [world.lead.pk]


def test_a_bad_filter_is_a_json_400(world, api_as):
    response = api_as("leader").get(EXPORT, {"format": "ndjson", "stage": "nonsense"})
    assert response.status_code == 400 and "stage" in response.json()


def test_streaming_keeps_the_query_count_flat(world, api_as):
    client = api_as("leader")

    def queries_of_a_pull() -> int:
        with CaptureQueriesContext(connection) as captured:
            ndjson(client.get(EXPORT, {"format": "ndjson"}))
        return len(captured)

    queries_of_a_pull()  # the caller's permissions, looked up once
    few = queries_of_a_pull()
    more_projects(world.unit, 300)
    assert queries_of_a_pull() == few


def _peak_memory_of_a_pull(client, *, file_format: str) -> int:
    tracemalloc.start()
    try:
        response = client.get(EXPORT, {"format": file_format})
        for _chunk in response.streaming_content:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("file_format", ["ndjson", "csv"])
def test_streaming_keeps_memory_flat(file_format, world, api_as, settings):
    client = api_as("leader")
    _peak_memory_of_a_pull(client, file_format=file_format)  # first-use allocations, not counted
    more_projects(world.unit, 4500)
    small = _peak_memory_of_a_pull(client, file_format=file_format)
    more_projects(world.unit, 13500)
    large = _peak_memory_of_a_pull(client, file_format=file_format)
    # Four times the rows, the same peak: two chunks of rows (2,000 each) and a piece of output at most.
    assert large < small * 1.2, (small, large)


def test_cursor_pages_keep_the_query_count_flat(world, api_as):
    client = api_as("reader")

    def queries_of_a_page(size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert len(client.get(PROJECTS, {"cursor": "", "page_size": size}).json()["results"]) == size
        return len(captured)

    more_projects(world.unit, 60)
    queries_of_a_page(1)  # the caller's permissions, looked up once
    assert queries_of_a_page(2) == queries_of_a_page(50)


# --- PostgreSQL only ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("role", ["leader", "reader"])
def test_a_write_committing_mid_walk_is_not_missed(role, world, api_as):
    """A transaction stamps a project, then a second project is written and committed, then the
    client walks, then the first commits. The stamp of the first is older than the second's: a
    walk that served the second and a client that next asks for changes since the newest time it
    saw would never see the first. The walk stops at the sync horizon instead."""
    client = api_as(role)
    slow = world.other_project
    written, release, failures = threading.Event(), threading.Event(), []

    def slow_writer():
        try:
            with transaction.atomic():
                services.project_save(actor=None, project=Project.objects.get(pk=slow.pk), notes="慢事务写的")
                written.set()
                release.wait(30)
        except Exception as error:  # noqa: BLE001 — reported by the test below
            failures.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert written.wait(30)
        quick = ProjectFactory(unit=world.other_unit, name="快事务写的")
        rows, mark, _pages = walk(client, PROJECTS, {"page_size": 2})
        assert quick.pk not in {r["id"] for r in rows}  # held back: above the horizon
        assert all(r["notes"] != "慢事务写的" for r in rows)
    finally:
        release.set()
        writer.join(30)
    assert not failures
    stamped = Project.objects.get(pk=slow.pk).updated_at
    assert stamped < Project.objects.get(pk=quick.pk).updated_at  # the order that loses a write
    copy = applied({}, rows)
    # A client asking for changes since the newest time it saw, and one following the recipe.
    newest = max(r["updated_at"] for r in rows)
    since_newest, _mark, _pages = walk(client, PROJECTS, {"updated_since": newest})
    since_mark, _mark, _pages = walk(client, PROJECTS, {"updated_since": mark})
    fresh = full_pull(client)
    assert applied(copy, since_newest) == fresh
    assert applied(copy, since_mark) == fresh
    assert fresh[slow.pk]["notes"] == "慢事务写的"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_export_holds_no_transaction_and_a_dropped_one_no_cursor(world, api_as):
    """The rows come from a server-side cursor declared WITH HOLD outside any transaction; when the
    client goes away the server closes the response, which closes the cursor."""
    import psycopg2.extensions

    more_projects(world.unit, 6000)  # more than one chunk: the cursor is still open after the first
    response = api_as("leader").get(EXPORT, {"format": "ndjson"})
    chunks = iter(response.streaming_content)
    assert next(chunks)

    def open_cursors() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_cursors")
            return cursor.fetchone()[0]

    assert open_cursors() == 1
    assert connection.connection.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE
    assert not connection.in_atomic_block
    response.close()  # what the server does when the client drops the connection
    del chunks
    assert open_cursors() == 0
    assert connection.connection.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_IDLE


@pytest.mark.postgres
def test_an_unfiltered_count_is_the_planner_estimate(world, api_as, settings):
    settings.API_COUNT_ESTIMATE_THRESHOLD = 0
    client = api_as("leader")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Project._meta.db_table}")
    estimated = client.get(PROJECTS)
    assert estimated.headers.get("Count-Estimated") == "true" and estimated.json()["count"] >= 0
    exact = client.get(PROJECTS, {"count_exact": 1})
    assert exact.json()["count"] == 5 and "Count-Estimated" not in exact.headers
    filtered = client.get(PROJECTS, {"stage": "lead"})
    assert filtered.json()["count"] == 1 and "Count-Estimated" not in filtered.headers
    settings.API_COUNT_ESTIMATE_THRESHOLD = 100_000
    assert "Count-Estimated" not in client.get(PROJECTS).headers  # a small list is counted
