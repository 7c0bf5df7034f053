"""Template filters for the records pages and the subject access export's PDF, and the schedule for
the privacy notice."""

import datetime as dt

from django import template
from django.conf import settings

from core.formats import format_date, format_datetime
from records.classes import FIXED, RecordClass
from records.selectors import case_record_age, retention_rules

register = template.Library()


@register.filter
def readable(value):
    """An ISO date or time from the export's JSON, in words ("3 May 2016", "3 May 2016 at 2:15pm");
    anything else as it is; nothing for an empty value."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return format_date(dt.date.fromisoformat(value))
            return format_datetime(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    return value


@register.filter
def field_words(value: str) -> str:
    """A JSON key as words: "first_response_at" becomes "First response at"."""
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


@register.filter
def cell(value):
    """A value of the audit trail: a list (the children, the themes) joined; a date or time in words."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "none"
    return readable(value)


@register.filter
def class_label(code: str) -> str:
    """A record class's name, in lower case: "escalations", "access log entries"."""
    try:
        return RecordClass(code).label.lower()
    except ValueError:
        return code


@register.simple_tag
def retention_schedule() -> dict:
    """The retention schedule as it stands (the admins' rules, else the defaults), with the fixed
    periods, the case-record link and whether exports name staff, for the privacy notice."""
    return {
        "rules": list(retention_rules().values()),
        "fixed": FIXED,
        "case_record_age": case_record_age(),
        "staff_names": settings.RECORDS_EXPORT_STAFF_NAMES,
    }
