"""Celery task of the reminders: a thin wrapper around notifications.services.reminders_send.

Safe to run twice and to be killed half-way: the reminders are written in one transaction, and a
reminder written before is never written again (services.reminders_send).
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services import reminders_send


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),  # a dropped connection, SQLite's "database is locked"
    retry_backoff=True,
    max_retries=3,
)
def send_reminders() -> None:
    reminders_send()
