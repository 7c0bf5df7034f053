"""Writes for the import of an escalation log (``../shared/docs/escalation-log-format.md``).

:func:`escalation_log_import` checks every row and stores them in one transaction, a chunk at a
time, as plain rows (``imports.bulk``: COPY on PostgreSQL): no query per row. If any row is bad, or
conflicts with the database, it raises :class:`ImportRejected` with every problem and the
transaction is rolled back: nothing is stored. The upload page runs it as a job (``imports.jobs``).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from children.services import child_bulk_upsert
from core.errors import DomainError
from escalations.models import Escalation, EscalationStatus, Source, Step, StepResult
from escalations.services import escalation_fields_on_send, iro_sort_keys, step_due
from imports.bulk import BulkWriter, Shape, shape_history
from imports.parsing import Mapping, table_read
from imports.selectors import CHUNK, escalations_by_reference, import_lookups
from imports.validation import CHECK_CHUNK, CHECKING, ImportRow, Problem, RowsCheck
from people.models import Role, User
from themes.models import Outcome
from workdays.clock import WorkingCalendar, local_date
from workdays.selectors import working_calendar

BATCH = 2000
DEFAULT_CONCERN = "Imported from the escalation log"
CAFCASS_REASON = "Imported"
M2M_FIELDS = (
    ("children", "child_id"),
    ("themes", "theme_id"),
    ("subthemes", "subtheme_id"),
    ("drift_reasons", "driftreason_id"),
)

Progress = Callable[[str, int, int], None]  # (phase, rows done, rows in the phase)
STORING = "Checking and storing rows"


class ImportRejected(DomainError):
    """The log cannot be imported: ``problems`` lists every reason, one line each."""

    def __init__(self, problems: list):
        self.problems = [str(p) for p in problems]
        super().__init__(
            f"Nothing was imported: {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} found.\n"
            + "\n".join(self.problems)
        )


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    children_to_create: list[str] = field(default_factory=list)
    iros_to_create: list[str] = field(default_factory=list)  # "username (Full Name)"

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        lines = [
            f"{self.rows} rows: {self.created} {verb}created, {self.updated} {verb}updated, {self.unchanged} unchanged."
        ]
        if self.children_to_create:
            lines.append(
                f"{len(self.children_to_create)} children {verb}created (details to complete): "
                + ", ".join(self.children_to_create)
            )
        if self.iros_to_create:
            lines.append(f"{len(self.iros_to_create)} inactive IROs {verb}created: " + ", ".join(self.iros_to_create))
        if self.dry_run:
            lines.append("Dry run: nothing was stored.")
        return "\n".join(lines)


def escalation_log_import(
    *,
    data: bytes,
    filename: str,
    mapping: Mapping | None = None,
    by: User | None = None,
    dry_run: bool = False,
    create_missing: bool = False,
    sheet: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import an escalation log: all rows or none. ``by`` is recorded as the audit's user."""
    with _collector_paused():
        return _import(data, filename, mapping, by, dry_run, create_missing, sheet, encoding, progress)


