"""Results that are a pure function of what they show, kept per process under a sha256 of it.

The charts (``reports.charts``) and the filter forms' markup (``core.templatetags.kept_forms``)
are each made from exactly the values in their key, so an entry is never stale and nothing needs
invalidating: different values are a different key. The caches are per-process memory (settings
``CACHES``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches

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
