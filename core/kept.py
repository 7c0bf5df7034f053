"""Results kept per process under a sha256 of what they are made from.

- :func:`kept`: a pure function of what it shows. The charts (``reports.charts``) and the filter
  forms' markup (``core.templatetags.kept_forms``) are each made from exactly the values in their
  key, so an entry is never stale and nothing needs invalidating: different values are a different
  key.
- :func:`kept_unchanged`: a function of the records as well (the committee report, the
  dashboard's counts, a page of a list), kept under the data version (``core.changes``) and the
  minute: any committed write to the records, and the next minute, is a different key, so an entry
  is never older than the records it shows nor more than a minute behind the clock.

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


def kept_unchanged(kind: str, described, make: Callable[[], T], *, now=None) -> T:
    """``make()``'s result for ``described``, kept while the records are unchanged and the minute
    of ``now`` is the same; computed afresh each time when there is no data version (SQLite, or
    inside a transaction that has written: ``core.changes.data_version``)."""
    version = data_version()
    if version is None:
        return make()
    minute = (now or timezone.now()).replace(second=0, microsecond=0).isoformat()
    return kept(RESULTS, kept_key(kind, {"version": version, "minute": minute, "of": described}), make)
