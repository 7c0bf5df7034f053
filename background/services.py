"""Writes for the background worker: its heartbeat, and the firing of periodic ticks."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from background.models import ScheduledTick, WorkerHeartbeat
from background.schedule import Periodic, schedule
from workdays.selectors import working_calendar

logger = logging.getLogger(__name__)


def worker_heartbeat_beat(*, worker_id: str, host: str = "", pid: int | None = None) -> WorkerHeartbeat:
    """Record that the worker ``worker_id`` is alive now."""
    now = timezone.now()
    beat, created = WorkerHeartbeat.objects.get_or_create(
        worker_id=worker_id, defaults={"host": host, "pid": pid, "started_at": now, "beat_at": now}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=beat.pk).update(beat_at=now)
        beat.beat_at = now
    return beat


def worker_heartbeat_end(*, worker_id: str) -> None:
    """A worker stopping cleanly: it is no longer alive, and its unfinished jobs show so at once."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


@transaction.atomic
def worker_restart(*, old_worker_id: str, new_worker_id: str, reason: BaseException, host: str = "", pid=None) -> int:
    """A worker that lost its database (a PostgreSQL restart) carries on as a new worker once the
    database is back: the task results it had claimed and not finished are marked failed with
    ``reason``, its old heartbeat ends, so a job it was running shows as stopped (with *Try again*)
    at once, and the new one beats. How many task results were marked failed."""
    interrupted = [
        result
        for result in DBTaskResult.objects.running().only("id", "worker_ids")
        if result.worker_ids and result.worker_ids[-1] == old_worker_id
    ]
    for result in interrupted:
        result.set_failed(reason)
    worker_heartbeat_end(worker_id=old_worker_id)
    worker_heartbeat_beat(worker_id=new_worker_id, host=host, pid=pid)
    return len(interrupted)


def schedule_tick(
    *, worker_id: str, now: dt.datetime | None = None, jobs: tuple[Periodic, ...] | None = None
) -> list[str]:
    """Fire every periodic job that is due and has not fired for its current slot: record the tick
    and enqueue its task in one transaction. Two workers ticking at once fire each job once: the
    second insert of the same (job, slot) fails on the unique constraint. The names fired."""
    now = now or timezone.now()
    calendar = working_calendar()
    fired = []
    for job in jobs if jobs is not None else schedule():
        slot = job.slot(now, calendar)
        if slot is None:
            continue
        try:
            with transaction.atomic():
                ScheduledTick.objects.create(job=job.name, slot=slot, fired_at=now, worker_id=worker_id)
                import_string(job.task).enqueue()
        except IntegrityError:
            continue  # fired already, by this worker or another
        fired.append(job.name)
        logger.info("Fired %s for %s", job.name, slot.isoformat())
    return fired


@transaction.atomic
def background_records_prune(*, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    """Remove finished task results and ticks older than ``older_than``, and the heartbeats of
    workers gone that long. How many records were removed."""
    cutoff = timezone.now() - older_than
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    ticks, _ = ScheduledTick.objects.filter(fired_at__lt=cutoff).delete()
    beats, _ = WorkerHeartbeat.objects.filter(beat_at__lt=cutoff).delete()
    return results + ticks + beats