@contextmanager
def _collector_paused():
    """An import makes millions of small objects (cells, rows, tuples) and no reference cycles;
    Python's cyclic garbage collector would walk them over and over for nothing. It is paused
    while the import runs (reference counting still frees everything as usual)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import(data, filename, mapping, by, dry_run, create_missing, sheet, encoding, progress) -> ImportResult:
    table = table_read(data, filename=filename, sheet=sheet, encoding=encoding)
    lookups = import_lookups()
    check = RowsCheck(table, mapping or Mapping(), lookups, create_missing=create_missing)
    existing = escalations_by_reference(check.references())
    if dry_run:
        return _preview(check, existing, progress)
    try:
        return _store(check, existing, lookups, by, filename, progress)
    except IntegrityError as error:
        raise DomainError(
            f"Nothing was imported: the database refused the import ({error}). Someone may have added an "
            "escalation with one of these references meanwhile; import the file again."
        ) from None


def _preview(check: RowsCheck, existing, progress) -> ImportResult:
    """What the import would do: every row checked, nothing stored."""
    rows, problems = [], []
    for chunk in check.chunks(CHECK_CHUNK):
        rows.extend(chunk.rows)
        problems.extend(chunk.problems)
        if progress is not None:
            progress(CHECKING, check.done, check.total)
    if problems:
        raise ImportRejected(problems)
    to_create, to_update, unchanged, conflicts = _sort_rows(rows, existing)
    if conflicts:
        raise ImportRejected(conflicts)
    return ImportResult(
        rows=len(rows),
        created=len(to_create),
        updated=len(to_update),
        unchanged=unchanged,
        dry_run=True,
        children_to_create=list(check.children_to_create),
        iros_to_create=[_iro_label(v) for v in check.iros_to_create.values()],
    )


@transaction.atomic
def _store(check: RowsCheck, existing, lookups, by, filename, progress) -> ImportResult:
    """Check and store the rows a chunk at a time, in one transaction: while the database checks
    the foreign keys of one chunk, the next chunk's rows are checked. The first bad row stops the
    storing; the rest are still checked, so that every problem is reported, and then the whole
    transaction is rolled back: nothing is stored."""
    audit = _Audit(by, filename)
    writer = BulkWriter()
    child_ids = dict(lookups.children)
    # Each IRO's name as stored now, read again under the lock a rename waits for (the lookups
    # were read before the rows were checked, perhaps minutes ago).
    sort_keys = iro_sort_keys(ids=[user.pk for user in lookups.users_by_username.values()])
    iro_ids = {key: (user.pk, sort_keys[user.pk]) for key, user in lookups.users_by_username.items()}
    builder = _RowBuilder(child_ids, iro_ids, _DueDays(working_calendar()), audit.now, existing)
    result = ImportResult()
    problems, conflicts = [], []
    children_done = iros_done = 0
    try:
        for chunk in check.chunks(WRITE_CHUNK):  # the database may still be checking the last chunk
            problems.extend(chunk.problems)
            to_create, to_update, unchanged, found = _sort_rows(chunk.rows, existing)
            conflicts.extend(found)
            result.rows += len(chunk.rows)
            result.created, result.updated = result.created + len(to_create), result.updated + len(to_update)
            result.unchanged += unchanged
            if not (problems or conflicts):
                # Made before waiting for the database, like the checks.
                parts = [builder.parts(row, 1) if builder.can_make_parts(row) else None for row in to_create]
                writer.settle()
                children_done += _create_children(check.children_to_create[children_done:], child_ids, audit)
                iros_done += _create_iros(list(check.iros_to_create.items())[iros_done:], iro_ids, by, audit.reason)
                if to_update:
                    _update(to_update, _lock_for_update(to_update, existing), builder, writer, audit)
                if to_create:
                    _create(to_create, parts, builder, writer, audit)
                # The chunk's foreign keys are checked now rather than all at the commit, so that
                # the progress counts them, and while the next chunk is being checked.
                writer.check_constraints_later()
            if progress is not None:
                progress(STORING, check.done, check.total)
    finally:
        writer.close()
    if problems:
        raise ImportRejected(problems)
    if conflicts:
        raise ImportRejected(conflicts)
    result.children_to_create = list(check.children_to_create)
    result.iros_to_create = [_iro_label(v) for v in check.iros_to_create.values()]
    return result


# Rows checked, then stored, per round of COPYs (and per progress report while storing).
WRITE_CHUNK = 10_000


def _iro_label(new: tuple[str, str, str]) -> str:
    username, first, last = new
    name = f"{first} {last}".strip()
    return f"{username} ({name})" if name else username


def _sort_rows(rows: list[ImportRow], existing):
    to_create, to_update, conflicts, unchanged = [], [], [], 0
    for row in rows:
        found = existing.get(row.reference.lower())
        if found is None:
            to_create.append(row)
        elif found.source != Source.IMPORT:
            conflicts.append(
                Problem(
                    row.number,
                    "reference",
                    "an escalation entered in the app already has this "
                    "reference, so the row would overwrite it: nothing was stored",
                    row.reference,
                )
            )
        elif found.import_row_hash == row.row_hash:
            unchanged += 1
        elif found.version != found.imported_version:
            conflicts.append(
                Problem(
                    row.number,
                    "reference",
                    f"{found.reference} has been changed in the app since it was imported, and the row's values differ "
                    "from what was imported: update it in the app, or take the row out of the file. Nothing was stored",
                    row.reference,
                )
            )
        else:
            to_update.append(row)
    return to_create, to_update, unchanged, conflicts


# --- writing -------------------------------------------------------------------------------------
#
# The rows are plain tuples written by imports.bulk (COPY on PostgreSQL): one escalation and one
# step per row, their audit rows, the links (children, themes, sub-themes, drift reasons) and the
# links' audit rows, as django-simple-history records them on a save. The ids are taken first, so
# an escalation is written with its current step already set.


class EscalationParts(NamedTuple):
    """An imported escalation's columns but its two ids (taken later): ``ESCALATION_COLUMNS[2:]``."""

    reference: str
    iro_id: int
    iro_sort_key: str
    raised_at: dt.datetime
    raised_date_only: bool
    concern: str
    status: str
    outcome_id: int | None
    closed_at: dt.datetime | None
    cafcass_referred_on: dt.date | None
    cafcass_reason: str
    source: str
    current_stage_id: int
    current_stage_order: int
    current_addressee_id: int | None
    current_responded_at: dt.datetime | None
    highest_stage_id: int
    next_due_at: dt.datetime | None
    first_response_at: dt.datetime | None
    first_response_date_only: bool
    formal_started_at: dt.datetime | None
    import_row_hash: str
    version: int
    imported_version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class StepParts(NamedTuple):
    """An imported escalation's one step's columns but its id and its escalation's: ``STEP_COLUMNS[2:]``."""

    sequence: int
    stage_id: int
    addressee_id: int | None
    sent_at: dt.datetime
    sent_by_id: int | None
    target_working_days: int
    due_on: dt.date
    due_at: dt.datetime
    first_response_at: dt.datetime | None
    first_response_date_only: bool
    responded_at: dt.datetime | None
    result: str
    ended_at: dt.datetime | None


