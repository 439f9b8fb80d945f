"""No 500 on any input (issue 12, items 3 and 8): the cases that answered 500, or silently lost or
accepted implausible input, each answered now with its status and a JSON body, and nothing written.

- integers that no column can hold, in any filter (every list of the router is walked) or path;
- JSON nested a thousand deep; bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (413);
- unknown fields in a write (400 naming them), on every write serializer;
- amounts over the ceiling, dates before 1990 or after today / the planning horizon;
- report figures: sums of amounts stored above today's ceiling compute, store and show; figures
  that no column can hold fail the report with its error instead of being stored.
"""

# ruff: noqa: F811  (the API tests' fixtures are imported by name, then asked for by name)

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_filters import ModelChoiceFilter
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from chambers.models import Chamber, Contact, Event
from core.filters import ID_MAX, FilterBackend, IntegerFilter
from core.parsers import MAX_DEPTH
from investpro.urls import router
from projects.models import Activity, CapitalDelivery, Parcel, Project
from targets import reporting
from targets.models import Indicator, Report, ReportFiguresTooLargeError, ReportRow, Target
from tests.api.conftest import other_staff, other_unit, reader_user, users, world  # noqa: F401
from tests.factories import ProjectFactory

OVERFLOW = str(ID_MAX + 1)  # 9223372036854775808: one more than a 64-bit integer holds
CEILING_PLUS_ONE = "1000000000.00"


def client_for(user) -> APIClient:
    """A signed-in API client (a session: these tests are about input, not about sign-in)."""
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def admin_api(admin_user) -> APIClient:
    return client_for(admin_user)


@pytest.fixture
def staff_api(staff_user) -> APIClient:
    return client_for(staff_user)


def counts() -> dict[str, int]:
    """How many rows every writable model has: a refused write leaves them all unchanged."""
    models = [Project, CapitalDelivery, Activity, Parcel, Chamber, Contact, Event, Target, Indicator, Report]
    return {model.__name__: model.objects.count() for model in models}


# --- Integers out of range -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, name",
    [
        ("/api/v1/deliveries/", "project"),
        ("/api/v1/deliveries/export/", "project"),
        ("/api/v1/projects/", "chamber"),
        ("/api/v1/projects/", "event"),
        ("/api/v1/projects/export/", "event"),
        ("/api/v1/activities/", "project"),
        ("/api/v1/activities/", "contact"),
        ("/api/v1/contacts/", "chamber"),
        ("/api/v1/reports/", "year"),
    ],
)
def test_an_overflowing_id_filter_is_a_400_naming_it(world, admin_api, path, name):
    response = admin_api.get(path, {name: OVERFLOW})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    # Every id filter states the id range (a well-formed id that no row has is an empty list instead).
    assert response.json() == {name: [f"确保该值小于或等于{ID_MAX if name != 'year' else 32767}。"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value, message",
    [("0", "确保该值大于或等于1。"), ("-5", "确保该值大于或等于1。"), ("1.5", "输入整数。")],
)
def test_an_id_filter_takes_whole_positive_numbers_only(world, admin_api, value, message):
    response = admin_api.get("/api/v1/deliveries/", {"project": value})
    assert response.status_code == 400
    assert response.json() == {"project": [message]}


@pytest.mark.django_db
def test_a_target_year_outside_the_bounds_is_a_400(world, admin_api):
    response = admin_api.get("/api/v1/targets/", {"year": OVERFLOW})
    assert response.status_code == 400
    assert response.json() == {"year": ["确保该值小于或等于2100。"]}
    assert admin_api.get("/api/v1/targets/", {"year": "2011"}).json()["count"] == 1


def list_endpoints_with_integer_filters(user) -> list[tuple[str, str]]:
    """(list path, filter name) for every integer filter of every list the router has, read from the
    filterset each view really uses (declared, or generated from `filterset_fields`)."""
    found = []
    factory = APIRequestFactory()
    for _prefix, viewset, basename in router.registry:
        if not hasattr(viewset, "list"):
            continue
        request = Request(factory.get("/"))
        request.user = user
        view = viewset(request=request, action="list", format_kwarg=None, args=(), kwargs={})
        filterset = FilterBackend().get_filterset_class(view, view.get_queryset())
        if filterset is None:
            continue
        for name, declared in filterset.base_filters.items():
            by_id = isinstance(declared, ModelChoiceFilter) and declared.extra.get("to_field_name") in (None, "id")
            if isinstance(declared, IntegerFilter) or by_id:
                found.append((reverse(f"{basename}-list"), name))
    return found


@pytest.mark.django_db
def test_every_list_refuses_an_overflowing_value_in_each_integer_filter(world, admin_user, admin_api):
    cases = list_endpoints_with_integer_filters(admin_user)
    # Deliveries (project), projects (chamber, event), activities (project, contact), contacts
    # (chamber), targets (year), reports (year, month) at least: the walk must find what it checks.
    assert len(cases) >= 9, cases
    for path, name in cases:
        response = admin_api.get(path, {name: OVERFLOW})
        assert response.status_code == 400, (path, name, response.content)
        assert list(response.json()) == [name], (path, name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/{}/",
        "/api/v1/deliveries/{}/",
        "/api/v1/activities/{}/",
        "/api/v1/chambers/{}/",
        "/api/v1/contacts/{}/",
        "/api/v1/events/{}/",
        "/api/v1/targets/{}/",
        "/api/v1/reports/{}/",
        "/api/v1/reports/{}/preview/",
        "/api/v1/parcels/{}/",
    ],
)
def test_an_overflowing_id_in_a_path_is_not_found(world, admin_api, path):
    overflow = admin_api.get(path.format(OVERFLOW))
    missing = admin_api.get(path.format(10**6))
    assert overflow.status_code == missing.status_code == 404
    assert overflow.json() == missing.json()
    assert admin_api.patch(path.format(OVERFLOW), {"name": "x"}, format="json").status_code in (404, 405)


