"""Every endpoint × every role × read and write (DESIGN §4, §5).

For each endpoint the matrix asks list, retrieve, create, patch and delete of the six callers and
checks the status code; a refused write must leave the database as it was, an accepted one must
have written. Methods an endpoint does not route answer 405 to a caller whose role may write there
(and 401/403 to the others: the role is checked first).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken, Unit
from accounts.tokens import token_issue
from chambers.models import Chamber, Contact, Event
from projects.models import Activity, CapitalDelivery, Industry, Parcel, Project
from targets.models import Indicator, Report, Target, UnitGroup
from tests.api.helpers import ROLES, World

EDITORS = frozenset({"own_staff", "other_staff", "admin"})  # roles the view lets write at all
ADMIN = frozenset({"admin"})
LEADERS = frozenset({"leader", "admin"})


@dataclass(frozen=True)
class Endpoint:
    basename: str
    model: type[models.Model]
    obj: Callable[[World], models.Model]  # what retrieve and patch work on
    gate: frozenset  # roles that pass the role check for writes
    writers: frozenset  # roles that may write this endpoint's objects of the owner's unit
    create: Callable[[World], dict] | None = None  # None: POST is not routed
    patch: dict | None = None  # None: PATCH is not routed
    delete_obj: Callable[[World], models.Model] | None = None  # None: DELETE is not routed
    key: str = "pk"  # the lookup of the detail URL
    public_read: bool = False
    create_status: int = 201
    routes: dict = field(default_factory=dict)

    def list_url(self) -> str:
        return reverse(f"{self.basename}-list")

    def detail_url(self, obj) -> str:
        return reverse(f"{self.basename}-detail", args=[getattr(obj, self.key)])


ENDPOINTS = [
    Endpoint(
        "unit", Unit, lambda w: w.unit, gate=ADMIN, writers=ADMIN, key="code",
        create=lambda w: {"code": "kaihua", "name": "开化县", "kind": "county"},
        patch={"group": "第一考核组"},
    ),
    Endpoint(
        "industry", Industry, lambda w: w.industry, gate=ADMIN, writers=frozenset(), key="code",
    ),
    Endpoint(
        "indicator", Indicator, lambda w: w.indicator, gate=ADMIN, writers=ADMIN, key="code",
        create=lambda w: {"code": "venture_signed", "name": "创投项目协议引资额", "measure": "signed_amount",
                          "channel": "venture_capital"},
        patch={"name": "市外协议引资额（改）"},
    ),
    Endpoint(
        "project", Project, lambda w: w.project, gate=EDITORS, writers=frozenset({"own_staff", "admin"}),
        create=lambda w: {"name": "新洽谈项目", "unit": w.unit.code, "stage": "negotiating",
                          "total_investment": "12000.00"},
        patch={"notes": "已完成尽职调查"},
        delete_obj=lambda w: w.lead,
    ),
    Endpoint(
        "delivery", CapitalDelivery, lambda w: w.delivery, gate=EDITORS, writers=frozenset({"own_staff", "admin"}),
        create=lambda w: {"project": w.project.pk, "delivered_on": "2011-05-04", "amount": "800.00"},
        patch={"note": "第二期"},
        delete_obj=lambda w: w.delivery,
    ),
    Endpoint(
        "activity", Activity, lambda w: w.activity, gate=EDITORS, writers=frozenset({"own_staff", "admin"}),
        create=lambda w: {"project": w.project.pk, "kind": "call", "happened_on": "2011-06-01",
                          "summary": "电话确认签约细节"},
    ),
    Endpoint(
        "chamber", Chamber, lambda w: w.chamber, gate=EDITORS, writers=EDITORS,
        create=lambda w: {"name": "北京浙江企业商会", "kind": "zhejiang_abroad"},
        patch={"region": "上海"},
    ),
    Endpoint(
        "contact", Contact, lambda w: w.contact, gate=EDITORS, writers=EDITORS,
        create=lambda w: {"name": "李秘书长", "chamber": w.chamber.pk},
        patch={"title": "秘书长"},
    ),
    Endpoint(
        "event", Event, lambda w: w.event, gate=EDITORS, writers=EDITORS,
        create=lambda w: {"name": "衢州投资推介会", "kind": "roadshow", "starts_on": "2011-09-01"},
        patch={"location": "杭州"},
    ),
    Endpoint(
        "target", Target, lambda w: w.target, gate=ADMIN, writers=ADMIN,
        create=lambda w: {"year": 2012, "indicator": w.indicator.code, "unit": w.unit.code, "value": "60000.00"},
        patch={"value": "55000.00"},
    ),
    Endpoint(
        "unit-group", UnitGroup, lambda w: w.unit_group, gate=ADMIN, writers=ADMIN, key="code",
        create=lambda w: {"code": "2012-shizhi-1", "year": 2012, "name": "市直第一组", "units": [w.unit.code]},
        patch={"name": "市直第二组"},
        delete_obj=lambda w: w.unit_group,
    ),
    Endpoint(
        "report", Report, lambda w: w.report, gate=LEADERS, writers=LEADERS,
        create=lambda w: {"year": 2011, "month": 7}, create_status=202,
    ),
    Endpoint(
        "parcel", Parcel, lambda w: w.parcel, gate=EDITORS, writers=frozenset({"own_staff", "admin"}),
        public_read=True,
        create=lambda w: {"code": "kc-09", "name": "柯城新地块", "unit": w.unit.code, "area_mu": "120.00"},
        patch={"location": "柯城区航埠镇"},
    ),
]
BY_NAME = {e.basename: e for e in ENDPOINTS}


def write_status(endpoint: Endpoint, role: str, routed: bool, success: int) -> int:
    if role == "anon":
        return 401
    if role not in endpoint.gate:
        return 403
    if not routed:
        return 405
    return success if role in endpoint.writers else 403


def rows(model) -> int:
    return model._base_manager.count()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", BY_NAME)
def test_list(name, role, world, clients):
    endpoint = BY_NAME[name]
    response = clients[role].get(endpoint.list_url())
    expected = 401 if role == "anon" and not endpoint.public_read else 200
    assert response.status_code == expected, response.content
    if expected == 200:
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] >= 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", BY_NAME)
def test_retrieve(name, role, world, clients):
    endpoint = BY_NAME[name]
    obj = endpoint.obj(world)
    response = clients[role].get(endpoint.detail_url(obj))
    expected = 401 if role == "anon" and not endpoint.public_read else 200
    assert response.status_code == expected, response.content
    if expected == 200:
        assert str(response.json()[endpoint.key if endpoint.key != "pk" else "id"]) == str(getattr(obj, endpoint.key))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", BY_NAME)
def test_create(name, role, world, clients):
    endpoint = BY_NAME[name]
    body = endpoint.create(world) if endpoint.create else {}
    before = rows(endpoint.model)
    response = clients[role].post(endpoint.list_url(), body, format="json")
    expected = write_status(endpoint, role, endpoint.create is not None, endpoint.create_status)
    assert response.status_code == expected, response.content
    assert rows(endpoint.model) == before + (1 if expected == endpoint.create_status else 0)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", BY_NAME)
def test_patch(name, role, world, clients):
    endpoint = BY_NAME[name]
    obj = endpoint.obj(world)
    body = endpoint.patch or {"notes": "x"}
    stored = type(obj)._base_manager.filter(pk=obj.pk).values().get()
    response = clients[role].patch(endpoint.detail_url(obj), body, format="json")
    expected = write_status(endpoint, role, endpoint.patch is not None, 200)
    assert response.status_code == expected, response.content
    after = type(obj)._base_manager.filter(pk=obj.pk).values().get()
    if expected == 200:
        for name_, value in body.items():
            assert str(after[name_]) == value
            assert response.json()[name_] == value
    else:
        assert after == stored


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", BY_NAME)
def test_delete(name, role, world, clients):
    endpoint = BY_NAME[name]
    obj = (endpoint.delete_obj or endpoint.obj)(world)
    before = rows(endpoint.model)
    response = clients[role].delete(endpoint.detail_url(obj))
    expected = write_status(endpoint, role, endpoint.delete_obj is not None, 204)
    assert response.status_code == expected, response.content
    assert type(obj)._base_manager.filter(pk=obj.pk).exists() == (expected != 204)
    assert rows(endpoint.model) == before - (1 if expected == 204 else 0)


# --- Confidential projects and what hangs off them -----------------------------------------------------

SEES_OWN_SECRETS = ("own_staff", "leader", "admin")
BLIND_TO_OWN_SECRETS = ("other_staff", "reader")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("basename", "attr"),
    [("project", "secret"), ("delivery", "secret_delivery"), ("activity", "secret_activity")],
)
def test_confidential_rows_are_seen_by_their_unit_and_leaders_only(basename, attr, role, world, clients):
    obj = getattr(world, attr)
    detail = clients[role].get(reverse(f"{basename}-detail", args=[obj.pk]))
    listed = clients[role].get(reverse(f"{basename}-list"), {"page_size": 200})
    if role == "anon":
        assert (detail.status_code, listed.status_code) == (401, 401)
    elif role in SEES_OWN_SECRETS:
        assert detail.status_code == 200
        assert obj.pk in {row["id"] for row in listed.json()["results"]}
    else:
        assert detail.status_code == 404, detail.content
        assert obj.pk not in {row["id"] for row in listed.json()["results"]}


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("own_staff", {"project", "secret", "lead", "other_project"}),
        ("other_staff", {"project", "lead", "other_project", "other_secret"}),
        ("reader", {"project", "lead", "other_project"}),
        ("leader", {"project", "secret", "lead", "other_project", "other_secret"}),
        ("admin", {"project", "secret", "lead", "other_project", "other_secret"}),
    ],
)
def test_project_list_is_exactly_what_the_role_may_see(role, visible, world, clients):
    response = clients[role].get(reverse("project-list"), {"page_size": 200})
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {getattr(world, a).pk for a in visible}
    assert response.json()["count"] == len(visible)


@pytest.mark.parametrize("role", ["other_staff", "reader"])
def test_deliveries_of_a_hidden_project_are_hidden(role, world, clients):
    client = clients[role]
    listed = client.get(reverse("delivery-list"), {"page_size": 200}).json()["results"]
    assert world.secret.pk not in {row["project"] for row in listed}
    assert client.get(reverse("delivery-list"), {"project": world.secret.pk}).json()["count"] == 0
    assert client.get(reverse("activity-list"), {"project": world.secret.pk}).json()["count"] == 0


def test_other_unit_staff_cannot_change_anything_of_a_hidden_project(world, clients):
    client = clients["other_staff"]
    secret = world.secret
    assert client.patch(reverse("project-detail", args=[secret.pk]), {"notes": "x"}, format="json").status_code == 404
    assert client.delete(reverse("project-detail", args=[secret.pk])).status_code == 404
    url = reverse("delivery-detail", args=[world.secret_delivery.pk])
    assert client.patch(url, {"note": "x"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    secret.refresh_from_db()
    world.secret_delivery.refresh_from_db()
    assert secret.notes == "" and world.secret_delivery.note == ""


# --- Writes across units ------------------------------------------------------------------------------


def test_staff_cannot_create_a_project_for_another_unit(world, clients):
    before = Project.objects.count()
    response = clients["own_staff"].post(
        reverse("project-list"), {"name": "越界项目", "unit": world.other_unit.code}, format="json"
    )
    assert response.status_code == 403, response.content
    assert Project.objects.count() == before


def test_staff_cannot_move_their_project_to_another_unit(world, clients):
    response = clients["own_staff"].patch(
        reverse("project-detail", args=[world.project.pk]), {"unit": world.other_unit.code}, format="json"
    )
    assert response.status_code == 403
    world.project.refresh_from_db()
    assert world.project.unit == world.unit


def test_staff_cannot_record_a_delivery_on_another_units_visible_project(world, clients):
    before = CapitalDelivery.objects.count()
    response = clients["own_staff"].post(
        reverse("delivery-list"),
        {"project": world.other_project.pk, "delivered_on": "2011-05-04", "amount": "10.00"},
        format="json",
    )
    assert response.status_code == 403, response.content
    assert CapitalDelivery.objects.count() == before


def test_a_hidden_project_is_answered_as_if_it_did_not_exist(world, clients):
    """A delivery on another unit's confidential project is refused exactly like one on a project id
    that does not exist (400 on the `project` field): the answer does not reveal that it exists."""
    client = clients["own_staff"]
    before = CapitalDelivery.objects.count()

    def post(project_id):
        body = {"project": project_id, "delivered_on": "2011-05-04", "amount": "10.00"}
        return client.post(reverse("delivery-list"), body, format="json")

    hidden, missing = post(world.other_secret.pk), post(10**9)
    assert hidden.status_code == missing.status_code == 400
    assert set(hidden.json()) == {"project"}
    as_if_missing = [m.replace(str(10**9), str(world.other_secret.pk)) for m in missing.json()["project"]]
    assert hidden.json()["project"] == as_if_missing
    assert CapitalDelivery.objects.count() == before
    activity = client.post(
        reverse("activity-list"),
        {"project": world.other_secret.pk, "happened_on": "2011-05-04", "summary": "x"},
        format="json",
    )
    assert activity.status_code == 400 and set(activity.json()) == {"project"}


def test_staff_cannot_move_a_delivery_to_another_units_project(world, clients):
    response = clients["own_staff"].patch(
        reverse("delivery-detail", args=[world.delivery.pk]), {"project": world.other_project.pk}, format="json"
    )
    assert response.status_code == 403
    world.delivery.refresh_from_db()
    assert world.delivery.project == world.project


def test_staff_cannot_add_an_activity_to_another_units_project(world, clients):
    before = Activity.objects.count()
    response = clients["own_staff"].post(
        reverse("activity-list"),
        {"project": world.other_project.pk, "happened_on": "2011-05-04", "summary": "越界跟进"},
        format="json",
    )
    assert response.status_code == 403
    assert Activity.objects.count() == before


def test_staff_cannot_publish_land_of_another_unit(world, clients):
    before = Parcel.objects.count()
    response = clients["own_staff"].post(
        reverse("parcel-list"),
        {"code": "qj-01", "name": "衢江地块", "unit": world.other_unit.code, "area_mu": "10.00"},
        format="json",
    )
    assert response.status_code == 403
    assert Parcel.objects.count() == before


def test_activity_records_who_wrote_it(world, clients, staff_user):
    response = clients["own_staff"].post(
        reverse("activity-list"),
        {"project": world.project.pk, "happened_on": "2011-05-04", "summary": "上门拜访"},
        format="json",
    )
    assert response.status_code == 201
    assert Activity.objects.get(pk=response.json()["id"]).created_by == staff_user


# --- Parcels: public read ------------------------------------------------------------------------------


def test_anonymous_callers_see_published_parcels_only(world, clients):
    anon = clients["anon"]
    listed = anon.get(reverse("parcel-list")).json()
    assert {row["code"] for row in listed["results"]} == {"kc-01"}
    assert anon.get(reverse("parcel-detail", args=[world.draft_parcel.pk])).status_code == 404
    signed_in = clients["reader"].get(reverse("parcel-list")).json()
    assert {row["code"] for row in signed_in["results"]} == {"kc-01", "kc-02"}


# --- Token authentication --------------------------------------------------------------------------------


def test_token_from_username_and_password_then_used(client, staff_user, world):
    api = APIClient()
    response = api.post(
        reverse("api-token"), {"username": staff_user.username, "password": "secret-pass-1"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"token", "expiry"} and len(body["token"]) == 64
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api.get(reverse("project-list")).status_code == 200
    # Each sign-in issues a token of its own (knox); the earlier one stays valid until it expires.
    again = APIClient().post(reverse("api-token"), {"username": staff_user.username, "password": "secret-pass-1"})
    assert again.json()["token"] != body["token"]
    assert api.get(reverse("project-list")).status_code == 200
    assert ApiToken.objects.filter(user=staff_user).count() == 2


@pytest.mark.parametrize(
    "credentials",
    [{"username": "nobody", "password": "secret-pass-1"}, {"password": "wrong"}, {}, {"username": ""}],
)
def test_token_refused_for_bad_credentials(credentials, staff_user):
    body = {"username": staff_user.username, **credentials} if "username" not in credentials else credentials
    response = APIClient().post(reverse("api-token"), body, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_bad_or_inactive_token_is_401(staff_user, world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert api.get(reverse("project-list")).status_code == 401
    _api_token, key = token_issue(user=staff_user)
    staff_user.is_active = False
    staff_user.save()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(reverse("project-list")).status_code == 401


def test_session_auth_works_for_the_browser(client, staff_user, world):
    client.force_login(staff_user)
    assert client.get(reverse("project-list")).status_code == 200
    # A session write without the CSRF token is refused: the browser door keeps its protection.
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff_user)
    before = Project.objects.count()
    response = csrf_client.post(
        reverse("project-list"), {"name": "x", "unit": world.unit.code}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Project.objects.count() == before

