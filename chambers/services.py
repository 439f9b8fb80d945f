"""Writes about chambers of commerce, their people and agreements, and events.

Each write validates with the model's own rules (`full_clean`) through `audited_save`, like every
other app's; these models keep no audit history of their own (their rows carry `updated_at`).
"""

from django.db import transaction

from accounts.models import User
from accounts.services import audited_delete, audited_save

from .models import Agreement, Chamber, Contact, Event


@transaction.atomic
def chamber_save(*, actor: User | None, chamber: Chamber, **fields) -> Chamber:
    """Create (an unsaved `Chamber()`) or change a chamber."""
    return audited_save(chamber, actor=actor, **fields)


@transaction.atomic
def chamber_delete(*, actor: User | None, chamber: Chamber) -> None:
    """Delete a chamber with its agreements; its contacts, projects and events keep their rows."""
    audited_delete(chamber, actor=actor)


@transaction.atomic
def contact_save(*, actor: User | None, contact: Contact, **fields) -> Contact:
    return audited_save(contact, actor=actor, **fields)


@transaction.atomic
def contact_delete(*, actor: User | None, contact: Contact) -> None:
    audited_delete(contact, actor=actor)


@transaction.atomic
def agreement_save(*, actor: User | None, agreement: Agreement, **fields) -> Agreement:
    return audited_save(agreement, actor=actor, **fields)


@transaction.atomic
def agreement_delete(*, actor: User | None, agreement: Agreement) -> None:
    audited_delete(agreement, actor=actor)


@transaction.atomic
def event_save(*, actor: User | None, event: Event, **fields) -> Event:
    return audited_save(event, actor=actor, **fields)


@transaction.atomic
def event_delete(*, actor: User | None, event: Event) -> None:
    audited_delete(event, actor=actor)
