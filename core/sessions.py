"""Sessions written at most once a minute, with the inactivity timeout unchanged.

A session ends ``SESSION_COOKIE_AGE`` after it was last written (the database row's expiry and the
cookie's max-age are set when it is saved). Writing it on every request (``SESSION_SAVE_EVERY_REQUEST``)
costs a database write per page. Instead, :class:`SessionActivityMiddleware` keeps the time of the
last write in the session and writes again only when that moved by ``SESSION_WRITE_INTERVAL_SECONDS``
(60) or more; with a timeout under 30 minutes the interval shrinks to a thirtieth of it (the browser
tests use a few seconds). The session-timeout warning is told the time really left
(:func:`session_seconds_left`), so it still warns before the end and never after it.
"""

from __future__ import annotations

import time

from django.conf import settings

LAST_WRITTEN = "_session_written_at"


def session_write_interval() -> int:
    """Seconds between two writes of a session that is in use."""
    return min(settings.SESSION_WRITE_INTERVAL_SECONDS, settings.SESSION_COOKIE_AGE // 30)


def session_touch(session, *, now: float | None = None, force: bool = False) -> bool:
    """Mark ``session`` to be written (which starts the inactivity count again) if it was last
    written ``session_write_interval()`` seconds ago or more, never by this rule, or ``force``
    ("Stay signed in"). Whether it was."""
    now = time.time() if now is None else now
    written = session.get(LAST_WRITTEN)
    if not force and written is not None and now - written < session_write_interval():
        return False
    session[LAST_WRITTEN] = int(now)
    return True


def session_seconds_left(session, *, now: float | None = None) -> int:
    """How long ``session`` has before it ends for inactivity: the timeout, less the time since it
    was last written."""
    now = time.time() if now is None else now
    written = session.get(LAST_WRITTEN)
    age = settings.SESSION_COOKIE_AGE
    if written is None:
        return age
    return max(0, age - int(now - written))


class SessionActivityMiddleware:
    """After SessionMiddleware: a request in an existing session starts its inactivity count again,
    writing the session at most once a minute (see the module's docstring). Requests without a
    session (signed out, no cookie) create none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if session.session_key is not None and not session.is_empty():
            session_touch(session)
        return self.get_response(request)
