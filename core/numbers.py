"""Arithmetic the reports, the dashboard and the drift watch share: one rounding rule for every
percentage, and the medians and percentiles they print."""

from __future__ import annotations

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
