"""Writes for the import of an escalation log (``docs/escalation-log-format.md``).

:func:`escalation_log_import` reads and checks every row first; if any row is bad, or conflicts
with the database, it raises :class:`ImportRejected` with every problem and stores nothing. Then it
writes everything in one transaction with bulk operations: no query per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from children.models import Child
from core.errors import DomainError
from escalations.models import Escalation, EscalationStatus, Source, Step, StepResult
from imports.parsing import Mapping, table_read
from imports.selectors import escalations_by_reference, import_lookups
from imports.validation import ImportRow, Problem, Validated, rows_validate
from people.models import Role, User
from themes.models import Outcome
from workdays.clock import WorkingCalendar, end_of_day
from workdays.selectors import working_calendar

BATCH = 2000
DEFAULT_CONCERN = "Imported from the escalation log"
CAFCASS_REASON = "Imported"
M2M_FIELDS = (
    ("children", "child_id"), ("themes", "theme_id"), ("subthemes", "subtheme_id"), ("drift_reasons", "driftreason_id"),
)

Progress = Callable[[str, int, int], None]


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
            lines.append(f"{len(self.children_to_create)} children {verb}created (details to complete): "
                         + ", ".join(self.children_to_create))
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
    table = table_read(data, filename=filename, sheet=sheet, encoding=encoding)
    lookups = import_lookups()
    validated = rows_validate(table, mapping or Mapping(), lookups, create_missing=create_missing, progress=progress)
    if validated.problems:
        raise ImportRejected(validated.problems)
    existing = escalations_by_reference([row.reference for row in validated.rows])
    to_create, to_update, unchanged, conflicts = _sort_rows(validated.rows, existing)
    if conflicts:
        raise ImportRejected(conflicts)

    result = ImportResult(
        rows=len(validated.rows), created=len(to_create), updated=len(to_update), unchanged=unchanged,
        dry_run=dry_run, children_to_create=list(validated.children_to_create),
        iros_to_create=[_iro_label(v) for v in validated.iros_to_create.values()],
    )
    if dry_run or not (to_create or to_update):
        return result
    try:
        _write(validated, to_create, to_update, existing, lookups, by, filename, progress)
    except IntegrityError as error:
        raise DomainError(
            f"Nothing was imported: the database refused the import ({error}). Someone may have added an "
            "escalation with one of these references meanwhile; import the file again."
        ) from None
    return result


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
            conflicts.append(Problem(row.number, "reference", "an escalation entered in the app already has this "
                                     "reference, so the row would overwrite it: nothing was stored", row.reference))
        elif found.import_row_hash == row.row_hash:
            unchanged += 1
        elif found.version != found.imported_version:
            conflicts.append(Problem(
                row.number, "reference",
                f"{found.reference} has been changed in the app since it was imported, and the row's values differ "
                "from what was imported: update it in the app, or take the row out of the file. Nothing was stored",
                row.reference,
            ))
        else:
            to_update.append(row)
    return to_create, to_update, unchanged, conflicts


# --- writing -------------------------------------------------------------------------------------


@transaction.atomic
def _write(validated: Validated, to_create, to_update, existing, lookups, by, filename, progress):
    reason = f"Imported from {filename}"[:100]
    now = timezone.now()
    child_ids = dict(lookups.children)
    iro_ids = {key: user.pk for key, user in lookups.users_by_username.items()}
    _create_children(validated.children_to_create, child_ids, by, reason)
    _create_iros(validated.iros_to_create, iro_ids, by, reason)
    calendar = _DueDays(working_calendar())
    if to_update:
        _update(to_update, existing, child_ids, iro_ids, calendar, by, reason, now, progress)
    if to_create:
        _create(to_create, child_ids, iro_ids, calendar, by, reason, progress)


def _create_children(case_ids, child_ids, by, reason):
    if not case_ids:
        return
    children = [Child(case_id=case_id, details_to_complete=True) for case_id in case_ids]
    for child in bulk_create_with_history(children, Child, batch_size=BATCH, default_user=by,
                                          default_change_reason=reason):
        child_ids[child.case_id.lower()] = child.pk


def _create_iros(new_iros, iro_ids, by, reason):
    if not new_iros:
        return
    unusable = make_password(None)
    users = [
        User(username=username, first_name=first, last_name=last, role=Role.IRO, is_active=False, password=unusable)
        for username, first, last in new_iros.values()
    ]
    created = bulk_create_with_history(users, User, batch_size=BATCH, default_user=by, default_change_reason=reason)
    by_username = {user.username: user.pk for user in created}
    for key, (username, _, _) in new_iros.items():
        iro_ids[key] = by_username[username]


class _DueDays:
    """The working calendar's due day, remembered per (send day, target): many rows share them.

    Same rule as ``escalations.services._send_step``: ``calendar.due_on`` then ``end_of_day``.
    """

    def __init__(self, calendar: WorkingCalendar):
        self.calendar = calendar
        self.cache: dict = {}

    def due(self, sent_at: dt.datetime, target: int) -> tuple[dt.date, dt.datetime]:
        key = (timezone.localtime(sent_at).date(), target)
        if key not in self.cache:
            due_on = self.calendar.due_on(sent_at, target)
            self.cache[key] = (due_on, end_of_day(due_on))
        return self.cache[key]


def _step_fields(row: ImportRow, iro_id: int, calendar: _DueDays) -> dict:
    """The one step a row becomes: sent at raised_at to no named person at highest_stage."""
    stage = row.stage
    due_on, due_at = calendar.due(row.raised_at, stage.target_working_days)
    closed = row.resolved_at is not None
    result = ""
    if closed:
        result = StepResult.WITHDRAWN if row.outcome.code == Outcome.WITHDRAWN else StepResult.RESOLVED
    return {
        "stage_id": stage.pk, "addressee_id": None, "sent_at": row.raised_at, "sent_by_id": iro_id,
        "target_working_days": stage.target_working_days, "due_on": due_on, "due_at": due_at,
        "first_response_at": row.first_response_at, "first_response_date_only": row.first_response_date_only,
        "responded_at": None, "result": result, "ended_at": row.resolved_at,
    }


def _escalation_fields(row: ImportRow, iro_id: int, step: dict) -> dict:
    stage = row.stage
    closed = row.resolved_at is not None
    return {
        "reference": row.reference, "iro_id": iro_id, "raised_at": row.raised_at,
        "raised_date_only": row.raised_date_only, "concern": row.summary or DEFAULT_CONCERN,
        "status": EscalationStatus.CLOSED if closed else EscalationStatus.OPEN,
        "outcome_id": row.outcome.pk if closed else None, "closed_at": row.resolved_at,
        "cafcass_referred_on": row.cafcass_referred_on,
        "cafcass_reason": CAFCASS_REASON if row.cafcass_referred_on else "",
        "source": Source.IMPORT, "current_stage_id": stage.pk, "current_addressee_id": None,
        "highest_stage_id": stage.pk,
        # An imported first response is an acknowledgement, not a substantive response: the step
        # stays due until it is closed (as in escalations.services).
        "next_due_at": None if closed else step["due_at"],
        "first_response_at": row.first_response_at, "first_response_date_only": row.first_response_date_only,
        "formal_started_at": row.raised_at if stage.formal else None,
        "import_row_hash": row.row_hash,
    }


def _create(rows, child_ids, iro_ids, calendar, by, reason, progress):
    total = len(rows)
    for start in range(0, total, BATCH):
        batch = rows[start:start + BATCH]
        escalations, step_fields = [], []
        for row in batch:
            iro_id = iro_ids[row.iro_key]
            step = _step_fields(row, iro_id, calendar)
            step_fields.append(step)
            escalations.append(Escalation(**_escalation_fields(row, iro_id, step), version=1, imported_version=1))
        Escalation.objects.bulk_create(escalations, batch_size=BATCH)
        steps = [Step(escalation_id=esc.pk, sequence=1, **fields) for esc, fields in zip(escalations, step_fields)]
        bulk_create_with_history(steps, Step, batch_size=BATCH, default_user=by, default_change_reason=reason)
        # The escalation and its step point at each other: escalations first, then steps, then
        # one UPDATE for the batch's current_step.
        ids = [esc.pk for esc in escalations]
        Escalation.objects.filter(pk__gte=min(ids), pk__lte=max(ids), current_step__isnull=True).update(
            current_step_id=Subquery(Step.objects.filter(escalation_id=OuterRef("pk"), sequence=1).values("pk")[:1])
        )
        for esc, step in zip(escalations, steps):
            esc.current_step_id = step.pk
        links = _link(batch, escalations, child_ids)
        history = get_history_manager_for_model(Escalation).bulk_history_create(
            escalations, batch_size=BATCH, default_user=by, default_change_reason=reason
        )
        _link_history(links, history)
        if progress is not None:
            progress("Storing escalations", min(start + BATCH, total), total)


def _m2m_values(row: ImportRow, child_ids):
    return {
        "children": [child_ids[c.lower()] for c in row.case_ids],
        "themes": row.theme_ids,
        "subthemes": row.subtheme_ids,
        "drift_reasons": row.drift_reason_ids,
    }


def _link(rows, escalations, child_ids) -> dict[str, list]:
    """The M2M links, bulk-created on the through tables; returned (with their ids) per field."""
    created = {}
    for name, target in M2M_FIELDS:
        through = getattr(Escalation, name).through
        links = [
            through(escalation_id=esc.pk, **{target: value})
            for row, esc in zip(rows, escalations)
            for value in _m2m_values(row, child_ids)[name]
        ]
        created[name] = through.objects.bulk_create(links, batch_size=BATCH)
    return created


def _link_history(links: dict[str, list], history) -> None:
    """The audit's copy of the links, as simple-history records them on a save."""
    history_id = {record.id: record.history_id for record in history}
    records = Escalation.history.model
    for name, target in M2M_FIELDS:
        m2m_history = getattr(records, name).model
        rows = [
            m2m_history(id=link.pk, history_id=history_id[link.escalation_id], escalation_id=link.escalation_id,
                        **{target: getattr(link, target)})
            for link in links[name]
        ]
        m2m_history.objects.bulk_create(rows, batch_size=BATCH)


