"""Assessment groups in the Django admin: written through unit_group_save, members checked beside
their field. (Every admin page opening, and its query count, is tests/test_admin.py.)"""

import pytest
from django.urls import reverse

from targets.models import UnitGroup
from tests.factories import UnitFactory, UnitGroupFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:targets_unitgroup_add")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def form(**fields) -> dict:
    return {"year": "2011", "position": "1", "code": "2011-shizhi-1", "name": "市直第一组", **fields}


def test_an_admin_adds_a_group_with_its_members(admin_client, admin_user):
    a, b = UnitFactory(name="市发改委"), UnitFactory(name="市经信委")

    response = admin_client.post(ADD, form(units=[a.pk, b.pk]))

    assert response.status_code == 302, response.context["adminform"].form.errors
    group = UnitGroup.objects.get(code="2011-shizhi-1")
    assert set(group.units.all()) == {a, b}
    assert group.history.latest().history_user == admin_user
    changelist = admin_client.get(reverse("admin:targets_unitgroup_changelist")).content.decode()
    assert "市发改委、市经信委" in changelist or "市经信委、市发改委" in changelist


def test_a_member_of_another_group_of_the_year_is_shown_beside_the_field(admin_client):
    a = UnitFactory(name="市发改委")
    UnitGroupFactory(year=2011, name="市直第二组", units=[a])

    response = admin_client.post(ADD, form(units=[a.pk]))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"units": ["一个单位每年只能属于一个考核大组：市发改委（已属于市直第二组）。"]}
    assert not UnitGroup.objects.filter(code="2011-shizhi-1").exists()


def test_a_change_of_members_goes_through_the_service(admin_client):
    a, b = UnitFactory(), UnitFactory()
    group = UnitGroupFactory(code="2011-shizhi-1", units=[a])
    change = reverse("admin:targets_unitgroup_change", args=[group.pk])
    entries = group.history.count()

    response = admin_client.post(change, form(units=[b.pk], name="市直一组"))

    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.name, list(group.units.all())) == ("市直一组", [b])
    assert group.history.count() == entries + 1  # one entry for the name and the members together
    assert list(group.history.latest().units.values_list("unit_id", flat=True)) == [b.pk]
