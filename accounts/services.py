"""Writes about users: creating them and giving them a role."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Role, Unit, User
from .roles import ADMIN_SITE_ROLES


def user_set_role(*, user: User, role: str, unit: Unit | None) -> None:
    """Give a user a role, the matching group and the admin-site flags; the caller saves."""
    user.role = role
    user.unit = unit
    user.is_superuser = role == Role.ADMIN
    user.is_staff = role in ADMIN_SITE_ROLES


@transaction.atomic
def user_create(*, username: str, role: str, unit_code: str | None = None, password: str | None = None) -> User:
    if role not in Role.values:
        raise ValidationError({"role": _("未知的角色“%(role)s”；可选：%(roles)s。") % {"role": role, "roles": ", ".join(Role.values)}})
    unit = None
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            raise ValidationError({"unit": _("没有编码为“%(code)s”的责任单位。") % {"code": unit_code}})
    user = User(username=username)
    user_set_role(user=user, role=role, unit=unit)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user_sync_group(user=user)
    return user


def user_sync_group(*, user: User) -> None:
    """Make the user a member of exactly its role's group."""
    user.groups.set([Group.objects.get(name=user.role)])
