"""Keeps what the project pages cache in step with the records it was read from."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from accounts.models import Unit
from chambers.models import Chamber, Event

from .models import CapitalDelivery, Industry, Project
from .selectors import filter_options_forget, list_totals_forget


def _forget_filter_options(**kwargs) -> None:
    filter_options_forget()


def _forget_list_totals(**kwargs) -> None:
    # Now, for the rest of this transaction and for tests that never commit; and again once the write
    # is committed, for a reader who summed the old rows under the version set now.
    list_totals_forget()
    transaction.on_commit(list_totals_forget)


def connect() -> None:
    for model in (Unit, Industry, Chamber, Event):
        post_save.connect(_forget_filter_options, sender=model, dispatch_uid=f"filter-options-{model._meta.label}")
        post_delete.connect(_forget_filter_options, sender=model, dispatch_uid=f"filter-options-{model._meta.label}")
    for model in (Project, CapitalDelivery):
        post_save.connect(_forget_list_totals, sender=model, dispatch_uid=f"list-totals-{model._meta.label}")
        post_delete.connect(_forget_list_totals, sender=model, dispatch_uid=f"list-totals-{model._meta.label}")
