"""Reading the audit trail: who changed what, when, and each field before and after."""

from dataclasses import dataclass
from datetime import datetime

from audit.models import AccessLogEntry


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: object
    after: object


@dataclass(frozen=True)
class AuditEntry:
    when: datetime
    who: str
    action: str  # "created", "changed" or "deleted"
    changes: list[FieldChange]


_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


def audit_entries_for(instance) -> list[AuditEntry]:
    """The audit trail of one record, oldest first, with the fields each entry changed. A model's
    ``audit_unshown`` fields (copies of other records' values, kept for sorting) are left out."""
    records = list(instance.history.select_related("history_user").order_by("history_date", "history_id"))
    unshown = getattr(type(instance), "audit_unshown", frozenset())
    entries = []
    previous = None
    for record in records:
        if previous is None:
            changes = [
                FieldChange(field.name, None, getattr(record, field.attname))
                for field in record.instance_type._meta.concrete_fields
                if field.name in {f.name for f in record._meta.fields} and field.name not in unshown
            ]
        else:
            delta = record.diff_against(previous, excluded_fields=list(unshown))
            changes = [FieldChange(c.field, c.old, c.new) for c in delta.changes]
        entries.append(
            AuditEntry(
                when=record.history_date,
                who=str(record.history_user) if record.history_user else "system",
                action=_ACTIONS[record.history_type],
                changes=changes,
            )
        )
        previous = record
    return entries


def access_log_for_child(*, child):
    """Every opening of the child's page, or of an escalation page that showed the child; newest first."""

    return AccessLogEntry.objects.filter(child=child).select_related("user", "escalation").order_by("-viewed_at", "-pk")


def access_log_ids_for_child(*, child):
    """The ids of :func:`access_log_for_child`'s entries, in its order (its index serves them alone)."""
    return access_log_for_child(child=child).values_list("pk", flat=True)


# What a row of the log's page shows: who opened what, when.
ENTRY_SHOWN = (
    "path",
    "viewed_at",
    "escalation__reference",
    "user__first_name",
    "user__last_name",
    "user__username",
    "user__role",
)


def access_log_entries(*, ids) -> dict[int, AccessLogEntry]:
    """The entries ``ids``, with who opened them and the escalation's reference, by id (only the
    fields a row of the log shows: the escalation's row is wide)."""
    return AccessLogEntry.objects.select_related("user", "escalation").only(*ENTRY_SHOWN).in_bulk(list(ids))