ESCALATION_COLUMNS = ("id", "current_step_id", *EscalationParts._fields)
# What a re-import overwrites (the rest, such as desired_outcome, is as the first import left it).
UPDATED_COLUMNS = (
    "iro_id",
    "iro_sort_key",
    "raised_at",
    "raised_date_only",
    "concern",
    "status",
    "outcome_id",
    "closed_at",
    "cafcass_referred_on",
    "cafcass_reason",
    "current_stage_id",
    "current_stage_order",
    "current_addressee_id",
    "current_responded_at",
    "highest_stage_id",
    "next_due_at",
    "first_response_at",
    "first_response_date_only",
    "formal_started_at",
    "import_row_hash",
    "version",
    "imported_version",
    "updated_at",
)
STEP_COLUMNS = ("id", "escalation_id", *StepParts._fields)
UPDATED_STEP_COLUMNS = STEP_COLUMNS[3:]


class _Shapes:
    """The row shapes, built once (they read the models' fields)."""

    _built = None

    @classmethod
    def get(cls) -> _Shapes:
        if cls._built is None:
            cls._built = cls()
        return cls._built

    def __init__(self):
        self.escalation = Shape(Escalation, ESCALATION_COLUMNS)
        self.escalation_history = shape_history(self.escalation, with_history_id=True)
        self.step = Shape(Step, STEP_COLUMNS)
        self.step_history = shape_history(self.step)
        # Every column, for the audit of an update: it copies the row as stored.
        self.escalation_stored = Shape(Escalation, _all_columns(Escalation))
        self.escalation_stored_history = shape_history(self.escalation_stored, with_history_id=True)
        self.step_stored = Shape(Step, _all_columns(Step))
        self.step_stored_history = shape_history(self.step_stored)
        self.links = {}
        for name, target in M2M_FIELDS:
            through = getattr(Escalation, name).through
            history = getattr(Escalation.history.model, name).model
            self.links[name] = (
                through,
                Shape(through, ("id", "escalation_id", target)),
                Shape(history, ("id", "escalation_id", target, "history_id")),
            )


def _all_columns(model) -> list[str]:
    """The model's columns, its id first."""
    return ["id", *(f.attname for f in model._meta.concrete_fields if f.attname != "id")]


