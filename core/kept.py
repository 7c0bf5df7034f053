"""Results kept per process under a sha256 of what they are made from.

- :func:`kept`: a pure function of what it shows. The charts (``reports.charts``) and the filter
  forms' markup (``core.templatetags.kept_forms``) are each made from exactly the values in their
  key, so an entry is never stale and nothing needs invalidating: different values are a different
  key.
- :func:`kept_unchanged`: a function of the records as well (the committee report, the
  dashboard's counts, a page of a list), kept under the data version (``core.changes``) and the
  minute: any committed write to the records, and the next minute, is a different key, so an entry
  is never older than the records it shows nor more than a minute behind the clock.
  :func:`kept_unchanged_each` keeps the rows of a list so, one by one.

The caches are per-process memory (settings ``CACHES``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.utils import timezone

from core.changes import data_version

T = TypeVar("T")


def kept_key(kind: str, described) -> str:
    """``kind:`` and a sha256 of ``described`` (JSON: dicts, lists, strings, numbers)."""
    text = json.dumps(described, sort_keys=True, separators=(",", ":"))
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def kept(cache: str, key: str, make: Callable[[], T]) -> T:
    """What is kept under ``key`` in ``cache``, or ``make()``, kept there for next time."""
    store = caches[cache]
    found = store.get(key)
    if found is None:
        found = make()
        store.set(key, found)
    return found


RESULTS = "results"  # the cache for kept_unchanged (settings CACHES)
ROWS = "rows"  # the cache for kept_unchanged_each: many small entries, kept apart from the results


def kept_unchanged(kind: str, described, make: Callable[[], T], *, now=None) -> T:
    """``make()``'s result for ``described``, kept while the records are unchanged and the minute
    of ``now`` is the same; computed afresh each time when there is no data version (SQLite, or
    inside a transaction that has written: ``core.changes.data_version``)."""
    version = data_version()
    if version is None:
        return make()
    return kept(RESULTS, _unchanged_key(kind, version, described, now), make)


def _unchanged_key(kind: str, version: str, described, now) -> str:
    minute = (now or timezone.now()).replace(second=0, microsecond=0).isoformat()
    return kept_key(kind, {"version": version, "minute": minute, "of": described})


def kept_unchanged_each(kind: str, ids: list[int], make: Callable[[list[int]], dict[int, T]], *, now=None) -> list[T]:
    """A result for each of ``ids``, in their order, each kept as :func:`kept_unchanged` keeps one:
    ``make(missing)`` is called once, with the ids that are not kept (in order), and returns a
    result for each. For a list whose rows never change once written but which grows at the top
    (the access log): a page of it makes only its new rows."""
    version = data_version()
    if version is None:
        made = make(list(ids)) if ids else {}
        return [made[i] for i in ids]
    prefix = _unchanged_key(kind, version, "each", now)  # one hash for the page, not one per row
    keys = {i: f"{prefix}:{i}" for i in ids}
    store = caches[ROWS]
    found = store.get_many(keys.values())
    missing = [i for i in ids if keys[i] not in found]
    if missing:
        made = make(missing)
        store.set_many({keys[i]: made[i] for i in missing})
        found.update((keys[i], made[i]) for i in missing)
    return [found[keys[i]] for i in ids]
