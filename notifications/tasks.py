"""Celery task of the reminders: a thin wrapper around notifications.services.reminders_send.

Safe to run twice and to be killed half-way: the reminders are written in one transaction, and a
reminder written before is never written again (services.reminders_send).
"""

from core.jobs import retrying_task

from .services import reminders_send


@retrying_task
def send_reminders() -> None:
    reminders_send()
