from django.db import models


class Heartbeat(models.Model):
    """One row: the newest heartbeat a worker has handled. Kept in the database rather than the
    cache so that it survives restarts and is read alike by every web process on either database."""

    ROW = 1

    beat_sent_at = models.DateTimeField("调度器发出时间")  # when beat sent it
    worker_seen_at = models.DateTimeField("任务进程处理时间")  # when a worker ran it

    class Meta:
        verbose_name = "心跳"
        verbose_name_plural = "心跳"
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="heartbeat_single_row")]

    def __str__(self) -> str:
        return f"heartbeat sent {self.beat_sent_at:%Y-%m-%d %H:%M:%S}"
