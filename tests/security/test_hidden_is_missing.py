"""Hidden and missing look the same (issue 12 item 6): asking for a row the caller may not see answers
exactly as asking for a row that does not exist, so that no answer confirms a hidden id.

The rule (core.filters.FilterSet): a filter by the id of a row with visibility rules (a project)
matches rows and never checks that the id exists: a hidden id and a missing id both give 200 and an
empty list. In a path or a write both are "not found". Tried as staff of another unit and as an
api_reader (neither sees another unit's confidential projects) and, for unpublished land, anonymously.
"""

# ruff: noqa: F811  (the API tests' fixtures are imported by name, then asked for by name)

import re

import pytest
from rest_framework.test import APIClient

from projects.models import Activity, CapitalDelivery, Project
from tests.api.conftest import other_staff, other_unit, reader_user, users, world  # noqa: F401

MISSING = 10**6  # no row has this id


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def same_answer(client: APIClient, path: str, hidden: int, missing: int = MISSING, **kwargs) -> tuple:
    """The two answers, with the asked id masked in the body (a message may quote it)."""
    answers = []
    for value in (hidden, missing):
        response = client.get(path.format(id=value), **kwargs)
        body = (
            response.content.decode(errors="replace")
            if not response.streaming
            else b"".join(response.streaming_content).decode(errors="replace")
        )
        answers.append((response.status_code, re.sub(rf"\b{value}\b", "<id>", body)))
    assert answers[0] == answers[1], (path, answers)
    return answers[0]


@pytest.fixture(params=["other_staff", "reader"])
def outsider(request, users):
    """Callers who may not see the confidential projects of `world.unit`."""
    return client_for(users[request.param])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/deliveries/?project={id}",
        "/api/v1/activities/?project={id}",
        "/api/v1/deliveries/export/?project={id}&format=csv",
    ],
)
def test_filtering_by_a_hidden_project_answers_as_a_missing_one(world, outsider, path):
    status, body = same_answer(outsider, path, world.secret.pk)
    assert status == 200
    if "export" not in path:
        assert '"count":0' in body and '"results":[]' in body


@pytest.mark.django_db
def test_the_owner_sees_what_the_filter_hides_from_others(world, staff_user):
    """The filter does match the hidden project's rows for whoever may see them: the empty answer to
    others is the visibility rule, not a broken filter."""
    own = client_for(staff_user)
    deliveries = own.get("/api/v1/deliveries/", {"project": world.secret.pk}).json()
    assert [row["id"] for row in deliveries["results"]] == [world.secret_delivery.pk]
    activities = own.get("/api/v1/activities/", {"project": world.secret.pk}).json()
    assert [row["id"] for row in activities["results"]] == [world.secret_activity.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, hidden",
    [
        ("/api/v1/projects/{id}/", "secret"),
        ("/api/v1/deliveries/{id}/", "secret_delivery"),
        ("/api/v1/activities/{id}/", "secret_activity"),
    ],
)
def test_a_hidden_row_in_a_path_answers_as_a_missing_one(world, outsider, path, hidden):
    status, _body = same_answer(outsider, path, getattr(world, hidden).pk)
    assert status == 404


@pytest.mark.django_db
def test_unpublished_land_is_missing_to_anonymous_callers(world):
    status, _body = same_answer(client_for(None), "/api/v1/parcels/{id}/", world.draft_parcel.pk)
    assert status == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/deliveries/", "/api/v1/activities/"])
def test_writing_to_a_hidden_project_answers_as_to_a_missing_one(world, users, path):
    client = client_for(users["other_staff"])
    before = (CapitalDelivery.objects.count(), Activity.objects.count(), Project.objects.count())
    body = {"delivered_on": "2011-05-01", "amount": "1", "happened_on": "2011-05-01", "summary": "x"}
    fields = {"/api/v1/deliveries/": ["delivered_on", "amount"], "/api/v1/activities/": ["happened_on", "summary"]}
    answers = []
    for project_id in (world.other_secret.pk, world.secret.pk, MISSING):
        sent = {name: body[name] for name in fields[path]} | {"project": project_id}
        response = client.post(path, sent, format="json")
        answers.append((response.status_code, re.sub(rf"\b{project_id}\b", "<id>", response.content.decode())))
    # other_staff may see (and write to) its own unit's secret; world.secret is hidden from it.
    assert answers[0][0] == 201
    assert answers[1] == answers[2]
    assert answers[1][0] == 400
    assert (CapitalDelivery.objects.count(), Activity.objects.count(), Project.objects.count()) == (
        before[0] + (path == "/api/v1/deliveries/"),
        before[1] + (path == "/api/v1/activities/"),
        before[2],
    )
