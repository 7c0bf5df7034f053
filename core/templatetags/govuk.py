"""Template filters that write dates and times the GOV.UK way (core.formats), in UK local time."""

import datetime as dt

from django import template
from django.utils import timezone

from core.formats import format_date, format_datetime

register = template.Library()


@register.filter
def govuk_date(value):
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return format_date(value)


@register.filter
def govuk_datetime(value):
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return format_date(value)
    return format_datetime(value)


@register.filter
def due_day(value):
    """A due time is the midnight that ends the due day; people read it as that day: '23 November 2026'."""
    if value is None or value == "":
        return ""

    return format_date(timezone.localtime(value - dt.timedelta(microseconds=1)).date())
