"""The report's rules of judgement: whether a first response came within its hours. (Its arithmetic,
percentages and medians, is ``core.numbers``, shared with the dashboard and the drift watch.)"""

from __future__ import annotations

import datetime as dt
import math


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
        days = math.ceil(hours / 24)
        return (local_date(first_response_at) - local_date(raised_at)).days <= days
    # In UTC: Python subtracts two times in the same zone by their wall clocks, not elapsed time.
    elapsed = first_response_at.astimezone(dt.UTC) - raised_at.astimezone(dt.UTC)
    return elapsed <= dt.timedelta(hours=hours)
