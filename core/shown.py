"""Which children a request has shown, for the access log (``audit.middleware.AccessLogMiddleware``).

Every ``Child`` read from the database during a signed-in GET is noted here (``Child.from_db``), so
a page, a list, a download, an admin page or an API answer that shows a child is logged without
each view having to remember to: the one place is the model's loading, the one writer the
middleware. Outside a request (the worker, commands) nothing is noted.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Shown:
    loaded: set[int] = field(default_factory=set)  # children read from the database
    logged: set[int] = field(default_factory=set)  # already in the access log for this request

    def unlogged(self) -> set[int]:
        return self.loaded - self.logged


_shown: ContextVar[Shown | None] = ContextVar("children_shown", default=None)


def children_watch(shown: Shown):
    """Note the children loaded from now on in ``shown``; returns the token to stop with."""
    return _shown.set(shown)


def children_unwatch(token) -> None:
    _shown.reset(token)


def child_shown(pk: int) -> None:
    shown = _shown.get()
    if shown is not None:
        shown.loaded.add(pk)


def children_logged(pks) -> None:
    shown = _shown.get()
    if shown is not None:
        shown.logged.update(pks)


def children_shown_so_far() -> set[int]:
    """The children this request has read so far (empty outside a request)."""
    shown = _shown.get()
    return set(shown.loaded) if shown is not None else set()


def children_shown(pks) -> None:
    """Note ``pks`` as shown, as if read from the database: a kept page part (``core.templatetags.
    kept_pages``) shows the children it showed when it was made, so they are logged again."""
    shown = _shown.get()
    if shown is not None:
        shown.loaded.update(pks)
