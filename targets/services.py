"""Writes about indicators and yearly targets, validated by the models and recorded in the audit trail."""

from collections.abc import Iterable

from django.db import transaction

from accounts.models import User
from accounts.services import audited_delete, audited_save
from projects.models import Industry

from .models import Indicator, Target

# --- Indicators -----------------------------------------------------------------------------------


@transaction.atomic
def indicator_create(*, actor: User | None, industries: Iterable[Industry] = (), **fields) -> Indicator:
    """Create an indicator. With industries, the history holds its creation and then the industries
    being set (they are a many-to-many, written once the row exists) — as when added in the admin."""
    indicator = audited_save(Indicator(), actor=actor, **fields)
    industries = list(industries)
    if industries:
        indicator.industries.set(industries)  # recorded by simple_history with indicator._history_user
    return indicator


@transaction.atomic
def indicator_update(
    *, actor: User | None, indicator: Indicator, industries: Iterable[Industry] | None = None, **fields
) -> Indicator:
    """Change an indicator's fields and, when given, its industries, as one history entry."""
    if industries is not None:
        # Set the industries without an entry of their own: the save below records them together
        # with the fields. A refused save rolls the industries back with the transaction.
        indicator.skip_history_when_saving = True
        try:
            indicator.industries.set(industries)
        finally:
            del indicator.skip_history_when_saving
    return audited_save(indicator, actor=actor, **fields)


# --- Targets --------------------------------------------------------------------------------------


@transaction.atomic
def target_create(*, actor: User | None, **fields) -> Target:
    return audited_save(Target(), actor=actor, **fields)


@transaction.atomic
def target_update(*, actor: User | None, target: Target, **fields) -> Target:
    return audited_save(target, actor=actor, **fields)


@transaction.atomic
def target_delete(*, actor: User | None, target: Target) -> None:
    audited_delete(target, actor=actor)
