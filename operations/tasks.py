"""Celery tasks of operations: the heartbeat beat sends every minute, and the nightly backup."""

import logging

from celery import shared_task
from celery.signals import beat_init, before_task_publish
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .backups import backup_create, backup_prune
from .services import heartbeat_record

logger = logging.getLogger(__name__)

SENT_AT_HEADER = "investpro_sent_at"


@shared_task(bind=True, ignore_result=True)
def heartbeat(self) -> None:
    """Record when beat sent this heartbeat and when a worker handled it (read by /healthz)."""
    sent_at = parse_datetime((self.request.headers or {}).get(SENT_AT_HEADER) or "")
    now = timezone.now()
    heartbeat_record(beat_sent_at=sent_at or now, worker_seen_at=now)


@before_task_publish.connect
def _stamp_heartbeat(sender: str | None = None, headers: dict | None = None, **_kwargs) -> None:
    """Beat's schedule has fixed arguments: the send time travels in a message header, set here in
    the process that sends (beat)."""
    if sender == heartbeat.name and headers is not None:
        headers.setdefault(SENT_AT_HEADER, timezone.now().isoformat())


@beat_init.connect
def _heartbeat_at_start(**_kwargs) -> None:
    """The schedule's first heartbeat goes a minute after beat starts, and /healthz would call the
    worker and beat down until then: one sent as beat starts shows a healthy install at once."""
    heartbeat.delay()


@shared_task(ignore_result=True)
def backup_nightly() -> None:
    """Back up into BACKUP_DIR and keep the newest BACKUP_KEEP. Safe to run twice (two backups,
    then the same pruning) and to be killed (a half-written file is never taken for a backup)."""
    path = backup_create(directory=settings.BACKUP_DIR)
    removed = backup_prune(directory=settings.BACKUP_DIR, keep=settings.BACKUP_KEEP)
    logger.info("Backup written to %s; %d old backup(s) removed", path, len(removed))
