"""Aggregates of confidential projects, one rule (issue 12 item 7; DESIGN §5): report figures and event
totals are the bureau's official totals and include confidential projects, for every caller alike;
what is protected is a confidential project's identity (name, investor, unit), which never appears
in a list, a detail or an export for a caller who may not see the project.

Tested the same way on reports and events: the figure first (the same for every role, and counting
the hidden projects), then every read a caller could use to name what is behind it.
"""

# ruff: noqa: F811  (the API tests' fixtures are imported by name, then asked for by name)
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Project
from targets import reporting
from targets.models import ReportRow
from tests.api.conftest import (  # noqa: F401
    api_as,
    clients,
    other_staff,
    other_unit,
    reader_user,
    users,
    world,
)
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

ROLES = ("own_staff", "other_staff", "leader", "reader", "admin")
SIGNED = Decimal("5000.00")  # every signed project of the world (ProjectFactory's signed trait)


@pytest.fixture
def event_world(world):
    """The world's event brought in its public project, the own unit's confidential one and the other
    unit's confidential one: three signed projects, two of them confidential."""
    Project.objects.filter(pk__in=[world.secret.pk, world.other_secret.pk]).update(event=world.event)
    return world


def hidden_from(role: str, world) -> list[Project]:
    """The confidential projects a role may not see (DESIGN §5)."""
    return {
        "own_staff": [world.other_secret],
        "other_staff": [world.secret],
        "reader": [world.secret, world.other_secret],
        "leader": [],
        "admin": [],
    }[role]


def identities(project: Project) -> list[str]:
    return [project.name, project.investor]


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig", errors="replace")
    return response.content.decode(errors="replace")


# --- Events: signed_count and signed_total ---------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_an_event_counts_its_confidential_projects_for_every_role(role, event_world, clients):
    detail = clients[role].get(reverse("event-detail", args=[event_world.event.pk]))
    assert detail.status_code == 200, detail.content
    assert (detail.json()["signed_count"], Decimal(detail.json()["signed_total"])) == (3, 3 * SIGNED)
    listed = clients[role].get(reverse("event-list")).json()["results"]
    assert [(row["id"], row["signed_count"]) for row in listed] == [(event_world.event.pk, 3)]


def test_an_event_counts_a_confidential_project_only_while_it_is_signed(event_world, clients):
    Project.objects.filter(pk=event_world.other_secret.pk).update(
        stage=Project.Stage.DROPPED, dropped_on=datetime.date(2011, 4, 1)
    )
    detail = clients["reader"].get(reverse("event-detail", args=[event_world.event.pk])).json()
    assert (detail["signed_count"], Decimal(detail["signed_total"])) == (2, 2 * SIGNED)


# --- Reports: the city's and the units' figures ----------------------------------------------------


def signed_capital(rows: list[dict]) -> dict[str | None, Decimal]:
    return {row["unit"]: Decimal(row["ytd_value"]) for row in rows if row["indicator"] == "signed_capital"}


@pytest.mark.parametrize("role", ROLES)
def test_report_figures_count_confidential_projects_for_every_role(role, world, clients):
    reporting.report_compute(report_id=world.report.pk)
    response = clients[role].get(reverse("report-detail", args=[world.report.pk]))
    assert response.status_code == 200, response.content
    figures = signed_capital(response.json()["rows"])
    # Two signed projects in each unit, one of them confidential: 4 in the city.
    assert figures == {None: 4 * SIGNED, "kecheng": 2 * SIGNED, "qujiang": 2 * SIGNED}
    stored = ReportRow.objects.get(report=world.report, indicator__code="signed_capital", unit=None)
    assert stored.ytd_value == 4 * SIGNED
    preview = clients[role].get(reverse("report-preview", args=[world.report.pk]))
    assert signed_capital(preview.json()["rows"]) == figures


def test_a_new_confidential_project_moves_the_figures_seen_by_a_caller_who_may_not_see_it(world, clients):
    ProjectFactory(
        unit=world.other_unit, signed=True, confidential=True, signed_on=datetime.date(2011, 6, 1), name="新的保密项目"
    )
    reporting.report_compute(report_id=world.report.pk)
    rows = clients["reader"].get(reverse("report-detail", args=[world.report.pk])).json()["rows"]
    assert signed_capital(rows)[None] == 5 * SIGNED
    assert "新的保密项目" not in str(rows)


# --- Identity: never in a list, detail or export for a caller who may not see it --------------------


def reads(world) -> list[str]:
    """Every read of the API whose answer could name a project, with the hidden projects' own rows."""
    return [
        reverse("project-list") + "?page_size=200",
        reverse("project-export") + "?format=csv",
        reverse("delivery-list") + "?page_size=200",
        reverse("delivery-export") + "?format=csv",
        reverse("activity-list") + "?page_size=200",
        reverse("event-list"),
        reverse("event-detail", args=[world.event.pk]),
        reverse("report-detail", args=[world.report.pk]),
        reverse("report-preview", args=[world.report.pk]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_a_confidential_project_is_named_only_to_who_may_see_it(role, event_world, clients):
    reporting.report_compute(report_id=event_world.report.pk)
    client = clients[role]
    hidden = hidden_from(role, event_world)
    answers = {url: client.get(url) for url in reads(event_world)}
    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(answers, 200)
    texts = {url: body(r) for url, r in answers.items()}
    for project in hidden:
        for name in identities(project):
            assert [url for url, text in texts.items() if name in text] == [], (role, name)
        assert client.get(reverse("project-detail", args=[project.pk])).status_code == 404
    # The confidential projects the role may see are named, in the list and the export alike: the
    # check above could not pass by naming nothing.
    visible = {event_world.secret, event_world.other_secret} - set(hidden)
    for project in visible:
        assert project.name in texts[reverse("project-list") + "?page_size=200"], (role, project.name)
        assert project.name in texts[reverse("project-export") + "?format=csv"], (role, project.name)
