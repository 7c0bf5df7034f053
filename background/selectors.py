"""Reads for the background worker: which workers are alive."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from background.models import WorkerHeartbeat


def heartbeat_every() -> dt.timedelta:
    """How often a worker beats, and looks for periodic jobs due."""
    return dt.timedelta(seconds=settings.BACKGROUND_TICK_SECONDS)


def heartbeat_stale() -> dt.timedelta:
    """A worker silent this long has stopped."""
    return dt.timedelta(seconds=settings.BACKGROUND_STALE_SECONDS)


def worker_alive(worker_id: str, *, now: dt.datetime | None = None) -> bool:
    """Whether the worker ``worker_id`` has beaten lately (:func:`heartbeat_stale`)."""
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(worker_id=worker_id, beat_at__gte=now - heartbeat_stale()).exists()


def workers_alive(*, now: dt.datetime | None = None) -> int:
    """How many workers have beaten lately (:func:`heartbeat_stale`)."""
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(beat_at__gte=now - heartbeat_stale()).count()


def service_ready() -> bool:
    """For ``/readyz``: the database answers and at least one worker is alive. Never raises."""
    try:
        return workers_alive() > 0
    except DatabaseError:
        return False
