"""Writes about indicators, yearly targets and report requests: the API, the admin and the commands
write through these, validated by the models and (indicators, targets) recorded in the audit trail.

A report's computation and publication are in targets.reporting, which takes the report's own lock.
"""

from collections.abc import Iterable

from django.db import transaction

from accounts.models import User
from accounts.services import audited_delete, audited_save
from projects.models import Industry

from . import tasks
from .models import Indicator, Report, Target

# --- Indicators -----------------------------------------------------------------------------------


@transaction.atomic
def indicator_save(
    *, actor: User | None, indicator: Indicator, industries: Iterable[Industry] | None = None, **fields
) -> Indicator:
    """Create (an unsaved `Indicator()`) or change an indicator and, when given, its industries.

    A change records fields and industries as one history entry. A creation with industries records
    the row and then the industries being set (a many-to-many is written once the row exists), as
    when added in the admin.
    """
    if indicator.pk is None:
        indicator = audited_save(indicator, actor=actor, **fields)
        if industries:
            indicator.industries.set(industries)  # recorded by simple_history with indicator._history_user
        return indicator
    if industries is not None:
        # Set the industries without an entry of their own: the save below records them together
        # with the fields. A refused save rolls the industries back with the transaction.
        indicator.skip_history_when_saving = True
        try:
            indicator.industries.set(industries)
        finally:
            del indicator.skip_history_when_saving
    return audited_save(indicator, actor=actor, **fields)


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


# --- Reports --------------------------------------------------------------------------------------


def report_request(*, actor: User | None, year: int, month: int) -> Report:
    """Queue a month's computation (the API's POST /reports/): its report is marked queued and the job
    sent after commit; a published month is refused (409). Reports keep no audit history: who asked
    is not recorded, who published is (Report.published_by)."""
    return tasks.request_report(year=year, month=month)
