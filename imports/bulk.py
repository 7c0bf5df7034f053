"""Plain-row bulk writes for the import: COPY on PostgreSQL, one ``executemany`` on SQLite.

Django's ``bulk_create`` builds a model instance per row and prepares every value through the
field API: for an escalation log that is 10 or more objects per row (the escalation, its step,
their audit rows, the links and their audit rows), and most of an import's time. Here a row is a
plain tuple in the order of a :class:`Shape`, written as it is.

- The ids are taken before the rows are written (:meth:`BulkWriter.take`), so rows that point at
  each other (an escalation and its current step, a link and its audit row) are written in one go.
- Foreign keys are deferred, as Django makes them: checked at the commit, or before it by
  :meth:`BulkWriter.check_constraints_later` (PostgreSQL, while the caller goes on).
- Nothing is written outside the caller's transaction: use a writer inside ``transaction.atomic``.
- Each COPY is recorded in ``connection.queries`` like any query, so query counts stay honest.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Sequence

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models


class Shape:
    """The columns one table's rows are written with: ``given`` (model attnames, in the order of
    each row's tuple) and then every other column of the model at a fixed value: its default, or
    ``fixed[attname]``. An auto primary key that is not given is left to the database."""

    def __init__(self, model: type[models.Model], given: Sequence[str], *, fixed: dict | None = None):
        fixed = dict(fixed or {})
        fields = {field.attname: field for field in model._meta.concrete_fields}
        unknown = [name for name in [*given, *fixed] if name not in fields]
        if unknown:
            raise ImproperlyConfigured(f"{model.__name__} has no column {', '.join(unknown)}.")
        tail_names, tail = [], []
        for name, field in fields.items():
            if name in given:
                continue
            if name in fixed:
                value = fixed[name]
            elif field.primary_key and isinstance(field, models.AutoField):
                continue
            else:
                value = field.get_default()
                if value is None and not field.null:
                    raise ImproperlyConfigured(
                        f"{model.__name__}.{name} has no default: give it in each row or as a fixed value."
                    )
            tail_names.append(name)
            tail.append(value)
        self.model = model
        self.table = model._meta.db_table
        self.names = [*given, *tail_names]
        self.fields = [fields[name] for name in self.names]
        self.width = len(given)
        self.tail = tuple(tail)

    def __repr__(self):
        return f"<Shape {self.table}: {', '.join(self.names)}>"


def shape_history(shape: Shape, *, with_history_id: bool = False, fixed: dict | None = None) -> Shape:
    """The shape of the audit (django-simple-history) rows of ``shape``'s model: the same columns,
    then ``history_id`` (if given), ``history_date``, ``history_change_reason``, ``history_type``
    and ``history_user_id``. Build each row as ``row + (history_id?, date, reason, type, user_id)``."""
    history = shape.model.history.model
    given = shape.names[: shape.width]
    extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    if with_history_id:
        extra.insert(0, "history_id")
    fixed_values = {name: value for name, value in zip(shape.names[shape.width :], shape.tail)}
    fixed_values.update(fixed or {})
    return Shape(history, [*given, *extra], fixed=fixed_values)


CHECK_LATER = ("SET CONSTRAINTS ALL IMMEDIATE", "SET CONSTRAINTS ALL DEFERRED")
SQLITE_CACHE_KIB = 256 * 1024


class BulkWriter:
    """Writes plain rows for one transaction: takes their ids first (:meth:`take`), then writes
    them (:meth:`insert`).

    Ids: on PostgreSQL, ``nextval`` of the table's sequence, so concurrent writers never collide.
    On SQLite (the development database) the project opens every transaction with ``BEGIN
    IMMEDIATE``, so this transaction holds the database's write lock: the ids follow the highest
    id used so far (AUTOINCREMENT never reuses one), and later takes for the same table follow on.
    """

    def __init__(self):
        if connection.vendor not in ("postgresql", "sqlite"):
            raise ImproperlyConfigured(f"The import writes to PostgreSQL or SQLite, not {connection.vendor}.")
        if not connection.in_atomic_block:
            raise ImproperlyConfigured("A BulkWriter writes inside transaction.atomic only.")
        self.postgres = connection.vendor == "postgresql"
        self._next: dict[str, int] = {}
        self._sequences: dict[str, str] = {}
        self._types: dict[str, dict[str, str]] = {}
        self._texts: dict = {}  # SQLite: a date or time -> the text Django stores for it
        self._pipeline = None
        self._cache_size = None
        if not self.postgres:
            # SQLite keeps 2 MB of the file in memory by default: far less than the indexes an
            # import adds to. A bigger cache for the import, given back by close().
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                self._cache_size = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")

    def close(self) -> None:
        """Wait for anything still asked of the database (:meth:`settle`), and give back what the
        writer took (SQLite's bigger cache)."""
        try:
            self.settle()
        finally:
            if self._cache_size is not None:
                with connection.cursor() as cursor:
                    cursor.execute(f"PRAGMA cache_size = {int(self._cache_size)}")
                self._cache_size = None

    def take(self, model: type[models.Model], count: int) -> list[int] | range:
        """``count`` new primary keys for ``model``'s table, in increasing order."""
        if count <= 0:
            return []
        table, pk = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            if self.postgres:
                return self._nextvals(cursor, table, pk, count)
            start = self._next.get(table)
            if start is None:
                quoted = connection.ops.quote_name
                cursor.execute(f"SELECT max({quoted(pk)}) FROM {quoted(table)}")
                highest = cursor.fetchone()[0] or 0
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                found = cursor.fetchone()
                start = max(highest, found[0] if found else 0) + 1
        self._next[table] = start + count
        return range(start, start + count)

    def _nextvals(self, cursor, table: str, pk: str, count: int) -> list[int] | range:
        """``count`` values of the table's sequence in one query. They are usually one run of
        numbers, sent as its ends; if another writer took values meanwhile, all of them are sent."""
        sequence = self._sequences.get(table)
        if sequence is None:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            sequence = self._sequences[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT min(v), max(v), CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL ELSE array_agg(v ORDER BY v) "
            "END FROM (SELECT nextval(%s::regclass) AS v FROM generate_series(1, %s)) taken",
            [sequence, count],
        )
        low, high, values = cursor.fetchone()
        return range(low, high + 1) if values is None else values

    def check_constraints_later(self) -> None:
        """Have the database check the deferred foreign keys of what was written so far, without
        waiting for it (PostgreSQL: a pipeline, ended by :meth:`settle`). SQLite checks them at
        the commit, quickly. They stay deferred for what is written next."""
        if not self.postgres:
            return
        self.settle()
        raw = connection.connection
        pipeline = self._pipeline = raw.pipeline()
        pipeline.__enter__()
        try:
            # A broken key may already be reported here, when the server is quick: raised as
            # Django's IntegrityError, as in settle().
            with connection.wrap_database_errors, raw.cursor() as cursor:
                for sql in CHECK_LATER:
                    cursor.execute(sql)
        except Exception:
            self._pipeline = None
            with contextlib.suppress(Exception):
                pipeline.__exit__(None, None, None)
            raise

    def settle(self) -> None:
        """Wait for what :meth:`check_constraints_later` asked (a foreign key it finds broken is
        raised here, as Django's IntegrityError). Call before any other query."""
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            start = time.perf_counter()
            with connection.wrap_database_errors:
                pipeline.__exit__(None, None, None)
            for sql in CHECK_LATER:  # logged with the time still waited for them
                _log(sql, start)
                start = time.perf_counter()

    def insert(self, shape: Shape, rows: Iterable[tuple]) -> int:
        """Write ``rows`` (tuples of ``shape``'s given columns) into its table; the number written.

        ``rows`` may be a generator: on PostgreSQL the rows stream to the server while it is read.
        """
        if self.postgres:
            return self._copy(shape, rows)
        return self._executemany(shape, rows)

    def _copy(self, shape: Shape, rows: Iterable[tuple]) -> int:
        """COPY in PostgreSQL's binary format, each column sent as its own type."""
        quoted = connection.ops.quote_name
        sql = (
            f"COPY {quoted(shape.table)} ({', '.join(quoted(f.column) for f in shape.fields)}) "
            "FROM STDIN (FORMAT BINARY)"
        )
        tail = shape.tail
        count = 0
        start = time.perf_counter()
        with connection.cursor() as cursor, connection.wrap_database_errors:
            types = self._column_types(cursor, shape.table)
            with cursor.cursor.copy(sql) as copy:
                copy.set_types([types[f.column] for f in shape.fields])
                write = copy.write_row
                if tail:
                    for row in rows:
                        write(row + tail)
                        count += 1
                else:
                    for row in rows:
                        write(row)
                        count += 1
        _log(f"{sql} -- {count} rows", start)
        return count

    def _column_types(self, cursor, table: str) -> dict[str, str]:
        """The table's column types, as PostgreSQL names them (int8, timestamptz, ...)."""
        types = self._types.get(table)
        if types is None:
            cursor.execute(
                "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
                [connection.ops.quote_name(table)],
            )
            types = self._types[table] = dict(cursor.fetchall())
        return types

    def _executemany(self, shape: Shape, rows: Iterable[tuple]) -> int:
        quoted = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quoted(shape.table)} ({', '.join(quoted(f.column) for f in shape.fields)}) "
            f"VALUES ({', '.join(['%s'] * len(shape.fields))})"
        )
        adapters = [self._adapter(field) for field in shape.fields]
        tail = tuple(
            adapt(value) if adapt and value is not None else value
            for adapt, value in zip(adapters[shape.width :], shape.tail)
        )
        given = [(index, adapt) for index, adapt in enumerate(adapters[: shape.width]) if adapt]
        if given:

            def adapted(row):
                values = list(row)
                for index, adapt in given:
                    value = values[index]
                    if value is not None:
                        values[index] = adapt(value)
                return (*values, *tail)

            params = [adapted(row) for row in rows]
        else:
            params = [row + tail for row in rows]
        if params:
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)
        return len(params)

    def _adapter(self, field):
        """SQLite stores dates and times as text: how Django's own adapters write them (None: as is)."""
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            return self._datetime_text
        if kind == "DateField":
            return connection.ops.adapt_datefield_value
        if kind in ("TimeField", "DecimalField", "DurationField", "JSONField", "UUIDField"):
            return lambda value: field.get_db_prep_save(value, connection)
        return None

    def _datetime_text(self, value):
        """``connection.ops.adapt_datetimefield_value``, remembered: an import writes the same
        times many times over (each row and its audit row, the import's own time)."""
        try:
            return self._texts[value]
        except KeyError:
            text = self._texts[value] = connection.ops.adapt_datetimefield_value(value)
            return text


def _log(sql: str, start: float) -> None:
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.perf_counter() - start:.3f}"})