# --- Bodies: depth and size ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [1000, 100_000, MAX_DEPTH + 1])
def test_json_nested_too_deep_is_a_400(world, staff_api, depth):
    before = counts()
    body = '{"name": ' + "[" * depth + "]" * depth + "}"
    response = staff_api.post("/api/v1/projects/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": f"JSON 嵌套不能超过 {MAX_DEPTH} 层。"}
    assert counts() == before


@pytest.mark.django_db
def test_json_nested_within_the_limit_reaches_the_serializer(world, staff_api):
    body = '{"name": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    response = staff_api.post("/api/v1/projects/", body, content_type="application/json")
    assert response.status_code == 400
    assert "name" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_body_over_the_limit_is_a_413_in_json(world, staff_api, settings, content_type):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    before = counts()
    payload = {"name": "大" * 5000, "unit": world.unit.code}
    body = json.dumps(payload) if content_type == "application/json" else f"name={'x' * 5000}&unit=kecheng"
    response = staff_api.post("/api/v1/projects/", body, content_type=content_type)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "请求体过大：不能超过 4096 字节。"}
    assert counts() == before


@pytest.mark.django_db
def test_a_body_within_the_limit_is_read(world, staff_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    response = staff_api.post("/api/v1/projects/", {"name": "新项目", "unit": world.unit.code}, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_the_default_limit_answers_a_10_mb_body_with_413(world, staff_api):
    body = json.dumps({"name": "x", "unit": "kecheng", "notes": "x" * 10_000_000})
    response = staff_api.post("/api/v1/projects/", body, content_type="application/json")
    assert response.status_code == 413
    assert "detail" in response.json()


# --- Unknown fields --------------------------------------------------------------------------------


def write_requests(world) -> list[tuple[str, str, dict]]:
    """(method, path, a valid body) for every write serializer of the API."""
    return [
        ("post", "/api/v1/units/", {"code": "new-unit", "name": "新单位", "kind": "county"}),
        ("post", "/api/v1/indicators/", {"code": "new-ind", "name": "新指标", "measure": "signed_amount"}),
        ("post", "/api/v1/projects/", {"name": "新项目", "unit": world.unit.code}),
        ("patch", f"/api/v1/projects/{world.project.pk}/", {"notes": "改"}),
        ("post", "/api/v1/deliveries/", {"project": world.project.pk, "delivered_on": "2011-05-01", "amount": "1"}),
        ("post", "/api/v1/activities/", {"project": world.project.pk, "happened_on": "2011-05-01", "summary": "拜访"}),
        ("post", "/api/v1/chambers/", {"name": "新商会"}),
        ("post", "/api/v1/contacts/", {"name": "新联系人"}),
        ("post", "/api/v1/events/", {"name": "新活动", "starts_on": "2011-06-01"}),
        ("post", "/api/v1/targets/", {"year": 2012, "indicator": "signed_capital", "unit": None, "value": "1"}),
        ("post", "/api/v1/parcels/", {"code": "new-p", "name": "新地块", "unit": world.unit.code, "area_mu": "1"}),
    ]


@pytest.mark.django_db
def test_every_write_refuses_an_unknown_field_naming_it(world, admin_api):
    requests = write_requests(world)
    for method, path, body in requests:
        before = counts()
        response = getattr(admin_api, method)(path, {**body, "signed_ammount": "1", "zz": 1}, format="json")
        assert response.status_code == 400, (path, response.content)
        assert response.json() == {"signed_ammount": ["未知字段。"], "zz": ["未知字段。"]}, path
        assert counts() == before, path
    # The same bodies without the typos are valid: the refusal was the unknown field's alone.
    for method, path, body in requests:
        response = getattr(admin_api, method)(path, body, format="json")
        assert response.status_code in (200, 201), (path, response.content)


@pytest.mark.django_db
def test_a_read_only_field_sent_back_is_not_unknown(world, staff_api):
    read = staff_api.get(f"/api/v1/projects/{world.project.pk}/").json()
    response = staff_api.patch(f"/api/v1/projects/{world.project.pk}/", {**read, "notes": "改"}, format="json")
    assert response.status_code == 200, response.content
    world.project.refresh_from_db()
    assert world.project.notes == "改"


@pytest.mark.django_db
def test_a_mistyped_amount_is_not_lost(world, staff_api):
    response = staff_api.patch(f"/api/v1/projects/{world.project.pk}/", {"signed_ammount": "9000"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"signed_ammount": ["未知字段。"]}
    world.project.refresh_from_db()
    assert world.project.signed_amount == Decimal("5000.00")


# --- Amount ceiling and date bounds ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value, message",
    [
        ("total_investment", CEILING_PLUS_ONE, "总投资（万元）不能超过 999,999,999.99 万元。"),
        ("signed_amount", "999999999999.99", "协议引资额（万元）不能超过 999,999,999.99 万元。"),
        ("signed_on", "9999-12-31", "签约日期不能晚于今天。"),
        ("signed_on", "0001-01-01", "签约日期不能早于 1990-01-01。"),
        ("signed_on", "1989-12-31", "签约日期不能早于 1990-01-01。"),
        ("started_on", "1989-12-31", "开工日期不能早于 1990-01-01。"),
    ],
)
def test_a_signed_project_with_an_implausible_value_is_refused(world, staff_api, field, value, message):
    before = counts()
    body = {
        "name": "新项目", "unit": world.unit.code, "stage": "signed", "signed_on": "2011-03-01",
        "signed_amount": "100", field: value,
    }  # fmt: skip
    response = staff_api.post("/api/v1/projects/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert counts() == before


@pytest.mark.django_db
def test_the_ceiling_itself_is_accepted(world, staff_api):
    body = {"name": "特大项目", "unit": world.unit.code, "total_investment": "999999999.99"}
    response = staff_api.post("/api/v1/projects/", body, format="json")
    assert response.status_code == 201, response.content
    assert Project.objects.get(pk=response.json()["id"]).total_investment == Decimal("999999999.99")


@pytest.mark.django_db
def test_a_started_date_of_tomorrow_is_refused_once_started_but_planned_before(world, staff_api):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    path = f"/api/v1/projects/{world.project.pk}/"
    response = staff_api.patch(path, {"stage": "started", "started_on": tomorrow}, format="json")
    assert response.status_code == 400
    assert response.json() == {"started_on": ["开工日期不能晚于今天。"]}
    # At stage signed a start date is a plan: tomorrow is fine, eleven years ahead is not.
    assert staff_api.patch(path, {"started_on": tomorrow}, format="json").status_code == 200
    far = timezone.localdate().replace(year=timezone.localdate().year + 11).isoformat()
    response = staff_api.patch(path, {"started_on": far}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["started_on"]
    assert "今后 10 年内" in response.json()["started_on"][0]
    world.project.refresh_from_db()
    assert world.project.started_on.isoformat() == tomorrow


@pytest.mark.django_db
def test_a_lead_may_plan_its_signing_within_the_horizon(world, staff_api):
    next_year = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    response = staff_api.patch(f"/api/v1/projects/{world.lead.pk}/", {"signed_on": next_year}, format="json")
    assert response.status_code == 200, response.content
    response = staff_api.patch(f"/api/v1/projects/{world.lead.pk}/", {"next_follow_up_on": "2099-01-01"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["next_follow_up_on"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, body, field, message",
    [
        ("/api/v1/deliveries/", {"delivered_on": "1989-12-31", "amount": "1"}, "delivered_on",
         "到位日期不能早于 1990-01-01。"),
        ("/api/v1/deliveries/", {"delivered_on": "9999-12-31", "amount": "1"}, "delivered_on",
         "到位日期不能晚于今天。"),
        ("/api/v1/deliveries/", {"delivered_on": "2011-05-01", "amount": CEILING_PLUS_ONE}, "amount",
         "到位金额（万元）不能超过 999,999,999.99 万元。"),
        ("/api/v1/activities/", {"happened_on": "1980-01-01", "summary": "x"}, "happened_on",
         "日期不能早于 1990-01-01。"),
        ("/api/v1/activities/", {"happened_on": "2011-05-01", "summary": "x", "next_action_on": "2200-01-01"},
         "next_action_on", None),
    ],
)  # fmt: skip
def test_deliveries_and_activities_are_bounded(world, staff_api, path, body, field, message):
    before = counts()
    response = staff_api.post(path, {"project": world.project.pk, **body}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    if message:
        assert response.json()[field] == [message]
    assert counts() == before


@pytest.mark.django_db
def test_a_target_over_the_ceiling_is_refused(world, admin_api):
    body = {"year": 2012, "indicator": "signed_capital", "unit": None, "value": CEILING_PLUS_ONE}
    response = admin_api.post("/api/v1/targets/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"value": ["目标值不能超过 999,999,999.99 万元。"]}
    assert not Target.objects.filter(year=2012).exists()


# --- Reports: figures that fit, figures that cannot be stored --------------------------------------

HUGE = Decimal("999999999999.99")  # the value: above today's ceiling, as old data may hold


@pytest.fixture
def huge_projects(world):
    """Two projects of 999,999,999,999.99 万元, written around the model's rules (as before the
    ceiling existed, or by SQL): their sum no longer fits a 14-digit column."""
    projects = [
        ProjectFactory(unit=world.unit, signed=True, origin="out_of_city", signed_on=datetime.date(2011, 5, 3))
        for _ in range(2)
    ]
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(total_investment=HUGE, signed_amount=HUGE)
    return projects


def _assert_pages_answer(client, report):
    paths = [
        "/", f"/api/v1/reports/{report.pk}/", f"/api/v1/reports/{report.pk}/preview/", "/api/v1/projects/",
        "/api/v1/projects/export/?format=csv", "/api/v1/projects/export/?format=xlsx",
    ]  # fmt: skip
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:300])


@pytest.mark.django_db
def test_sums_of_amounts_above_the_ceiling_are_stored_and_shown(world, huge_projects, leader_user):
    report = reporting.report_compute_month(year=2011, month=5)
    assert report.status == Report.Status.PROVISIONAL
    city = ReportRow.objects.get(report=report, indicator__code="signed_capital", unit=None)
    assert city.month_value == 2 * HUGE
    client = client_for(leader_user)
    _assert_pages_answer(client, report)
    home = client.get("/").content.decode()
    assert "200000002.00 亿元" in home  # 2 × 999,999,999,999.99 万元 and the world's 4 × 5,000 万元
    rows = client.get(f"/api/v1/reports/{report.pk}/").json()["rows"]
    city_row = next(r for r in rows if r["indicator"] == "signed_capital" and r["unit"] is None)
    assert (city_row["month_value"], city_row["ytd_value"]) == ("1999999999999.98", "2000000019999.98")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite stores a number wider than its column")
def test_a_report_whose_figures_cannot_be_stored_fails_with_its_error(world, leader_user):
    """SQLite keeps whatever number it is given; the report refuses to store a figure over its column."""
    reporting.report_compute_month(year=2011, month=5)
    kept = list(ReportRow.objects.filter(report__month=5).values_list("pk", flat=True))
    project = ProjectFactory(unit=world.unit, signed=True, origin="out_of_city", signed_on=datetime.date(2011, 5, 3))
    with connection.cursor() as cursor:  # around every rule: 10^23 万元, past a 24-digit column
        cursor.execute("UPDATE projects_project SET signed_amount = 1e23 WHERE id = %s", [project.pk])
    with pytest.raises(ReportFiguresTooLargeError):
        reporting.report_compute_month(year=2011, month=5)
    report = Report.objects.get(year=2011, month=5)
    assert report.status == Report.Status.FAILED
    assert "通报数字超出可存储的范围" in report.error
    assert "signed_capital" in report.error
    assert list(ReportRow.objects.filter(report=report).values_list("pk", flat=True)) == kept
    client = client_for(leader_user)
    preview = client.get(f"/api/v1/reports/{report.pk}/preview/")
    assert preview.status_code == 409
    assert "通报数字超出可存储的范围" in preview.json()["detail"]
    assert client.get("/").status_code == 200
    assert client.get(f"/api/v1/reports/{report.pk}/").status_code == 200
