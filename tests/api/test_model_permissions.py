"""One permission system: the API and the admin both ask `has_perm`, answered from the one table of
accounts/roles.py (the endpoint × role matrix itself is test_permissions.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.request import Request

from accounts import roles
from accounts.models import Role, User
from accounts.permissions import ModelPermission
from chambers.models import Chamber
from investpro.urls import router
from projects.models import Project, can_edit_unit
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER, Role.API_READER])
def test_a_roles_permissions_are_read_without_a_query(role, unit, django_assert_num_queries):
    user = User.objects.get(pk=UserFactory(role=role, unit=unit if role == Role.STAFF else None).pk)

    with django_assert_num_queries(0):
        granted = {perm for perm in roles.role_permissions(role) if user.has_perm(perm)}
        refused = user.has_perm("accounts.add_unit")

    assert granted == roles.role_permissions(role) and granted
    assert refused is False


def test_an_inactive_or_anonymous_user_holds_no_permission(staff_user):
    staff_user.is_active = False
    assert not staff_user.has_perm("projects.view_project")
    assert not AnonymousUser().has_perm("projects.view_project")


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_every_permission_the_api_asks_for_exists(method, admin_user):
    """A misspelt permission would refuse everyone but the superuser without a word."""
    existing = {f"{app}.{code}" for app, code in Permission.objects.values_list("content_type__app_label", "codename")}
    asked = set()
    for _prefix, viewset, _basename in router.registry:
        view = viewset(action_map={"get": "list"})
        view.action, view.kwargs = "list", {}
        view.request = Request(RequestFactory().get("/"))
        view.request.user = admin_user
        asked |= set(ModelPermission().required_permissions(view, method))
    assert asked and asked <= existing, asked - existing


def test_the_api_and_the_admin_read_the_same_table(monkeypatch, clients, leader_user, client):
    """Take one permission out of the roles' table: both doors refuse at once, nothing else changes."""
    client.force_login(leader_user)
    chamber_list = reverse("admin:chambers_chamber_changelist")

    def add_chamber(role: str, name: str):
        return clients[role].post(reverse("chamber-list"), {"name": name}, format="json")

    assert add_chamber("own_staff", "上海浙江商会").status_code == 201
    assert client.get(chamber_list).status_code == 200

    real = roles.role_permissions
    monkeypatch.setattr(
        roles, "role_permissions", lambda role: real(role) - {"chambers.add_chamber", "chambers.view_chamber"}
    )

    refused = add_chamber("own_staff", "北京浙江企业商会")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "您的角色无权执行此操作。"}
    assert client.get(chamber_list).status_code == 403
    assert list(Chamber.objects.values_list("name", flat=True)) == ["上海浙江商会"]
    assert add_chamber("admin", "北京浙江企业商会").status_code == 201


def test_requesting_a_report_needs_the_publish_permission(monkeypatch, clients):
    real = roles.role_permissions
    monkeypatch.setattr(roles, "role_permissions", lambda role: real(role) - {"targets.publish_report"})
    assert clients["leader"].post(reverse("report-list"), {"year": 2011, "month": 7}, format="json").status_code == 403
    monkeypatch.setattr(roles, "role_permissions", real)
    assert clients["leader"].post(reverse("report-list"), {"year": 2011, "month": 7}, format="json").status_code == 202


def test_seeing_every_units_confidential_projects_is_a_permission_of_the_table(monkeypatch, users, other_unit):
    """project_visibility asks `view_every_confidential_project`, not the role: take it from the
    leaders' row and a leader sees another unit's confidential project no more."""
    secret = ProjectFactory(unit=other_unit, confidential=True)
    leader = users["leader"]
    assert Project.objects.visible_to(leader).filter(pk=secret.pk).exists()
    real = roles.role_permissions
    monkeypatch.setattr(
        roles, "role_permissions", lambda role: real(role) - {"projects.view_every_confidential_project"}
    )
    assert not Project.objects.visible_to(leader).filter(pk=secret.pk).exists()


def test_changing_another_units_rows_is_a_permission_of_the_table(monkeypatch, users, unit, other_unit):
    """can_edit_unit: staff change their own unit's rows through `change_project`; only holders of
    `change_every_unit` (the admin role) change any unit's."""
    staff = users["own_staff"]
    assert staff.unit_id == unit.pk
    assert can_edit_unit(staff, unit.pk) and not can_edit_unit(staff, other_unit.pk)
    assert can_edit_unit(users["admin"], other_unit.pk)
    assert not can_edit_unit(users["leader"], unit.pk)
    real = roles.role_permissions
    monkeypatch.setattr(roles, "role_permissions", lambda role: real(role) | {"projects.change_every_unit"})
    assert can_edit_unit(staff, other_unit.pk)
    monkeypatch.setattr(roles, "role_permissions", lambda role: real(role) - {"projects.change_project"})
    assert not can_edit_unit(staff, unit.pk)
