"""Makes the audit trail append-only in the database.

The audit trail is django-simple-history's historical tables (one per audited model). No code
path in this project updates or deletes them, and on PostgreSQL a trigger refuses any UPDATE or
DELETE on them, whoever tries. The triggers are (re)installed after every ``migrate``, so a new
audited model is covered as soon as its table exists.

SQLite has no such protection: it is the embedded development database, not production.

**The one exception: the retention job.** Records past their retention date are deleted (or
anonymised) with their audit rows, so the trigger lets an UPDATE or DELETE through when, and only
when, all of these hold:

- the transaction-local setting ``iro.retention_run`` (:data:`RETENTION_SETTING`, set with
  ``set_config(..., true)``, i.e. ``SET LOCAL``) names a retention run: a row of
  ``records_retentionrun`` (:data:`RETENTION_RUN_TABLE`);
- that run was started by this very transaction (its ``transaction_id`` is ``txid_current()``);
- and it has not finished (``finished_at`` is empty).

Only ``records.services`` sets the setting (through ``records.deletion.audit_release``), right after
writing the run's row, and finishes the run before its transaction commits. So an audit row can only
ever change in a transaction that also commits a retention run and its tombstones (what was deleted,
under which rule, when). The setting ends with its transaction: it cannot leak to the next request on
the same connection, and a setting left over, copied, or naming another transaction's or a finished
run lets nothing through. ``tests/records/test_deletion.py`` and ``tests/audit/test_services.py``
show each of these refused.
"""

from django.apps import apps
from django.db import connections, router, transaction
from django.utils import timezone

from audit.models import AccessLogEntry
from core.shown import children_logged

# The transaction-local setting naming the retention run whose transaction may change audit rows,
# and the table of runs (records.models.RetentionRun). See the module's docstring.
RETENTION_SETTING = "iro.retention_run"
RETENTION_RUN_TABLE = "records_retentionrun"

FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
DECLARE
    run text := current_setting('{RETENTION_SETTING}', true);
    allowed boolean := false;
BEGIN
    IF run ~ '^[0-9]{{1,18}}$' AND to_regclass('{RETENTION_RUN_TABLE}') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM {RETENTION_RUN_TABLE} WHERE id = $1 '
            || 'AND transaction_id = txid_current() AND finished_at IS NULL)'
            INTO allowed USING run::bigint;
    END IF;
    IF allowed THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def audit_tables() -> list[str]:
    """The database tables that hold audit history, the access log, and any model marked
    ``APPEND_ONLY`` (a record that is added to and never changed, like an escalation's notes)."""

    tables = [AccessLogEntry._meta.db_table]
    for model in apps.get_models():
        historical = hasattr(model, "instance_type") and model.__name__.startswith("Historical")
        if historical or getattr(model, "APPEND_ONLY", False):  # e.g. escalations.Note
            tables.append(model._meta.db_table)
    return sorted(tables)


def audit_protect_tables(*, using: str = "default") -> list[str]:
    """Install the append-only trigger on every audit table. Returns the tables protected."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    existing = set(connection.introspection.table_names())
    protected = [table for table in audit_tables() if table in existing]
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        for table in protected:
            quoted = connection.ops.quote_name(table)
            trigger = connection.ops.quote_name(f"{table}_append_only")
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {quoted}")
            cursor.execute(
                f"CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {quoted} "
                "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
            )
    return protected


# --- the access log ---------------------------------------------------------------------------


@transaction.atomic
def access_log_record(*, user, path: str, child=None, escalation=None, at=None):
    """Note that ``user`` opened a child's or an escalation's page.

    An escalation's page shows its children, so opening it is logged against each of them too:
    a child's access log then shows every page that showed the child.
    """

    at = at or timezone.now()
    path = path[:300]
    if escalation is not None:
        children = [c.pk for c in escalation.children.all()]
        entries = [
            AccessLogEntry(user=user, escalation=escalation, child_id=pk, path=path, viewed_at=at) for pk in children
        ]
        entries = entries or [AccessLogEntry(user=user, escalation=escalation, path=path, viewed_at=at)]
    else:
        entries = [AccessLogEntry(user=user, child=child, path=path, viewed_at=at)]
    children_logged(entry.child_id for entry in entries if entry.child_id)
    return AccessLogEntry.objects.bulk_create(entries)


# One statement, whatever the number of children: PostgreSQL expands the array into the rows.
CHILDREN_SHOWN_SQL = (
    "INSERT INTO {table} (user_id, child_id, path, viewed_at) "
    "SELECT %s, child, %s, %s FROM unnest(%s::bigint[]) AS child"
)


def access_log_children_shown(*, user, path: str, children: set[int], at=None) -> int:
    """Note that a page ``user`` was answered with showed ``children`` (their IDs): one entry each.
    Returns how many. Every page that shows a child writes this, so on PostgreSQL it is one
    ``INSERT`` (atomic by itself) built from the IDs, not a model instance for each and a
    transaction around them."""
    at = at or timezone.now()
    path, pks = path[:300], sorted(children)
    connection = connections[router.db_for_write(AccessLogEntry)]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(CHILDREN_SHOWN_SQL.format(table=table), [user.pk, path, at, pks])
        return len(pks)
    with transaction.atomic():
        AccessLogEntry.objects.bulk_create(
            [AccessLogEntry(user=user, child_id=pk, path=path, viewed_at=at) for pk in pks]
        )
    return len(pks)


@transaction.atomic
def access_log_record_many(*, user, path: str, children=(), escalations=(), at=None):
    """Note that ``user`` was shown these children and escalations at once (a list the API gave): one
    entry per child, and per escalation against each of its children (prefetched), as
    :func:`access_log_record` does for one page."""
    at = at or timezone.now()
    path = path[:300]
    entries = [AccessLogEntry(user=user, child=child, path=path, viewed_at=at) for child in children]
    for escalation in escalations:
        pks = [c.pk for c in escalation.children.all()] or [None]
        entries += [
            AccessLogEntry(user=user, escalation=escalation, child_id=pk, path=path, viewed_at=at) for pk in pks
        ]
    children_logged(entry.child_id for entry in entries if entry.child_id)  # so the middleware does not log them again
    return AccessLogEntry.objects.bulk_create(entries)
