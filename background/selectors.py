"""Reads for the background worker: which workers are alive."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from background.models import WorkerHeartbeat

HEARTBEAT_EVERY = dt.timedelta(seconds=10)  # how often a worker beats
HEARTBEAT_STALE = dt.timedelta(seconds=60)  # a worker silent this long has stopped


def worker_alive(worker_id: str, *, now: dt.datetime | None = None) -> bool:
    """Whether the worker ``worker_id`` has beaten within ``HEARTBEAT_STALE``."""
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(worker_id=worker_id, beat_at__gte=now - HEARTBEAT_STALE).exists()


def workers_alive(*, now: dt.datetime | None = None) -> int:
    """How many workers have beaten within ``HEARTBEAT_STALE``."""
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(beat_at__gte=now - HEARTBEAT_STALE).count()
