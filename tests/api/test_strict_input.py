"""Writes take what the OpenAPI schema says and nothing else (core.api.StrictInputMixin): a JSON value
of another type than its field's is a 400 naming the field, where DRF alone would read 0 as "0", 0 as
false, "5" as 5, 800 as an amount and "" as null; a field the serializer does not have is a 400 too,
on every write, the report request and the token endpoint included. Forms (the browsable API) are
still parsed as DRF parses them."""

import pytest
from django.urls import reverse

from accounts.models import ApiToken, Unit
from chambers.models import Chamber, Event
from projects.models import CapitalDelivery, Parcel, Project
from targets.models import Indicator, Report

TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def admin(api_as):
    return api_as("admin")


def wrong_types(world) -> list[tuple[str, str, dict, str, type, str]]:
    """(method, path, body, the field of the wrong type, the model written, the message)."""
    project = f"/api/v1/projects/{world.project.pk}/"
    text, boolean, integer = "请填写字符串。", "请填写 true 或 false。", "请填写整数。"
    an_id, code = "请填写对象的 id（整数）。", "请填写编码；没有时填 null。"
    decimal = '小数请以字符串填写，如 "800.00"。'
    return [
        ("post", "/api/v1/chambers/", {"name": "新商会", "notes": 0}, "notes", Chamber, text),
        ("post", "/api/v1/chambers/", {"name": ["新商会"]}, "name", Chamber, text),
        ("post", "/api/v1/units/", {"code": "u9", "name": "新单位", "kind": "zone", "group": 0}, "group", Unit, text),
        ("post", "/api/v1/indicators/", {"code": "i9", "name": "新指标", "measure": "signed_amount", "active": 0},
         "active", Indicator, boolean),
        ("post", "/api/v1/indicators/", {"code": "i9", "name": "新指标", "measure": "signed_amount",
                                         "mountain_sea": "true"}, "mountain_sea", Indicator, boolean),
        ("post", "/api/v1/events/", {"name": "新活动", "starts_on": "2011-06-01", "organizer": ""},
         "organizer", Event, code),
        ("post", "/api/v1/events/", {"name": "新活动", "starts_on": "2011-06-01", "invited_count": "5"},
         "invited_count", Event, integer),
        ("post", "/api/v1/projects/", {"name": "新项目", "unit": world.unit.code, "chamber": str(world.chamber.pk)},
         "chamber", Project, an_id),
        ("post", "/api/v1/projects/", {"name": "新项目", "unit": world.unit.code, "event": True},
         "event", Project, an_id),
        ("patch", project, {"total_investment": 800}, "total_investment", Project, decimal),
        ("patch", project, {"total_investment": "8e2"}, "total_investment", Project, decimal),
        ("patch", project, {"signed_amount": ""}, "signed_amount", Project, decimal),
        ("post", "/api/v1/deliveries/", {"project": world.project.pk, "delivered_on": "2011-05-01", "amount": 1.5},
         "amount", CapitalDelivery, decimal),
        ("post", "/api/v1/parcels/", {"code": "p9", "name": "新地块", "unit": world.unit.code, "area_mu": "1",
                                      "industries": [world.industry.code, 7]}, "industries", Parcel, code),
        ("post", "/api/v1/indicators/", {"code": "i9", "name": "新指标", "measure": "signed_amount", "industries": {}},
         "industries", Indicator, "请填写列表。"),
        ("post", "/api/v1/reports/", {"year": "2011", "month": 7}, "year", Report, integer),
    ]  # fmt: skip


def snapshot(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


@pytest.mark.django_db
def test_a_value_of_another_type_than_the_schemas_is_refused_naming_the_field(world, admin):
    for method, path, body, field, model, message in wrong_types(world):
        before = snapshot(model)
        response = getattr(admin, method)(path, body, format="json")
        assert response.status_code == 400, (path, body, response.content)
        assert response.json() == {field: [message]}, (path, body)
        assert snapshot(model) == before, path


@pytest.mark.django_db
def test_the_same_writes_with_the_schemas_types_are_accepted(world, admin):
    """The refusals above were the type's alone: with the values as the schema types them, each is written."""
    accepted = [
        ("post", "/api/v1/chambers/", {"name": "新商会", "notes": "0"}),
        ("post", "/api/v1/indicators/", {"code": "i9", "name": "新指标", "measure": "signed_amount", "active": False,
                                         "mountain_sea": None, "position": 3.0}),
        ("post", "/api/v1/events/", {"name": "新活动", "starts_on": "2011-06-01", "organizer": None,
                                     "invited_count": 5}),
        ("post", "/api/v1/projects/", {"name": "新项目", "unit": world.unit.code, "chamber": world.chamber.pk,
                                       "industry": None}),
        ("patch", f"/api/v1/projects/{world.project.pk}/", {"total_investment": "800", "land_area_mu": ".5"}),
    ]  # fmt: skip
    for method, path, body in accepted:
        response = getattr(admin, method)(path, body, format="json")
        assert response.status_code in (200, 201), (path, response.content)
    assert Indicator.objects.get(code="i9").position == 3
    assert Event.objects.get(name="新活动").organizer is None
    world.project.refresh_from_db()
    assert str(world.project.total_investment) == "800.00"


@pytest.mark.django_db
def test_a_form_is_parsed_as_drf_parses_it(world, admin):
    """The browsable API posts forms, whose values are all strings: "true" is a boolean there."""
    body = {"code": "i9", "name": "新指标", "measure": "signed_amount", "active": "false", "position": "4"}
    response = admin.post("/api/v1/indicators/", body, format="multipart")
    assert response.status_code == 201, response.content
    indicator = Indicator.objects.get(code="i9")
    assert (indicator.active, indicator.position) == (False, 4)


@pytest.mark.django_db
def test_a_report_request_refuses_an_unknown_field(world, api_as):
    before = snapshot(Report)
    response = api_as("leader").post("/api/v1/reports/", {"year": 2011, "month": 7, "force": True}, format="json")
    assert response.status_code == 400
    assert response.json() == {"force": ["未知字段。"]}
    assert snapshot(Report) == before


@pytest.mark.django_db
def test_the_token_endpoint_refuses_unknown_fields_and_other_types(staff_user, client):
    staff_user.set_password("a-long-enough-password")
    staff_user.save()
    refused = [
        ({"username": staff_user.username, "password": "a-long-enough-password", "otp": "1"}, {"otp": ["未知字段。"]}),
        ({"username": 0, "password": "a-long-enough-password"}, {"username": ["请填写字符串。"]}),
    ]
    for body, errors in refused:
        response = client.post(TOKEN, body, content_type="application/json")
        assert response.status_code == 400, response.content
        assert response.json() == errors
    assert not ApiToken.objects.exists()
    response = client.post(
        TOKEN, {"username": staff_user.username, "password": "a-long-enough-password"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert ApiToken.objects.filter(user=staff_user).count() == 1


def test_the_schema_names_the_sign_in_body_and_forbids_other_fields(client, db):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    body = schema["paths"][TOKEN]["post"]["requestBody"]["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert component["additionalProperties"] is False
    assert set(component["properties"]) == {"username", "password"}
