"""What the Celery tasks of every app share (CONVENTIONS: thin tasks that retry only named transient
errors)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

# A dropped database connection, SQLite's "database is locked": worth a retry, unlike any other error.
TRANSIENT_DATABASE_ERRORS = (OperationalError, InterfaceError)

# A beat job that calls one service: no result kept, retried a few times, backing off, on a transient
# database error only. The service must be safe to run twice.
retrying_task = shared_task(
    ignore_result=True, autoretry_for=TRANSIENT_DATABASE_ERRORS, retry_backoff=True, max_retries=3
)
