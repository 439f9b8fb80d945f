import datetime

from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Greatest

from .models import Heartbeat


def heartbeat_record(*, beat_sent_at: datetime.datetime, worker_seen_at: datetime.datetime) -> None:
    """Keep the newest times: heartbeats handled out of order (two pool processes, a restored
    database) never move the row back."""

    def newest(field: str, value: datetime.datetime) -> Greatest:
        return Greatest(F(field), Value(value, output_field=DateTimeField()))

    updated = Heartbeat.objects.filter(pk=Heartbeat.ROW).update(
        beat_sent_at=newest("beat_sent_at", beat_sent_at), worker_seen_at=newest("worker_seen_at", worker_seen_at)
    )
    if not updated:
        Heartbeat.objects.get_or_create(
            pk=Heartbeat.ROW, defaults={"beat_sent_at": beat_sent_at, "worker_seen_at": worker_seen_at}
        )
