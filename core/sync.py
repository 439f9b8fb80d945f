"""The sync horizon: the latest time up to which every change has committed.

A row's `updated_at` is the time its write ran, not the time it committed. A client walking the
list in `updated_at` order could pass a position before a slower transaction that wrote a row just
below it commits; the row would then never be served. So a sync page serves only rows at or below
the horizon: the earlier of "now" and the start of the oldest transaction still open on the
database (PostgreSQL's `pg_stat_activity.xact_start`, read from the function behind that view),
less a small margin for the clocks of the web and database hosts (`SYNC_CLOCK_MARGIN`). A write
still in flight started after the horizon, so its rows lie above it and are served by a later page,
once committed.

The horizon only ever holds back the newest changes for as long as the oldest open transaction has
been running (normally milliseconds). A transaction left open longer than `SYNC_MAX_TRANSACTION`
seconds is not waited for: the guarantee assumes no write runs that long.

SQLite has no activity view, but serialises its writers: the horizon is read while holding the
write lock for a moment (an empty IMMEDIATE transaction), when no write is in flight.

`SYNC_CLOCK_MARGIN` (default 0) is needed only when the web and database hosts' clocks differ:
every service takes its first lock or reads before it stamps a row, so a transaction's
`xact_start` is never later than the times it writes.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

# pg_stat_get_activity(NULL), the function behind the pg_stat_activity view, without the view's
# joins to pg_database and pg_authid and its other columns: a third of the view's time on every sync
# page (0.3 ms against 0.85 ms).
OPEN_TRANSACTIONS_SQL = """
SELECT min(activity.xact_start) FROM pg_stat_get_activity(NULL) AS activity
WHERE activity.datid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND activity.pid <> pg_backend_pid() AND activity.xact_start IS NOT NULL
  AND activity.xact_start > now() - make_interval(secs => %s)
"""


def sync_horizon() -> datetime.datetime:
    """The time up to which every committed change is final (see the module's docstring)."""
    if connection.vendor != "postgresql":
        with transaction.atomic():  # BEGIN IMMEDIATE: waits for the writer in flight, if any
            settled = timezone.now()
    else:
        now = timezone.now()
        oldest = _oldest_open_transaction()
        settled = min(now, oldest) if oldest is not None else now
    return settled - datetime.timedelta(seconds=settings.SYNC_CLOCK_MARGIN)


def _oldest_open_transaction() -> datetime.datetime | None:
    with connection.cursor() as cursor:
        cursor.execute(OPEN_TRANSACTIONS_SQL, [settings.SYNC_MAX_TRANSACTION])
        return cursor.fetchone()[0]
