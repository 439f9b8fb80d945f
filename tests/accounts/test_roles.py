"""The roles of DESIGN §5 as groups with model permissions, kept in step after every migrate."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from accounts.models import Role, User
from accounts.roles import ROLE_PERMISSIONS, sync_role_groups
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def permissions_of(role: str) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_every_role_has_its_group_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_staff_work_on_projects_but_not_on_targets(staff_user):
    granted = permissions_of(Role.STAFF)

    assert {"projects.add_project", "projects.change_project", "projects.add_capitaldelivery"} <= granted
    assert {
        "targets.add_target",
        "targets.change_target",
        "targets.add_indicator",
        "targets.publish_report",
    }.isdisjoint(granted)
    assert staff_user.has_perm("projects.add_project")
    assert staff_user.has_perm("targets.view_target")
    assert not staff_user.has_perm("targets.add_target")
    assert not staff_user.has_perm("accounts.add_unit")


def test_leaders_read_everything_and_publish_reports(leader_user):
    granted = permissions_of(Role.LEADER)

    assert "targets.publish_report" in granted
    assert leader_user.has_perm("targets.publish_report")
    assert leader_user.has_perm("projects.view_project")
    assert not leader_user.has_perm("projects.add_project")
    assert {p for p in granted if not p.split(".")[1].startswith("view_")} == {
        "targets.publish_report",
        "accounts.use_pages_user",
    }


@pytest.mark.parametrize(
    ("role", "may"), [(Role.STAFF, True), (Role.LEADER, True), (Role.ADMIN, True), (Role.API_READER, False)]
)
def test_the_pages_are_for_staff_leaders_and_admins(role, may):
    assert UserFactory(role=role).has_perm("accounts.use_pages_user") is may


def test_api_readers_only_view():
    reader = UserFactory(role=Role.API_READER)
    granted = permissions_of(Role.API_READER)

    assert "projects.view_project" in granted
    assert all(p.split(".")[1].startswith("view_") for p in granted), granted
    assert not reader.has_perm("projects.add_project")
    assert not reader.has_perm("targets.publish_report")
    assert not reader.is_staff


def test_the_admin_role_is_a_superuser_with_every_permission(admin_user):
    assert admin_user.is_superuser and admin_user.is_staff
    assert admin_user.has_perm("targets.publish_report")
    assert admin_user.has_perm("accounts.add_unit")
    assert admin_user.has_perm("targets.change_indicator")


@pytest.mark.parametrize("role", Role.values)
def test_each_group_holds_exactly_its_listed_permissions(role):
    listed = {
        f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
        for label, actions in ROLE_PERMISSIONS[role].items()
        for action in actions
    }

    assert permissions_of(role) == listed


def test_syncing_repairs_a_group_that_drifted():
    staff = Group.objects.get(name=Role.STAFF)
    staff.permissions.remove(Permission.objects.get(codename="add_project"))
    staff.permissions.add(Permission.objects.get(codename="add_target"))
    Group.objects.get(name=Role.LEADER).delete()

    sync_role_groups()

    assert "projects.add_project" in permissions_of(Role.STAFF)
    assert "targets.add_target" not in permissions_of(Role.STAFF)
    assert "targets.publish_report" in permissions_of(Role.LEADER)


def test_create_superuser_makes_an_admin():
    user = User.objects.create_superuser("root", "root@example.cn", "Root-pass-1")

    user.refresh_from_db()
    assert (user.role, user.unit, user.is_superuser, user.is_staff) == (Role.ADMIN, None, True, True)
    assert user.check_password("Root-pass-1")
    user.full_clean()


def test_the_createsuperuser_command_makes_an_admin():
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "root@example.cn", verbosity=0)

    user = User.objects.get(username="root")
    assert (user.role, user.unit, user.is_superuser) == (Role.ADMIN, None, True)
