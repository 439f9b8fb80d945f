"""Writes about indicators, assessment groups, yearly targets and report requests: the API, the admin
and the commands write through these, validated by the models and (indicators, groups, targets)
recorded in the audit trail.

A report's computation and publication are in targets.reporting, which takes the report's own lock.
"""

from collections.abc import Iterable

from django.db import transaction

from accounts.models import Unit, User
from accounts.services import audited_delete, audited_save
from projects.models import Industry

from . import tasks
from .models import Indicator, Report, Target, UnitGroup

# --- Indicators -----------------------------------------------------------------------------------


def _save_with_many(instance, *, actor: User | None, field: str, related: Iterable | None, **fields):
    """Create or change a row with a many-to-many field (`field`) set to `related` when given, as one
    audited write.

    A change records fields and relations as one history entry. A creation with relations records
    the row and then the relations being set (a many-to-many is written once the row exists), as
    when added in the admin. Call inside a transaction: a refused save rolls the relations back.
    """
    if instance.pk is None:
        instance = audited_save(instance, actor=actor, **fields)
        if related:
            getattr(instance, field).set(related)  # recorded by simple_history with instance._history_user
        return instance
    if related is not None:
        # Set the relations without an entry of their own: the save below records them together
        # with the fields.
        instance.skip_history_when_saving = True
        try:
            getattr(instance, field).set(related)
        finally:
            del instance.skip_history_when_saving
    return audited_save(instance, actor=actor, **fields)


@transaction.atomic
def indicator_save(
    *, actor: User | None, indicator: Indicator, industries: Iterable[Industry] | None = None, **fields
) -> Indicator:
    """Create (an unsaved `Indicator()`) or change an indicator and, when given, its industries."""
    return _save_with_many(
        indicator, actor=actor, field="industries", related=None if industries is None else list(industries), **fields
    )


def indicator_create(*, actor: User | None, industries: Iterable[Industry] = (), **fields) -> Indicator:
    return indicator_save(actor=actor, indicator=Indicator(), industries=list(industries), **fields)


@transaction.atomic
def indicator_delete(*, actor: User | None, indicator: Indicator) -> None:
    """Delete an indicator; one with targets or report rows is refused (ProtectedError, 409)."""
    audited_delete(indicator, actor=actor)


# --- Targets --------------------------------------------------------------------------------------


@transaction.atomic
def target_save(*, actor: User | None, target: Target, **fields) -> Target:
    """Create (an unsaved `Target()`) or change a yearly target."""
    return audited_save(target, actor=actor, **fields)


def target_create(*, actor: User | None, **fields) -> Target:
    return target_save(actor=actor, target=Target(), **fields)


@transaction.atomic
def target_delete(*, actor: User | None, target: Target) -> None:
    audited_delete(target, actor=actor)


# --- Assessment groups (大组) ------------------------------------------------------------------------


@transaction.atomic
def unit_group_save(
    *, actor: User | None, group: UnitGroup, units: Iterable[Unit] | None = None, **fields
) -> UnitGroup:
    """Create (an unsaved `UnitGroup()`) or change an assessment group and, when given, its member units.

    A unit is in at most one group of a year (UnitGroup.check_members). The check runs here with the
    member units' rows locked (SELECT ... FOR UPDATE, in id order; on SQLite the IMMEDIATE transaction's
    write lock): two writes that would put the same unit into two groups of a year take turns, and the
    second, reading after the first committed, is refused.
    """
    members = list(units) if units is not None else list(group.units.all()) if group.pk else []
    year = fields.get("year", group.year)
    if members and isinstance(year, int):  # a missing or bad year is full_clean's to report
        locked = list(Unit.objects.select_for_update().filter(pk__in=[u.pk for u in members]).order_by("pk"))
        UnitGroup(pk=group.pk, year=year).check_members(locked)
    return _save_with_many(group, actor=actor, field="units", related=None if units is None else members, **fields)


def unit_group_create(*, actor: User | None, units: Iterable[Unit] = (), **fields) -> UnitGroup:
    return unit_group_save(actor=actor, group=UnitGroup(), units=list(units), **fields)


@transaction.atomic
def unit_group_delete(*, actor: User | None, group: UnitGroup) -> None:
    """Delete a group; one with targets or report rows is refused (ProtectedError, 409)."""
    audited_delete(group, actor=actor)


# --- Reports --------------------------------------------------------------------------------------


def report_request(*, actor: User | None, year: int, month: int) -> Report:
    """Queue a month's computation (the API's POST /reports/): its report is marked queued and the job
    sent after commit; a published month is refused (409). Reports keep no audit history: who asked
    is not recorded, who published is (Report.published_by)."""
    return tasks.request_report(year=year, month=month)
