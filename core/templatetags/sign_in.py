"""Template tags for signing in: the session-timeout warning's timings (static/js/session-timeout.js,
see base.html) and the lockout page's wait."""

import datetime as dt

from django import template
from django.conf import settings

from core.sessions import session_seconds_left

register = template.Library()


@register.simple_tag(takes_context=True)
def session_timeout_seconds(context) -> int:
    """How long the session has left (core.sessions: it is written at most once a minute)."""
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return settings.SESSION_COOKIE_AGE
    return session_seconds_left(request.session)


@register.simple_tag
def session_warning_seconds() -> int:
    return settings.SESSION_TIMEOUT_WARNING_SECONDS


@register.simple_tag
def session_timeout_words() -> str:
    """The inactivity timeout in words: "30 minutes" (or "6 seconds", in the browser tests)."""
    seconds = settings.SESSION_COOKIE_AGE
    if seconds < 60:
        return f"{seconds} second" + ("s" if seconds != 1 else "")
    return duration_in_words(dt.timedelta(seconds=seconds))


@register.filter
def duration_in_words(value: dt.timedelta) -> str:
    """A wait in words, to the minute: "1 hour", "1 hour 30 minutes", "20 minutes"."""
    minutes = max(1, round(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("s" if hours != 1 else ""))
    if minutes:
        parts.append(f"{minutes} minute" + ("s" if minutes != 1 else ""))
    return " ".join(parts)
