"""Every page and every form post × every role (DESIGN §5): the API's endpoint × role matrix,
repeated for the browser side.

The roles: an anonymous visitor (sent to sign in), an API reader (the 403 page), a leader (reads
everything, writes nothing), a staff member of the project's unit (reads and writes), a staff member
of another unit (reads the non-confidential project, writes nothing of it), an admin (everything).
A refused post writes nothing.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from chambers.models import Contact, Event
from projects.models import Activity, CapitalDelivery, Project
from tests.factories import ChamberFactory, EventFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "api_reader", "leader", "staff_own", "staff_other", "admin"]


@pytest.fixture
def world(unit):
    other = UnitFactory(code="jiangshan", name="江山市")
    users = {
        "api_reader": UserFactory(role="api_reader"),
        "leader": UserFactory(role="leader"),
        "staff_own": UserFactory(role="staff", unit=unit),
        "staff_other": UserFactory(role="staff", unit=other),
        "admin": UserFactory(role="admin"),
    }
    lead = ProjectFactory(
        unit=unit, name="衢州锂电池材料项目", investor="锂源科技", origin="out_of_province", category="industrial"
    )
    signed = ProjectFactory(
        unit=unit, signed=True, name="江山木业家居项目", investor="森工木业", origin="out_of_province"
    )
    chamber = ChamberFactory(name="矩阵商会")
    event = EventFactory(name="矩阵活动")
    return {"unit": unit, "users": users, "lead": lead, "signed": signed, "chamber": chamber, "event": event}


def client_for(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def page_urls(world) -> dict[str, str]:
    lead = world["lead"].pk
    return {
        "home": reverse("home"),
        "dashboard": reverse("dashboard"),
        "list": reverse("projects:list"),
        "export": reverse("projects:export") + "?format=csv",
        "detail": reverse("projects:detail", args=[lead]),
        "board": reverse("board"),
        "chambers": reverse("chambers:list"),
        "chamber": reverse("chambers:detail", args=[world["chamber"].pk]),
        "events": reverse("events:list"),
        "event": reverse("events:detail", args=[world["event"].pk]),
        "notifications": reverse("notifications:list"),
        "new": reverse("projects:new"),
        "edit": reverse("projects:edit", args=[lead]),
        "stage": reverse("projects:stage", args=[lead, "negotiating"]),
        "delivery": reverse("projects:delivery_new", args=[world["signed"].pk]),
        "activity": reverse("projects:activity_new", args=[lead]),
        "event_new": reverse("events:new"),
    }


READ_PAGES = ["home", "dashboard", "list", "export", "detail", "board", "chambers", "chamber", "events", "event"]
READ_PAGES += ["notifications"]
# Forms of the lead project's own unit; the new-lead form is open to any staff member (for their unit).
UNIT_FORMS = ["edit", "stage", "delivery", "activity"]
# Chambers and events are the bureau's shared records: any staff member adds to them, leaders read.
SHARED_FORMS = ["event_new"]

EVERY_PAGE = [*READ_PAGES, "new", *UNIT_FORMS, *SHARED_FORMS]
EXPECTED_GET = {
    "anonymous": {name: 302 for name in EVERY_PAGE},
    "api_reader": {name: 403 for name in EVERY_PAGE},
    "leader": {**{name: 200 for name in READ_PAGES}, **{name: 403 for name in ["new", *UNIT_FORMS, *SHARED_FORMS]}},
    "staff_own": {name: 200 for name in EVERY_PAGE},
    "staff_other": {
        **{name: 200 for name in [*READ_PAGES, "new", *SHARED_FORMS]},
        **{name: 403 for name in UNIT_FORMS},
    },
    "admin": {name: 200 for name in EVERY_PAGE},
}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_its_permissions_say(client, world, role):
    client = client_for(client, world, role)
    answers = {name: client.get(url).status_code for name, url in page_urls(world).items()}

    assert answers == EXPECTED_GET[role]


@pytest.mark.parametrize("role", ROLES)
def test_refusals_are_pages_in_chinese_not_errors(client, world, role):
    client = client_for(client, world, role)
    for name, url in page_urls(world).items():
        response = client.get(url)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), name
        if response.status_code == 403:
            assert "无权访问" in response.content.decode(), name


# --- Form posts ------------------------------------------------------------------------------------


def today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


def posts(world) -> dict[str, tuple[str, dict, callable]]:
    """Each form post: its URL, valid data, and a reading of what it writes (compared before and after)."""
    lead, signed, unit = world["lead"], world["signed"], world["unit"]
    yesterday = (today() - datetime.timedelta(days=1)).isoformat()
    return {
        "new": (
            reverse("projects:new"),
            {
                "name": "龙游特种纸新材料项目",
                "investor": "华纸控股有限公司",
                "investor_kind": "private",
                "unit": unit.pk,
                "category": "industrial",
                "origin": "out_of_province",
                "channel": "direct",
                "total_investment": "12000",
            },
            lambda: Project.objects.filter(name="龙游特种纸新材料项目").count(),
        ),
        "edit": (
            reverse("projects:edit", args=[lead.pk]),
            {
                "name": "衢州锂电池材料项目二期",
                "investor": lead.investor,
                "investor_kind": lead.investor_kind,
                "unit": unit.pk,
                "category": "industrial",
                "origin": "out_of_province",
                "channel": lead.channel,
                "total_investment": "500",
            },
            lambda: Project.objects.get(pk=lead.pk).name,
        ),
        "stage": (
            reverse("projects:stage", args=[lead.pk, "negotiating"]),
            {},
            lambda: Project.objects.get(pk=lead.pk).stage,
        ),
        "delivery": (
            reverse("projects:delivery_new", args=[signed.pk]),
            {"delivered_on": yesterday, "amount": "100", "note": "矩阵"},
            lambda: CapitalDelivery.objects.filter(project=signed).count(),
        ),
        "activity": (
            reverse("projects:activity_new", args=[lead.pk]),
            {"happened_on": yesterday, "kind": "visit", "summary": "矩阵拜访"},
            lambda: Activity.objects.filter(project=lead).count(),
        ),
        "contact": (
            reverse("chambers:contact_new", args=[world["chamber"].pk]),
            {"name": "矩阵联系人", "organization": "矩阵商会", "phone": "13800000000"},
            lambda: Contact.objects.filter(name="矩阵联系人").count(),
        ),
        "event_new": (
            reverse("events:new"),
            {"name": "矩阵推介会", "kind": Event.Kind.values[0], "starts_on": yesterday, "invited_count": "30"},
            lambda: Event.objects.filter(name="矩阵推介会").count(),
        ),
    }


REFUSED_POST = {"anonymous": 302, "api_reader": 403, "leader": 403, "staff_other": 403}
# A staff member of another unit creates leads of their own unit, and adds to the shared chambers and events.
FORMS_OPEN_TO_OTHER_STAFF = {"new", "contact", "event_new"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("form", ["new", "edit", "stage", "delivery", "activity", "contact", "event_new"])
def test_every_form_post_writes_only_for_those_who_may(client, world, role, form):
    url, data, written = posts(world)[form]
    if form == "new" and role == "staff_other":
        data = {**data, "unit": world["users"]["staff_other"].unit_id}
    before = written()
    client = client_for(client, world, role)

    response = client.post(url, data)

    allowed = role in ("staff_own", "admin") or (role == "staff_other" and form in FORMS_OPEN_TO_OTHER_STAFF)
    if allowed:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert written() != before
    else:
        assert response.status_code == REFUSED_POST[role]
        assert written() == before


def test_a_confidential_project_is_a_404_for_another_unit_and_readable_by_leaders(client, world):
    secret = ProjectFactory(unit=world["unit"], confidential=True, name="保密矩阵项目", total_investment=Decimal("1"))
    url = reverse("projects:detail", args=[secret.pk])

    answers = {}
    for role in ("staff_own", "staff_other", "leader", "admin"):
        client.force_login(world["users"][role])
        answers[role] = client.get(url).status_code

    assert answers == {"staff_own": 200, "staff_other": 404, "leader": 200, "admin": 200}


def test_pages_answer_in_chinese_to_a_browser_set_to_english(client, world):
    client.force_login(world["users"]["staff_own"])

    response = client.post(
        reverse("projects:activity_new", args=[world["lead"].pk]),
        {"happened_on": "not a date", "kind": "visit", "summary": ""},
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
    )

    body = response.content.decode()
    assert "This field is required" not in body and "Enter a valid date" not in body
    assert "errorlist" in body  # the errors are there, in Chinese
