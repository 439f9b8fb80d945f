"""The health of a running InvestPro: what /healthz answers and `manage.py doctor` prints.

Each check says only whether a part works and since when: no host, no password, no data, so that
the answer may be shown to anyone (a load balancer, a monitor) without signing in."""

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from kombu import Connection

from .models import Heartbeat

BROKER_TIMEOUT = 2  # seconds: a health check answers quickly or says the broker is down


@dataclass(frozen=True)
class Check:
    name: str  # database, broker, worker, beat
    ok: bool
    detail: str  # Chinese / English, safe to show anyone
    at: datetime.datetime | None = None  # the last sign of life, for worker and beat


def health_checks(*, now: datetime.datetime | None = None) -> list[Check]:
    """Every check, in the order an operator reads them."""
    now = now or timezone.now()
    database = health_database()
    return [database, health_broker(), *health_heartbeat(now=now, database_ok=database.ok)]


def health_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return Check("database", False, "无法连接 / unreachable")
    return Check("database", True, "正常 / ok")


def health_broker() -> Check:
    if settings.CELERY_BROKER_URL == "filesystem://":
        return _embedded_broker()
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=BROKER_TIMEOUT,
        ) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
    except Exception:  # whatever the transport raises, the answer is the same: down
        return Check("broker", False, "无法连接 / unreachable")
    return Check("broker", True, "正常 / ok")


def _embedded_broker() -> Check:
    """The filesystem transport "connects" to anything: what can fail is its queue folder."""
    queue = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    if queue.is_dir() and os.access(queue, os.R_OK | os.W_OK):
        return Check("broker", True, "正常（内置）/ ok (embedded)")
    return Check("broker", False, "队列目录不可用 / queue folder missing or not writable")


def health_heartbeat(*, now: datetime.datetime, database_ok: bool) -> list[Check]:
    """Beat sends a heartbeat every minute stamped with its send time; a worker records it. So
    the worker is alive if it recorded one lately, and beat if the newest one was sent lately."""
    if not database_ok:
        unknown = "数据库不可用，无法判断 / unknown: the database is down"
        return [Check("worker", False, unknown), Check("beat", False, unknown)]
    heartbeat = Heartbeat.objects.filter(pk=Heartbeat.ROW).first()
    if heartbeat is None:
        never = "尚无心跳 / no heartbeat yet"
        return [Check("worker", False, never), Check("beat", False, never)]
    return [
        _freshness("worker", "最近处理心跳 / last heartbeat handled", heartbeat.worker_seen_at, now),
        _freshness("beat", "最近发出心跳 / last heartbeat sent", heartbeat.beat_sent_at, now),
    ]


def _freshness(name: str, what: str, at: datetime.datetime, now: datetime.datetime) -> Check:
    age = max(0, int((now - at).total_seconds()))
    if age > settings.HEALTH_STALE_AFTER:
        return Check(name, False, f"{what}: {age} 秒前，已超时 / {age} s ago, stale", at)
    return Check(name, True, f"{what}: {age} 秒前 / {age} s ago", at)
