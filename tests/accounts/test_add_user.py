"""`manage.py add_user USERNAME --role ROLE [--unit CODE] [--password PW]` (DESIGN §5)."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from tests.factories import UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "Qz-2011-bureau"


def add_user(*args: str) -> str:
    out = StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "is_superuser", "is_staff"),
    [
        (Role.STAFF, False, False),
        (Role.LEADER, False, True),
        (Role.API_READER, False, False),
        (Role.ADMIN, True, True),
    ],
)
def test_add_user_for_each_role(unit, role, is_superuser, is_staff):
    unit_args = ["--unit", unit.code] if role == Role.STAFF else []

    out = add_user("alice", "--role", role, *unit_args, "--password", PASSWORD)

    user = User.objects.get(username="alice")
    assert user.role == role
    assert user.unit == (unit if role == Role.STAFF else None)
    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert (user.is_superuser, user.is_staff, user.is_active) == (is_superuser, is_staff, True)
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD.upper())
    assert out.strip() == f"Created user alice ({role}{', unit kecheng' if role == Role.STAFF else ''})."


@pytest.mark.django_db
def test_without_a_password_the_user_cannot_sign_in_yet(unit):
    add_user("bob", "--role", "staff", "--unit", unit.code)

    user = User.objects.get(username="bob")
    assert not user.has_usable_password()
    assert not user.check_password("")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "boss"], "role: 未知的角色“boss”；可选：staff, leader, api_reader, admin。"),
        (["--role", "Staff", "--unit", "kecheng"], "role: 未知的角色“Staff”；可选：staff, leader, api_reader, admin。"),
        (["--role", "staff", "--unit", "nowhere"], "unit: 没有编码为“nowhere”的责任单位。"),
        (["--role", "leader", "--unit", "nowhere"], "unit: 没有编码为“nowhere”的责任单位。"),
        (["--role", "staff"], "unit: 招商专员必须属于一个责任单位。"),
    ],
)
def test_a_bad_role_or_unit_is_refused_and_no_user_made(unit, args, message):
    with pytest.raises(CommandError) as info:
        add_user("carol", *args, "--password", PASSWORD)

    assert str(info.value) == message
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_taken_username_is_refused_and_the_existing_user_kept(unit):
    existing = UserFactory(username="dave", role=Role.LEADER)

    with pytest.raises(CommandError) as info:
        add_user("dave", "--role", "admin", "--password", PASSWORD)

    assert str(info.value) == "username: 已存在一位使用该名字的用户。"
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert (existing.role, existing.is_superuser) == (Role.LEADER, False)
    assert not existing.check_password(PASSWORD)
    assert list(existing.groups.values_list("name", flat=True)) == [Role.LEADER]


def test_a_bad_role_exits_non_zero_with_the_message_on_stderr(tmp_path):
    """The real command line: no database row is needed to refuse an unknown role."""
    env = {**os.environ, "INVESTPRO_VAR_DIR": str(tmp_path), "PYTHONIOENCODING": "utf-8"}
    env.pop("DATABASE_URL", None)  # never touch a real database from here

    result = subprocess.run(
        [sys.executable, "manage.py", "add_user", "erin", "--role", "boss"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )

    assert result.returncode == 1
    assert "CommandError: role: 未知的角色“boss”；可选：staff, leader, api_reader, admin。" in result.stderr
    assert "Created" not in result.stdout
