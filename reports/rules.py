"""The report's rules of judgement: whether a first response came within its hours. (Its arithmetic,
percentages and medians, is ``core.numbers``, shared with the dashboard and the drift watch.)"""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import F, Q


def first_response_within(
    *,
    raised_at: dt.datetime,
    first_response_at: dt.datetime | None,
    dates_alone: bool,
    hours: int,
    local_date,
) -> bool:
    """Whether the first response came within ``hours`` of the raise.

    Elapsed real time, unless either side is a date without a time: then (for the 24-hour rule)
    the same calendar day or the next one counts (``escalation-log-format.md``).
    """
    if first_response_at is None:
        return False
    if dates_alone:
        return first_response_within_days(
            raised_on=local_date(raised_at), first_response_on=local_date(first_response_at), hours=hours
        )
    # In UTC: Python subtracts two times in the same zone by their wall clocks, not elapsed time.
    elapsed = first_response_at.astimezone(dt.UTC) - raised_at.astimezone(dt.UTC)
    return elapsed <= dt.timedelta(hours=hours)


def first_response_within_days(*, raised_on: dt.date, first_response_on: dt.date, hours: int) -> bool:
    """The dates-alone half of :func:`first_response_within`, on the two local dates: the same
    calendar day or the next one, for the 24-hour rule."""
    return (first_response_on - raised_on).days <= math.ceil(hours / 24)


def first_response_within_hours_q(hours: int) -> Q:
    """The timed half of :func:`first_response_within` as a filter, for counting in SQL: a first
    response no more than ``hours`` of elapsed time after the raise, neither side a date alone."""
    return Q(first_response_at__isnull=False, raised_date_only=False, first_response_date_only=False) & Q(
        first_response_at__lte=F("raised_at") + dt.timedelta(hours=hours)
    )
