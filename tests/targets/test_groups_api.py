"""Assessment groups through the API: /api/v1/unit-groups/, group targets, and group rows of a report.
(Who may read and write each endpoint is the role matrix of tests/api/test_permissions.py.)"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from targets.models import Indicator, Target, UnitGroup
from targets.reporting import report_compute_month
from tests.factories import ProjectFactory, TargetFactory, UnitFactory, UnitGroupFactory, UserFactory

pytestmark = pytest.mark.django_db

GROUPS = reverse("unit-group-list")


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def admin(admin_user):
    return client_of(admin_user)


@pytest.fixture
def units():
    return [UnitFactory(code=code, name=name) for code, name in (("dept_fgw", "市发改委"), ("dept_jxw", "市经信委"))]


def test_an_admin_creates_a_group_with_members_by_code(admin, units, admin_user):
    body = {"code": "2011-shizhi-1", "year": 2011, "name": "市直第一组", "units": ["dept_fgw", "dept_jxw"]}
    response = admin.post(GROUPS, body, format="json")

    assert response.status_code == 201, response.content
    assert response.json() == {**body, "position": 0}
    group = UnitGroup.objects.get(code="2011-shizhi-1")
    assert sorted(group.units.values_list("code", flat=True)) == ["dept_fgw", "dept_jxw"]
    assert group.history.latest().history_user == admin_user


def test_a_unit_already_in_a_group_of_the_year_is_a_400_naming_units(admin, units):
    UnitGroupFactory(year=2011, name="市直第一组", units=[units[0]])
    body = {"code": "2011-shizhi-2", "year": 2011, "name": "市直第二组", "units": ["dept_fgw"]}

    response = admin.post(GROUPS, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"units": ["一个单位每年只能属于一个考核大组：市发改委（已属于市直第一组）。"]}
    assert not UnitGroup.objects.filter(code="2011-shizhi-2").exists()


def test_patch_replaces_the_members_and_delete_removes_a_group(admin, units):
    group = UnitGroupFactory(code="g1", units=[units[0]])
    url = reverse("unit-group-detail", args=["g1"])

    response = admin.patch(url, {"units": ["dept_jxw"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["units"] == ["dept_jxw"]
    assert list(group.units.values_list("code", flat=True)) == ["dept_jxw"]

    TargetFactory(group=group)
    assert admin.delete(url).status_code == 409  # its targets keep it
    Target.objects.filter(group=group).delete()
    assert admin.delete(url).status_code == 204
    assert not UnitGroup.objects.exists()


def test_an_unknown_member_code_or_year_is_a_400(admin):
    unknown = admin.post(GROUPS, {"code": "g", "year": 2011, "name": "组", "units": ["nowhere"]}, format="json")
    assert unknown.status_code == 400 and set(unknown.json()) == {"units"}
    too_old = admin.post(GROUPS, {"code": "g", "year": 1900, "name": "组"}, format="json")
    assert too_old.status_code == 400 and set(too_old.json()) == {"year"}
    assert not UnitGroup.objects.exists()


def test_readers_list_groups_by_year_with_a_fixed_number_of_queries(units, django_assert_max_num_queries):
    reader = client_of(UserFactory(role="api_reader"))
    UnitGroupFactory(year=2011, code="a", units=units)
    UnitGroupFactory(year=2012, code="b", units=units[:1])
    for n in range(5):
        UnitGroupFactory(year=2011, code=f"more-{n}", units=[UnitFactory()])

    with django_assert_max_num_queries(6):
        response = reader.get(GROUPS, {"year": 2011, "page_size": 50})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 6
    assert body["results"][0] == {"code": "a", "year": 2011, "name": body["results"][0]["name"], "position": 0,
                                  "units": ["dept_fgw", "dept_jxw"]}
    assert reader.get(GROUPS, {"year": "x"}).status_code == 400
    assert [g["code"] for g in reader.get(GROUPS, {"unit": "dept_fgw"}).json()["results"]] == ["b", "a"]
    assert reader.post(GROUPS, {"code": "c", "year": 2011, "name": "组"}, format="json").status_code == 403


def test_targets_take_a_group_by_code(admin, units):
    UnitGroupFactory(year=2011, code="g1", name="市直第一组")
    body = {"year": 2011, "indicator": "signed_capital", "group": "g1", "value": "90000.00"}

    both = admin.post(reverse("target-list"), {**body, "unit": "dept_fgw"}, format="json")
    assert both.status_code == 400
    assert both.json() == {"group": ["责任单位和考核大组只能填写其一（都不填表示全市）。"]}
    wrong_year = admin.post(reverse("target-list"), {**body, "year": 2012}, format="json")
    assert wrong_year.status_code == 400 and "group" in wrong_year.json()
    assert not Target.objects.exists()

    response = admin.post(reverse("target-list"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json() | {"id": None} == {**body, "id": None, "unit": None}
    assert admin.post(reverse("target-list"), body, format="json").status_code == 409  # one per group
    listed = admin.get(reverse("target-list"), {"group": "g1"}).json()
    assert [t["group"] for t in listed["results"]] == ["g1"]
    assert admin.get(reverse("target-list"), {"city": "true"}).json()["count"] == 0


def test_the_report_shows_group_rows_by_code(admin, units):
    group = UnitGroupFactory(year=2011, code="g1", units=units)
    TargetFactory(indicator=Indicator.objects.get(code="signed_capital"), group=group, value=Decimal("1000"))
    for unit in units:
        ProjectFactory(unit=unit, stage="signed", signed_on=datetime.date(2011, 2, 1), signed_amount=Decimal("300"),
                       origin="out_of_city")
    report = report_compute_month(year=2011, month=2)

    rows = admin.get(reverse("report-detail", args=[report.pk])).json()["rows"]

    signed = [row for row in rows if row["indicator"] == "signed_capital"]
    assert [(row["unit"], row["group"]) for row in signed] == [(None, None), ("dept_fgw", None), ("dept_jxw", None),
                                                                (None, "g1")]
    assert (signed[3]["ytd_value"], signed[3]["completion_pct"], signed[3]["rank"]) == ("600.00", "60.0", 1)