@dataclass
class _Audit:
    """What every audit row of one import shares: who, when and why."""

    by: User | None
    filename: str
    now: dt.datetime = field(default_factory=timezone.now)

    @property
    def reason(self) -> str:
        return f"Imported from {self.filename}"[:100]

    def extra(self, history_type: str) -> tuple:
        return (self.now, self.reason, history_type, self.by.pk if self.by else None)


def _create_children(case_ids, child_ids, audit: _Audit) -> int:
    """Children for the unknown case IDs (``--create-missing``), marked "details to complete"."""
    if not case_ids:
        return 0
    done = child_bulk_upsert(
        values={case_id: {} for case_id in case_ids},
        new_defaults={"details_to_complete": True},
        reason=audit.reason,
        by=audit.by,
        when=audit.now,
    )
    for case_id, child in done.children.items():
        child_ids[case_id.lower()] = child.pk
    return len(case_ids)


def _create_iros(new_iros: list[tuple[str, tuple[str, str, str]]], iro_ids, by, reason) -> int:
    """Inactive IRO users for the unknown IROs (``--create-missing``): (key, (username, first, last)).
    ``iro_ids`` gets each one's (id, name sort key)."""
    if not new_iros:
        return 0
    unusable = make_password(None)
    users = [
        User(username=username, first_name=first, last_name=last, role=Role.IRO, is_active=False, password=unusable)
        for _, (username, first, last) in new_iros
    ]
    created = bulk_create_with_history(users, User, batch_size=BATCH, default_user=by, default_change_reason=reason)
    by_username = {user.username: (user.pk, user.sort_key) for user in created}
    for key, (username, _, _) in new_iros:
        iro_ids[key] = by_username[username]
    return len(new_iros)


class _DueDays:
    """``escalations.services.step_due``, remembered per (send day, target): many rows share them."""

    def __init__(self, calendar: WorkingCalendar):
        self.calendar = calendar
        self.cache: dict = {}

    def due(self, sent_at: dt.datetime, target: int) -> tuple[dt.date, dt.datetime]:
        key = (local_date(sent_at), target)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = step_due(sent_at=sent_at, target_working_days=target, calendar=self.calendar)
        return found


