"""The background worker's own records: who is alive, and which periodic ticks have fired."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """A running worker process, and the last time it said it was alive. A job whose worker has not
    beaten for ``BACKGROUND_STALE_SECONDS`` is shown as stopped."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"worker {self.worker_id} on {self.host} (pid {self.pid})"


class ScheduledTick(models.Model):
    """One firing of a periodic job (``background.schedule``). The unique (job, slot) pair is what
    stops two workers firing the same tick: only the first insert succeeds."""

    job = models.CharField(max_length=100)
    slot = models.DateTimeField(help_text="The start of the period this firing is for.")
    fired_at = models.DateTimeField()
    worker_id = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_tick_once")]

    def __str__(self):
        return f"{self.job} at {self.slot}"
