"""Writes for children: the one place a child record is created or changed.

The 903 import, the escalation-log import (``--create-missing``), the case-management extract and
the demo all bring children in through :func:`child_bulk_upsert`, so every write is audited the
same way (django-simple-history, one audit row per child created or changed, with the reason).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from children.models import Child, SiblingGroup
from children.selectors import children_by_case_id, sibling_groups_by_name
from people.models import User

BATCH_SIZE = 500


@dataclass
class ChildUpsert:
    """What :func:`child_bulk_upsert` did: every child named, by case ID, and the counts."""

    children: dict[str, Child] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@transaction.atomic
def child_bulk_upsert(
    *,
    values: Mapping[str, Mapping[str, object]],
    new_defaults: Mapping[str, object] | None = None,
    update: bool = True,
    reason: str,
    by: User | None = None,
    when: dt.datetime | None = None,
    known: Mapping[str, Child] | None = None,
) -> ChildUpsert:
    """Create or change the children named by ``values`` (case ID -> field values).

    - A case ID not stored yet becomes a child with its values and ``new_defaults`` (for example
      ``details_to_complete=True`` for a child known only from an import).
    - A stored child gets the values that differ (``update=False`` leaves stored children as they
      are); one that already has them is left alone, so a second identical call changes nothing.
    - ``known``: children already read by the caller (case ID -> child), to save the lookup.

    Every child created or changed gets one audit row, with ``reason``, ``by`` and ``when``.
    """
    when = when or timezone.now()
    stored = dict(known) if known is not None else children_by_case_id(values)
    missing = [case_id for case_id in values if case_id not in stored]
    if known is not None and missing:
        stored.update(children_by_case_id(missing))
    result = ChildUpsert()
    new, changed, changed_fields = [], [], set()
    for case_id, fields in values.items():
        child = stored.get(case_id)
        if child is None:
            child = Child(case_id=case_id, **(new_defaults or {}), **fields)
            new.append(child)
        elif update and (differs := _apply(child, fields)):
            changed.append(child)
            changed_fields.update(differs)
        else:
            result.unchanged += 1
        result.children[case_id] = child
    audit = {"default_change_reason": reason[:100], "default_date": when, "default_user": by}
    if new:
        bulk_create_with_history(new, Child, batch_size=BATCH_SIZE, **audit)
    if changed:
        bulk_update_with_history(changed, Child, sorted(changed_fields), batch_size=BATCH_SIZE, **audit)
    result.created, result.updated = len(new), len(changed)
    return result


def _apply(child: Child, fields: Mapping[str, object]) -> list[str]:
    """Set the fields whose values differ; the names of those changed."""
    changed = []
    for name, value in fields.items():
        if getattr(child, name) != value:
            setattr(child, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def sibling_groups_ensure(*, names, reason: str, by: User | None = None) -> dict[str, SiblingGroup]:
    """The sibling groups with these names (internal labels, never a family name), by name; those
    not stored yet are created, audited with ``reason``."""
    names = sorted({name for name in names if name})
    groups = sibling_groups_by_name(names)
    new = [SiblingGroup(name=name) for name in names if name not in groups]
    if new:
        bulk_create_with_history(new, SiblingGroup, default_change_reason=reason[:100], default_user=by)
        groups = sibling_groups_by_name(names)
    return groups
