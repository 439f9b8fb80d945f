"""Writes of the accounts app (users, roles, units) and the audited save every app's services share."""

from typing import TypeVar

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, Role, Unit, User
from .roles import ADMIN_SITE_ROLES

M = TypeVar("M", bound=models.Model)


# --- Audited writes -------------------------------------------------------------------------------
# Shared by the services of every app; they live here because apps import only the apps below them
# and accounts is the lowest.


def audited_save(instance: M, *, actor: User | None, **fields) -> M:
    """Set `fields`, validate with the model's own rules (`full_clean`) and save, with `actor` as the
    user of the audit-trail entry — also outside a request (a Celery task, a command).

    A refused write raises ValidationError and saves nothing; the instance keeps the attempted
    values, so a caller that goes on using it should reload it.
    """
    for name, value in fields.items():
        _check_editable(instance, name)
        setattr(instance, name, value)
    instance.full_clean()
    instance._history_user = actor  # read by simple_history before it falls back to the request's user
    instance.save()
    return instance


def audited_delete(instance: models.Model, *, actor: User | None) -> None:
    instance._history_user = actor
    instance.delete()


def _check_editable(instance: models.Model, name: str) -> None:
    """A misspelt or derived field is the caller's bug: fail loudly instead of setting a stray attribute."""
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        field = None
    if field is None or not field.editable or field.many_to_many:
        raise TypeError(f"{type(instance).__name__} has no editable field {name!r}")


# --- Units ----------------------------------------------------------------------------------------


@transaction.atomic
def unit_save(*, actor: User | None, unit: Unit, **fields) -> Unit:
    """Create (an unsaved `Unit()`) or change a responsible unit."""
    return audited_save(unit, actor=actor, **fields)


def unit_create(*, actor: User | None, **fields) -> Unit:
    return unit_save(actor=actor, unit=Unit(), **fields)


@transaction.atomic
def unit_delete(*, actor: User | None, unit: Unit) -> None:
    """Delete a unit; one that still has users, projects or targets is refused (ProtectedError, 409)."""
    audited_delete(unit, actor=actor)


# --- Users ----------------------------------------------------------------------------------------
# Users are not in the audit history (the admin's log records who changed them); their role decides
# their admin-site flags and their group, so every write of a user goes through user_save.


def user_set_role(*, user: User, role: str, unit: Unit | None) -> None:
    """Give a user a role and the admin-site flags that follow from it; the caller saves."""
    user.role = role
    user.unit = unit
    user.is_superuser = role == Role.ADMIN
    user.is_staff = role in ADMIN_SITE_ROLES


@transaction.atomic
def user_save(*, user: User, **fields) -> User:
    """Create (an unsaved `User`, its password already set) or change a user: the flags follow its
    role, the model's rules are checked, and it becomes a member of exactly its role's group. A
    change of role or unit is stamped (`scope_changed_at`): see _stamp_scope_change."""
    for name, value in fields.items():
        setattr(user, name, value)
    user_set_role(user=user, role=user.role, unit=user.unit)
    _stamp_scope_change(user)
    user.full_clean(exclude=["password"])
    user.save()
    user_sync_group(user=user)
    return user


def _stamp_scope_change(user: User) -> None:
    """A stored user whose role or unit changes may see other projects from now on (DESIGN §5): a
    REST client's copy of the project list made before cannot be brought in step by changes and
    removals, so `projects/removed/` asks for a full pull when its `since` is before this moment.
    The stored row is read locked, so that two admins' changes take turns. A new user has no copy yet."""
    if user.pk is None:
        return
    stored = User.objects.select_for_update().filter(pk=user.pk).values("role", "unit_id").first()
    if stored is not None and (stored["role"], stored["unit_id"]) != (user.role, user.unit_id):
        user.scope_changed_at = timezone.now()


def user_create(*, username: str, role: str, unit_code: str | None = None, password: str | None = None) -> User:
    if role not in Role.values:
        message = _("未知的角色“%(role)s”；可选：%(roles)s。") % {"role": role, "roles": ", ".join(Role.values)}
        raise ValidationError({"role": message})
    unit = None
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            raise ValidationError({"unit": _("没有编码为“%(code)s”的责任单位。") % {"code": unit_code}})
    user = User(username=username, role=role, unit=unit)
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    return user_save(user=user, role=role, unit=unit)


def _check_password(password: str, user: User) -> None:
    """Django's password validators (AUTH_PASSWORD_VALIDATORS), the same as the admin's forms apply."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None


@transaction.atomic
def user_delete(*, user: User) -> None:
    user.delete()


def user_sync_group(*, user: User) -> None:
    """Make the user a member of exactly its role's group (the image of its permissions, accounts.roles)."""
    user.groups.set([Group.objects.get(name=user.role)])


# --- API tokens -----------------------------------------------------------------------------------
# A token is issued only by the token endpoint (accounts.tokens.token_issue), which alone ever sees
# its key; the admin revokes tokens, and changes nothing else about them.


def token_save(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Refused: a stored token is never changed, and a new one is issued with its key by the token
    endpoint, never typed in. The admin offers neither (no add or change permission); this is the
    admin's save path all the same, so that opening one by mistake cannot write a token."""
    raise PermissionDenied(_("API 令牌只能由 POST /api/v1/auth/token/ 签发，不能新增或修改。"))


@transaction.atomic
def token_revoke(*, actor: User | None, token: ApiToken) -> None:
    """Revoke a token at once: the next request that presents it answers 401."""
    token.delete()
