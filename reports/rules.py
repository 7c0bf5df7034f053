"""The report's arithmetic rules, in one place."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal


def percent(count: int, total: int) -> float | None:
    """100 x count / total, rounded half-up to one decimal. None when there is no total."""
    if not total:
        return None
    value = (Decimal(100) * Decimal(count) / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile_nearest_rank(values: list[float], p: int) -> float | None:
    """The nearest-rank percentile: the smallest value with at least p% of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return float(ordered[rank - 1])


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
