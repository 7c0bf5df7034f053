"""Reads for the sign-in pages: failed sign-ins, kept by django-axes' access-failure log."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessFailureLog
from django.conf import settings
from django.utils import timezone


def sign_in_failures_recent():
    """Failed sign-ins, newest first: the username tried, the IP address and when."""
    return AccessFailureLog.objects.only("username", "ip_address", "attempt_time", "locked_out").order_by(
        "-attempt_time", "-pk"
    )


def sign_in_failures_from_ip(ip_address: str | None, *, now: dt.datetime | None = None) -> int:
    """Failed sign-ins from ``ip_address``, under any username, within the cool-off time."""
    if not ip_address:
        return 0
    since = (now or timezone.now()) - dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    return AccessFailureLog.objects.filter(ip_address=ip_address, attempt_time__gte=since).count()
