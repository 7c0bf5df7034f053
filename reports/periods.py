"""Report periods. The default is a financial year: ``2015-16`` is 1 April 2015 to 31 March 2016."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from core.errors import DomainError
from core.formats import format_date

_FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2}|\d{4})$")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def financial_year(cls, text: str) -> Period:
        match = _FINANCIAL_YEAR.match(text.strip())
        if not match:
            raise DomainError(f"{text!r} is not a financial year. Write it like 2015-16.", field="period")
        first = int(match.group(1))
        second = match.group(2)
        expected = f"{(first + 1) % 100:02d}" if len(second) == 2 else str(first + 1)
        if second != expected:
            raise DomainError(
                f"{text!r} is not a financial year: the second year must follow the first, as in "
                f"{first}-{(first + 1) % 100:02d}.",
                field="period",
            )
        return cls(dt.date(first, 4, 1), dt.date(first + 1, 3, 31))

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> Period:
        if end < start:
            raise DomainError(
                f"The period ends ({format_date(end)}) before it starts ({format_date(start)}).", field="to"
            )
        return cls(start, end)

    @property
    def is_financial_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (4, 1, 3, 31) and (
            self.end.year == self.start.year + 1
        )

    @property
    def label(self) -> str:
        if self.is_financial_year:
            return f"{self.start.year}-{(self.end.year) % 100:02d}"
        return f"{format_date(self.start)} to {format_date(self.end)}"

    @property
    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def ends_at(self) -> dt.datetime:
        """The first instant after the period (exclusive)."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    def previous(self) -> Period:
        """The same dates a year earlier: the year before, for a financial year; 1 January to 31 March
        2015 for 1 January to 31 March 2016. (29 February becomes 28 February.)"""
        return Period(_year_earlier(self.start), _year_earlier(self.end))

    def is_complete_on(self, today: dt.date) -> bool:
        """Whether the period has ended by ``today`` (its last day is before today)."""
        return self.end < today

    def so_far(self, today: dt.date) -> Period:
        """The part of the period up to ``today`` (the whole period once it has ended)."""
        if self.end < today or today < self.start:
            return self
        return Period(self.start, today)

    def months(self) -> list[dt.date]:
        """The first day of every calendar month the period touches."""
        months = []
        month = self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return months

    def as_json(self) -> dict:
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
