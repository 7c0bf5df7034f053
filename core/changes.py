"""The data version: which state of the records a cached result was computed from.

A result that is a function of the records (the committee report, the dashboard's counts, a page
of a list) can be kept while the records it was read from are unchanged. Rather than every writer
remembering to say what it changed (the services, the importers' bulk ``COPY``, records
management's deletions, the admin, raw SQL in the benchmarks), the database says it: on
PostgreSQL every watched table has a statement-level trigger that notes the writing transaction
in ``core_datachange`` (one row per transaction, whatever it wrote). The version is the random
``epoch`` of the ``core_dataversion`` row and ``base`` plus the number of change rows, read in one
statement, so in one snapshot:

- a change is seen exactly when its transaction commits (the change row commits with it), and a
  rolled-back one never is;
- a later snapshot sees every change an earlier one saw and more, so the count only grows, and any
  committed write makes a new version;
- the nightly compaction (:func:`data_changes_compact`) deletes the change rows and adds their
  number to ``base`` in one transaction: the version does not move;
- emptying the tables (``flush``, ``TRUNCATE``) deletes the version row; the next ``migrate`` or
  ``flush`` makes a new one with a new epoch, so no version number means two different states.
  Only the compaction may delete change rows: emptying ``core_datachange`` by hand would count
  again from a lower number under the same epoch.

:func:`data_version` is ``None`` (nothing is kept, every result is computed afresh) on SQLite, the
embedded development database, which has only row-level triggers; when the version row is
missing; and inside a transaction that has itself written a watched table, whose version would
count a change that may yet be rolled back.

A page reads the version once, first (:func:`data_version_remembered`, which ``core.middleware.
DataVersionMiddleware`` opens around every GET in a session, before anything reads a record):
each of its kept parts is keyed by that one reading, not a query each, and whatever the page reads
afterwards is as new as it or newer. Never inside a transaction, which may write and then read its
own change; a write the request commits (autocommit) only means the parts made after it are kept
under the version before it, where no later reader looks.

Watched: every table but those in :data:`UNWATCHED`, which a page view or the worker writes all
the time (sessions, the access log, sign-in attempts, the task queue) and which no kept result
reads. A new table is watched unless it is named there (``tests/core/test_changes.py`` checks
that every name there is a table, and every other table has the trigger).
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import contextmanager
from contextvars import ContextVar

from django.apps import apps
from django.db import connections, transaction

# Tables written by reading (or by the worker's bookkeeping), each with what writes it. A result
# kept against the data version must not read any of them.
UNWATCHED = {
    "django_session": "every signed-in request, at most once a minute (core.sessions)",
    "audit_accesslogentry": "every page that shows a child",
    "axes_accessattempt": "sign-in attempts",
    "axes_accessattemptexpiration": "sign-in attempts",
    "axes_accessfailurelog": "failed sign-ins",
    "axes_accesslog": "sign-ins and sign-outs",
    "django_admin_log": "the admin's own log of its changes (the change itself is watched)",
    "django_tasks_database_dbtaskresult": "the task queue",
    "background_workerheartbeat": "the worker, every few seconds",
    "background_scheduledtick": "the worker's scheduler",
    "core_oncekey": "every form sent (its one-time key)",
    "api_keyuse": "every API request",
    "core_datachange": "the triggers themselves",
    "core_dataversion": "the nightly compaction",
    "reports_reportsnapshot": "the report page's figures, made from the records (reports.services)",
}

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION core_data_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO core_datachange (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

VERSION_SQL = """
SELECT v.epoch, v.base + (SELECT count(*) FROM core_datachange),
       EXISTS (SELECT 1 FROM core_datachange WHERE txid = txid_current_if_assigned())
FROM core_dataversion v WHERE v.id = 1
"""


def watched_tables() -> list[str]:
    """Every model's table (with its many-to-many tables) but the unwatched ones."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        tables.add(model._meta.db_table)
    return sorted(tables - set(UNWATCHED))


def _trigger_name(table: str) -> str:
    name = f"{table}_changed"
    if len(name) > 63:  # PostgreSQL's limit on a name
        name = f"{table[:46]}_{hashlib.sha256(table.encode()).hexdigest()[:8]}_changed"
    return name


def data_changes_install(*, using: str = "default") -> list[str]:
    """(PostgreSQL) Install the change trigger on every watched table that exists, and make the
    version row if there is none. Run after every ``migrate`` and ``flush``; returns the tables."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    existing = set(connection.introspection.table_names())
    if "core_datachange" not in existing:
        return []
    watched = [table for table in watched_tables() if table in existing]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgfoid = 'core_data_changed'::regproc"
        )
        installed = set(cursor.fetchall())
        for table in watched:
            if (table, _trigger_name(table)) in installed:
                continue
            quoted = connection.ops.quote_name(table)
            trigger = connection.ops.quote_name(_trigger_name(table))
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {quoted}")
            cursor.execute(
                f"CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quoted} "
                "FOR EACH STATEMENT EXECUTE FUNCTION core_data_changed()"
            )
        cursor.execute(
            "INSERT INTO core_dataversion (id, epoch, base) VALUES (1, %s, 0) ON CONFLICT (id) DO NOTHING",
            [secrets.token_hex(16)],
        )
    return watched


_remembered: ContextVar[dict | None] = ContextVar("data_version_remembered", default=None)


@contextmanager
def data_version_remembered():
    """Within it (a request), :func:`data_version` is read from the database once for each
    database, outside any transaction, and the same reading is given again."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def data_version(*, using: str = "default") -> str | None:
    """The version of the records as this statement sees them (``epoch:number``), or ``None`` when
    nothing may be kept against it (the module's docstring says when); within
    :func:`data_version_remembered`, the first reading of it."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    remembered = _remembered.get()
    if remembered is not None and connection.in_atomic_block:
        remembered = None  # a transaction may have written since: ask again
    if remembered is not None and using in remembered:
        return remembered[using]
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    version = None if row is None or row[2] else f"{row[0]}:{row[1]}"
    if remembered is not None:
        remembered[using] = version
    return version


def data_changes_compact(*, using: str = "default") -> int:
    """Fold the change rows into the version row (the version does not move). Returns how many."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "WITH gone AS (DELETE FROM core_datachange RETURNING 1) "
            "UPDATE core_dataversion SET base = base + (SELECT count(*) FROM gone) WHERE id = 1 "
            "RETURNING (SELECT count(*) FROM gone)"
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def data_version_bump(*, using: str = "default") -> None:
    """Make a new data version without changing a record, so every kept result is computed afresh
    (the page benchmark's "after a write" times; an operator after changing something the results
    are made with outside the database)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_datachange (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING")
