"""Reading the audit trail: who changed what, when, and each field before and after."""

from dataclasses import dataclass
from datetime import datetime

from django.urls import Resolver404, get_script_prefix, resolve

from audit.models import AccessLogEntry
from core.paging import KeysetPage, keyset_page


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


def access_log_page(*, child, size: int, older_than: int | None = None, newer_than: int | None = None) -> KeysetPage:
    """A page of the ids of :func:`access_log_for_child`'s entries, newest first, by keyset
    (``core.paging.keyset_page``: its index on (child, viewed_at) serves it, however long the log)."""
    entries = AccessLogEntry.objects.filter(child=child).values_list("pk", flat=True)
    return keyset_page(entries, by="viewed_at", size=size, older_than=older_than, newer_than=newer_than)


# What a row of the log's page shows: who opened what, when.
ENTRY_SHOWN = (
    "path",
    "viewed_at",
    "child_id",
    "escalation_id",
    "user__first_name",
    "user__last_name",
    "user__username",
    "user__role",
)


# What a log entry says was opened, by the page's URL name, when the page is the child's own (the
# page of a brother or sister shows them too, and is "a page that showed them"); any other page
# showed the child in a list, a download or an answer of the API, and its path is shown beneath.
OPENED = {
    "children:detail": "The child’s page",
    "audit:child_access_log": "This access log",
}
OTHER_PAGE = "A page that showed them"


def access_log_opened(entry: AccessLogEntry) -> str:
    """What ``entry`` says was opened ("Escalation" and its reference are the row's link). The
    stored path is the request's, with the prefix the service is served under, if any."""
    path = entry.path
    prefix = get_script_prefix()
    if prefix != "/" and path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    try:
        match = resolve(path)
    except Resolver404:  # a page since removed
        return OTHER_PAGE
    if match.view_name in OPENED and match.kwargs.get("pk") == entry.child_id:
        return OPENED[match.view_name]
    return OTHER_PAGE


def access_log_entries(*, ids) -> dict[int, AccessLogEntry]:
    """The entries ``ids``, with who opened them and, as ``escalation_reference``, the reference of
    the escalation opened (or None), by id: only the fields a row of the log shows. The references
    come in a query of their own, and only for entries that opened an escalation: joined, the
    escalation's table (with its many indexes) took longer to plan than the page's other queries
    to run."""
    entries = AccessLogEntry.objects.select_related("user").only(*ENTRY_SHOWN).in_bulk(list(ids))
    opened = {entry.escalation_id for entry in entries.values() if entry.escalation_id is not None}
    escalations = AccessLogEntry._meta.get_field("escalation").related_model  # this app imports no other
    references = dict(escalations.objects.filter(pk__in=opened).values_list("pk", "reference")) if opened else {}
    for entry in entries.values():
        entry.escalation_reference = references.get(entry.escalation_id)
    return entries
