"""How dates and times are written in messages: GOV.UK style, in UK local time."""

import datetime as dt

from django.utils import timezone


def format_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def format_datetime(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    return f"{format_date(local.date())} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