class _RowBuilder:
    """A log row as the tuples of its escalation and its one step (``ESCALATION_COLUMNS`` and
    ``STEP_COLUMNS``): what ``escalations.services`` would store for the same escalation raised
    at ``highest_stage`` to no named person, first answered and closed as the row says."""

    def __init__(self, child_ids, iro_ids, calendar: _DueDays, now: dt.datetime, existing):
        self.existing = existing
        self.child_ids = child_ids
        self.iro_ids = iro_ids
        self.calendar = calendar
        self.now = now
        self.withdrawn = Outcome.WITHDRAWN

    def rows(self, row: ImportRow, pk: int, step_pk: int, version: int, parts=None) -> tuple[tuple, tuple]:
        """The escalation's and the step's tuples, from :meth:`parts` made earlier or now."""
        escalation, step = parts or self.parts(row, version)
        return (pk, step_pk, *escalation), (step_pk, pk, *step)

    def can_make_parts(self, row: ImportRow) -> bool:
        """Whether the row's IRO has an id yet (one created by ``--create-missing`` may not)."""
        return row.iro_key in self.iro_ids

    def parts(self, row: ImportRow, version: int) -> tuple[EscalationParts, StepParts]:
        """The escalation's and the step's rows without their two ids (taken later)."""
        stage = row.stage
        iro_id, iro_sort_key = self.iro_ids[row.iro_key]
        raised_at = row.raised_at
        due_on, due_at = self.calendar.due(raised_at, stage.target_working_days)
        sent = escalation_fields_on_send(
            stage=stage, addressee=None, due_at=due_at, at=raised_at, highest_stage=None, formal_started_at=None
        )
        resolved_at = row.resolved_at
        if resolved_at is None:
            status, outcome_id, result, next_due_at = EscalationStatus.OPEN, None, "", sent["next_due_at"]
        else:
            # An imported first response is an acknowledgement, not a substantive response: the
            # step stays due until it is closed (as in escalations.services).
            status, outcome_id, next_due_at = EscalationStatus.CLOSED, row.outcome.pk, None
            result = StepResult.WITHDRAWN if row.outcome.code == self.withdrawn else StepResult.RESOLVED
        cafcass = row.cafcass_referred_on
        escalation = EscalationParts(
            reference=row.reference,
            iro_id=iro_id,
            iro_sort_key=iro_sort_key,
            raised_at=raised_at,
            raised_date_only=row.raised_date_only,
            concern=row.summary or DEFAULT_CONCERN,
            status=status,
            outcome_id=outcome_id,
            closed_at=resolved_at,
            cafcass_referred_on=cafcass,
            cafcass_reason=CAFCASS_REASON if cafcass else "",
            source=Source.IMPORT,
            current_stage_id=sent["current_stage"].pk,
            current_stage_order=sent["current_stage_order"],
            current_addressee_id=None,
            current_responded_at=sent["current_responded_at"],
            highest_stage_id=sent["highest_stage"].pk,
            next_due_at=next_due_at,
            first_response_at=row.first_response_at,
            first_response_date_only=row.first_response_date_only,
            formal_started_at=sent["formal_started_at"],
            import_row_hash=row.row_hash,
            version=version,
            imported_version=version,
            created_at=self.now,
            updated_at=self.now,
        )
        step = StepParts(
            sequence=1,
            stage_id=stage.pk,
            addressee_id=None,
            sent_at=raised_at,
            sent_by_id=iro_id,
            target_working_days=stage.target_working_days,
            due_on=due_on,
            due_at=due_at,
            first_response_at=row.first_response_at,
            first_response_date_only=row.first_response_date_only,
            responded_at=None,
            result=result,
            ended_at=resolved_at,
        )
        return escalation, step

    def existing_pk(self, row: ImportRow) -> int:
        return self.existing[row.reference.lower()].pk

    def links(self, row: ImportRow) -> dict[str, list[int]]:
        child_ids = self.child_ids
        return {
            "children": [child_ids[c.lower()] for c in row.case_ids],
            "themes": row.theme_ids,
            "subthemes": row.subtheme_ids,
            "drift_reasons": row.drift_reason_ids,
        }


def _create(rows: list[ImportRow], parts: list, builder: _RowBuilder, writer: BulkWriter, audit: _Audit) -> None:
    """New escalations for ``rows``; ``parts``: each row's :meth:`_RowBuilder.parts`, or None."""
    shapes = _Shapes.get()
    count = len(rows)
    pks = writer.take(Escalation, count)
    step_pks = writer.take(Step, count)
    escalations, steps = [], []
    for row, made, pk, step_pk in zip(rows, parts, pks, step_pks):
        escalation, step = builder.rows(row, pk, step_pk, 1, made)
        escalations.append(escalation)
        steps.append(step)
    writer.insert(shapes.escalation, escalations)
    writer.insert(shapes.step, steps)
    links = _link_rows(rows, pks, builder, writer)
    _audit_rows(escalations, shapes.escalation_history, steps, shapes.step_history, "+", writer, audit, links)


def _link_rows(
    rows: list[ImportRow], pks: list[int], builder: _RowBuilder, writer: BulkWriter
) -> dict[str, list[tuple]]:
    """The links of each escalation, written to the through tables; returned (with their ids) per field."""
    shapes = _Shapes.get()
    pairs = {name: [] for name, _ in M2M_FIELDS}
    for row, pk in zip(rows, pks):
        for name, values in builder.links(row).items():
            pairs[name].extend((pk, value) for value in values)
    written = {}
    for name, _ in M2M_FIELDS:
        through, shape, _history = shapes.links[name]
        link_pks = writer.take(through, len(pairs[name]))
        written[name] = [(link_pk, pk, value) for link_pk, (pk, value) in zip(link_pks, pairs[name])]
        writer.insert(shape, written[name])
    return written


