"""The rule of accounts' models: a staff member belongs to a unit."""

import pytest

from accounts.models import Role, User
from tests.factories import UserFactory
from tests.model_rules import assert_db_refuses, assert_refused, assert_valid

pytestmark = pytest.mark.django_db


def new_user(**fields) -> User:
    user = User(username="zhang", **fields)
    user.set_password("Zhang-pass-1")
    return user


def test_a_staff_member_belongs_to_a_unit():
    assert_refused(new_user(role=Role.STAFF), "unit", "招商专员必须属于一个责任单位。")


@pytest.mark.parametrize("role", [Role.LEADER, Role.API_READER, Role.ADMIN])
def test_other_roles_need_no_unit(role):
    assert_valid(new_user(role=role))


def test_a_staff_member_with_a_unit_is_valid(unit):
    assert_valid(new_user(role=Role.STAFF, unit=unit))


def test_the_database_refuses_a_staff_member_without_a_unit(staff_user):
    assert_db_refuses(lambda: User.objects.filter(pk=staff_user.pk).update(unit=None), "staff_has_unit")
    assert_db_refuses(new_user(role=Role.STAFF).save, "staff_has_unit")

    staff_user.refresh_from_db()
    assert staff_user.unit is not None


def test_a_leader_cannot_become_staff_without_a_unit():
    leader = UserFactory(role=Role.LEADER)

    assert_db_refuses(lambda: User.objects.filter(pk=leader.pk).update(role=Role.STAFF), "staff_has_unit")

    leader.refresh_from_db()
    assert leader.role == Role.LEADER
