"""The working-day clock.

Working days are Monday to Friday, less England's bank holidays (from the maintained ``holidays``
package, no network at run time) and the council's own closure days.

Deadline rule (``domain.md``): day 0 is the day a step is sent. The step is due at the end of the
Nth working day after it. A step sent on a weekend or holiday counts from the next working day,
which becomes its day 0. "End of the day" is local midnight (Europe/London), so ``due_at`` is the
first instant of the following calendar day and a response is on time when it comes before it.

The drift watch (``drift-watch.md``) counts differently: "the Nth working day after date X" counts
the working days after X from 1, and X itself never counts, whether or not it is a working day (for
a Saturday X, the Monday is the 1st). That is :meth:`WorkingCalendar.nth_working_day_after`; the
steps' :meth:`WorkingCalendar.add_working_days` makes a weekend start's next working day day 0.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: dt.date) -> bool:
    return day in _bank_holidays(day.year)


class WorkingCalendar:
    """England's working days, less a fixed set of local closure days.

    Build one per request or per import with :func:`workdays.selectors.working_calendar`,
    so the closure days are read once.
    """

    def __init__(self, closure_days: Iterable[dt.date] = ()):
        self.closure_days = frozenset(closure_days)
        self._nth: dict[tuple[dt.date, int], dt.date] = {}  # nth_working_day_after, remembered
        self._holidays: dict[tuple[int, int], list[dt.date]] = {}  # _weekday_holidays, remembered

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not is_bank_holiday(day) and day not in self.closure_days

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before ``day``."""
        day -= dt.timedelta(days=1)
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def day_zero(self, sent_on: dt.date) -> dt.date:
        """The send day, or the next working day when it was sent on a non-working day."""
        return sent_on if self.is_working_day(sent_on) else self.next_working_day(sent_on)

    def add_working_days(self, sent_on: dt.date, n: int) -> dt.date:
        """The Nth working day after the send day (day 0)."""
        if n < 0:
            raise ValueError("A target in working days cannot be negative.")
        day = self.day_zero(sent_on)
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def nth_working_day_after(self, day: dt.date, n: int) -> dt.date:
        """The drift watch's "Nth working day after ``day``": the working days strictly after ``day``,
        counted from 1; ``day`` never counts. For a Saturday, the Monday is the 1st (unlike
        :meth:`add_working_days`, where it is day 0). ``n = 0`` gives ``day`` itself. Remembered:
        the drift watch asks for the same few days' counts for many children."""
        found = self._nth.get((day, n))
        if found is not None:
            return found
        if n < 0:
            raise ValueError("A number of working days cannot be negative.")
        result = day
        for _ in range(n):
            result = self.next_working_day(result)
        self._nth[(day, n)] = result
        return result

    def due_on(self, sent_at: dt.datetime, target_working_days: int) -> dt.date:
        return self.add_working_days(local_date(sent_at), target_working_days)

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working days elapsed from ``start`` to ``end``, counted the same way as deadlines.

        0 means on day 0 (the send day, or the next working day for a weekend send); 2 means
        by the end of the 2nd working day after it. A reply within N working days has a value <= N.
        The same count as :meth:`working_days_from` on their local dates.
        """
        return self.working_days_from(local_date(start), local_date(end))

    def working_days_from(self, start: dt.date, end: dt.date) -> int:
        """:meth:`working_days_between` on local dates: from ``start`` (its day 0) to ``end``.
        Counted arithmetically (weeks, then the odd days, less the holidays between, found by
        bisection in the sorted weekday holidays), not day by day: reports call this thousands of
        times."""
        first = self.day_zero(start)
        last = end
        if last <= first:
            return 0
        weeks, odd_days = divmod((last - first).days, 7)
        weekday = first.weekday()
        weekdays = weeks * 5 + sum(1 for i in range(1, odd_days + 1) if (weekday + i) % 7 < 5)
        closed = self._weekday_holidays(first.year, last.year)
        return weekdays - (bisect_right(closed, last) - bisect_right(closed, first))

    def _weekday_holidays(self, first_year: int, last_year: int) -> list[dt.date]:
        """The bank holidays and closure days from ``first_year`` to ``last_year`` that fall on a
        weekday, sorted (each day once). Remembered per span of years."""
        found = self._holidays.get((first_year, last_year))
        if found is None:
            closed = {day for day in self.closure_days if first_year <= day.year <= last_year}
            for year in range(first_year, last_year + 1):
                closed |= _bank_holidays(year)
            found = self._holidays[(first_year, last_year)] = sorted(day for day in closed if day.weekday() < 5)
        return found


def local_date(moment: dt.datetime) -> dt.date:
    """The date in England (the project's fixed time zone), whatever zone is active."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def local_moment(day: dt.date, at: dt.time) -> dt.datetime:
    """``at`` o'clock on ``day``, England's time, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, at), timezone.get_default_timezone())


def end_of_day(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` ends, in local time (midnight at the end of the day)."""
    next_day = day + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(next_day, dt.time.min))