def _audit_rows(
    escalations,
    escalation_history: Shape,
    steps,
    step_history: Shape,
    history_type: str,
    writer: BulkWriter,
    audit: _Audit,
    links,
) -> None:
    """The audit rows for written escalations, steps and links, as simple-history makes them.
    ``escalations`` and ``steps`` are tuples that start with their id."""
    shapes = _Shapes.get()
    extra = audit.extra(history_type)
    writer.insert(step_history, (step + extra for step in steps))
    history_pks = writer.take(Escalation.history.model, len(escalations))
    history_of = {}
    history_rows = []
    for escalation, history_pk in zip(escalations, history_pks):
        history_of[escalation[0]] = history_pk
        history_rows.append(escalation + (history_pk, *extra))
    writer.insert(escalation_history, history_rows)
    for name, _ in M2M_FIELDS:
        writer.insert(shapes.links[name][2], ((*link, history_of[link[1]]) for link in links[name]))


def _lock_for_update(rows: list[ImportRow], existing) -> dict[int, tuple[int, int]]:
    """Lock the escalations the rows update and check that none changed since they were read
    (every conflict at once); their pk -> (version, current step)."""
    pks = [existing[row.reference.lower()].pk for row in rows]
    locked = {}
    for start in range(0, len(pks), CHUNK):
        locked.update(
            (pk, (version, imported_version, step_pk))
            for pk, version, imported_version, step_pk in Escalation.objects.select_for_update(of=("self",))
            .filter(pk__in=pks[start : start + CHUNK])
            .values_list("pk", "version", "imported_version", "current_step_id")
        )
    conflicts = []
    for row, pk in zip(rows, pks):
        version, imported_version, _ = locked[pk]
        if version != existing[row.reference.lower()].version or version != imported_version:
            conflicts.append(
                Problem(
                    row.number,
                    "reference",
                    f"{row.reference} was changed in the app while the "
                    "file was being imported: nothing was stored. Import the file again",
                    row.reference,
                )
            )
    if conflicts:
        raise ImportRejected(conflicts)
    return {existing[row.reference.lower()].pk: (locked[pk][0], locked[pk][2]) for row, pk in zip(rows, pks)}


def _update(rows: list[ImportRow], versions, builder: _RowBuilder, writer: BulkWriter, audit: _Audit) -> None:
    """Rows whose escalation was imported and not edited since (locked and checked by
    :func:`_lock_for_update`): overwrite it, audited."""
    shapes = _Shapes.get()
    pks = [builder.existing_pk(row) for row in rows]
    escalations, steps = [], []
    for row, pk in zip(rows, pks):
        version, step_pk = versions[pk]
        escalation, step = builder.rows(row, pk, step_pk, version + 1)
        escalations.append(escalation)
        steps.append(step)
    _rows_update(Step, UPDATED_STEP_COLUMNS, STEP_COLUMNS, steps)
    _rows_update(Escalation, UPDATED_COLUMNS, ESCALATION_COLUMNS, escalations)
    for name, _ in M2M_FIELDS:
        through = shapes.links[name][0]
        through.objects.filter(escalation_id__in=pks).delete()
    links = _link_rows(rows, pks, builder, writer)
    # The audit copies the whole stored row, including what the import does not set.
    _audit_rows(
        _stored(Escalation, shapes.escalation_stored, pks),
        shapes.escalation_stored_history,
        _stored(Step, shapes.step_stored, [step[0] for step in steps]),
        shapes.step_stored_history,
        "~",
        writer,
        audit,
        links,
    )


def _rows_update(model, columns: tuple[str, ...], order: tuple[str, ...], rows: list[tuple]) -> None:
    """One UPDATE per row, sent as one executemany (pipelined on PostgreSQL)."""
    if not rows:
        return
    quoted = connection.ops.quote_name
    fields = {f.attname: f for f in model._meta.concrete_fields}
    positions = [order.index(name) for name in columns]
    sql = (
        f"UPDATE {quoted(model._meta.db_table)} SET "
        + ", ".join(f"{quoted(fields[name].column)} = %s" for name in columns)
        + f" WHERE {quoted('id')} = %s"
    )
    params = [
        [fields[name].get_db_prep_save(row[index], connection) for name, index in zip(columns, positions)] + [row[0]]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _stored(model, shape: Shape, pks: list[int]) -> list[tuple]:
    """The rows as stored now, as tuples of ``shape``'s given columns, in the order of ``pks``."""
    given = shape.names[: shape.width]
    found = {row[0]: row for row in model.objects.filter(pk__in=pks).values_list(*given)}
    return [found[pk] for pk in pks]
