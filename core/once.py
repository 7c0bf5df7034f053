"""One-time keys: a change asked for twice (a double click, three tabs confirming at once, a retry
after a lost answer) is made once.

Every form that creates or changes something carries a fresh key (:func:`once_key_new`, rendered
as the hidden input ``once``). :func:`once_run` makes the change and records the key with the page
of its result **in one transaction**; the unique key makes a second submission wait for the first
(PostgreSQL's unique index, SQLite's write lock) and then find it, and answer with the first's
result page instead of changing anything. A change that is refused records nothing, so the person
can put it right and send the same form again.

The API's ``Idempotency-Key`` header uses the same records.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from core.errors import DomainError
from core.models import OnceKey

FIELD = "once"  # the form field that carries the key


def once_key_new() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class OnceResult:
    path: str
    first: bool  # False: the same key was used before, and ``path`` is that change's result


def once_run(*, key: str | None, user, scope: str, run: Callable[[], str]) -> OnceResult:
    """Make the change ``run`` makes (it returns the path of its result page), at most once for
    ``key``. Without a key (a form from before keys, or a client that sends none) the change is
    simply made."""
    if not key:
        return OnceResult(run(), first=True)
    key = _usable(key)
    if key is None:
        raise DomainError("This form's one-time key was changed. Go back, reload the page and try again.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = OnceKey.objects.create(key=key, user=user, scope=scope[:100], result_path="")
        except IntegrityError:
            found = OnceKey.objects.filter(key=key).first()
            if found is None or found.user_id != user.pk or found.scope != scope[:100]:
                raise DomainError(
                    "This form was already used for something else. Go back, reload the page and try again."
                ) from None
            return OnceResult(found.result_path, first=False)
        path = run()
        record.result_path = path[:500]
        record.save(update_fields=["result_path"])
        return OnceResult(path, first=True)


def once_seen(*, key: str | None, user) -> str | None:
    """The result page of the change this key already made for ``user``, if it made one."""
    key = _usable(key) if key else None
    if key is None:
        return None
    return OnceKey.objects.filter(key=key, user=user).values_list("result_path", flat=True).first()


def _usable(key: str) -> str | None:
    """The key as stored (64 characters at most), or None for one no page or client would send: empty,
    or holding a control character (PostgreSQL cannot even look up a NUL)."""
    key = key.strip()[:64]
    return key if key and key.isprintable() else None