UPDATED_FIELDS = [
    "iro", "raised_at", "raised_date_only", "concern", "status", "outcome", "closed_at", "cafcass_referred_on",
    "cafcass_reason", "current_stage", "current_addressee", "highest_stage", "next_due_at", "first_response_at",
    "first_response_date_only", "formal_started_at", "import_row_hash", "version", "imported_version", "updated_at",
]
UPDATED_STEP_FIELDS = [
    "stage", "addressee", "sent_at", "sent_by", "target_working_days", "due_on", "due_at", "first_response_at",
    "first_response_date_only", "responded_at", "result", "ended_at",
]


def _update(rows, existing, child_ids, iro_ids, calendar, by, reason, now, progress):
    """Rows whose escalation was imported and not edited since: overwrite it, audited."""
    pks = [existing[row.reference.lower()].pk for row in rows]
    locked = {
        esc.pk: esc for esc in Escalation.objects.select_for_update(of=("self",)).select_related("current_step")
        .filter(pk__in=pks)
    }
    conflicts = []
    escalations, steps = [], []
    for row, pk in zip(rows, pks):
        esc = locked[pk]
        if esc.version != existing[row.reference.lower()].version or esc.version != esc.imported_version:
            conflicts.append(Problem(row.number, "reference", f"{esc.reference} was changed in the app while the file "
                                     "was being imported: nothing was stored. Import the file again", row.reference))
            continue
        iro_id = iro_ids[row.iro_key]
        step_fields = _step_fields(row, iro_id, calendar)
        for name, value in _escalation_fields(row, iro_id, step_fields).items():
            setattr(esc, name, value)
        esc.version += 1
        esc.imported_version = esc.version
        esc.updated_at = now
        step = esc.current_step
        for name, value in step_fields.items():
            setattr(step, name, value)
        escalations.append(esc)
        steps.append(step)
    if conflicts:
        raise ImportRejected(conflicts)
    Step.objects.bulk_update(steps, UPDATED_STEP_FIELDS, batch_size=BATCH)
    get_history_manager_for_model(Step).bulk_history_create(
        steps, batch_size=BATCH, update=True, default_user=by, default_change_reason=reason
    )
    Escalation.objects.bulk_update(escalations, UPDATED_FIELDS, batch_size=BATCH)
    for name, _ in M2M_FIELDS:
        getattr(Escalation, name).through.objects.filter(escalation_id__in=pks).delete()
    links = _link(rows, escalations, child_ids)
    history = get_history_manager_for_model(Escalation).bulk_history_create(
        escalations, batch_size=BATCH, update=True, default_user=by, default_change_reason=reason
    )
    _link_history(links, history)
    if progress is not None:
        progress("Updating escalations", len(rows), len(rows))
