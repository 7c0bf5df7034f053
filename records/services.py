"""Writes for records management.

Every function is ``<noun>_<verb>(*, ...)``, runs in one transaction (but :func:`export_run`, whose
row must show how it ended whatever happens) and raises a :class:`core.errors.DomainError` with a
message the person can act on; a refused call changes nothing.

- the retention schedule's rules (admins): :func:`retention_rule_update`;
- legal holds (the IRO service manager and admins): :func:`legal_hold_place`, :func:`legal_hold_lift`;
- the retention job: :func:`retention_run`, which acts on exactly what the dry run
  (``records.selectors.retention_plan``) lists, writing one tombstone per record;
- erasure on request (admins, with a second admin's approval): :func:`erasure_request`,
  :func:`erasure_decide`, which runs the same deletion for one child;
- subject access exports: :func:`export_start`, :func:`export_run`, :func:`export_download`,
  :func:`exports_expire`.

Deleting across the apps is ``records.deletion``; only the runs here call it, after releasing the
audit trail's trigger for their own transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.services import access_log_record
from children.models import Child
from core.errors import DomainError, NotPermitted
from escalations.models import Escalation
from people.models import Role, User
from records import deletion
from records.classes import CLASSES, ORDER, Action, RecordClass, Unit
from records.export import render_zip
from records.models import (
    ErasureRequest,
    ErasureStatus,
    ExportStatus,
    LegalHold,
    RetentionRule,
    RetentionRun,
    RunKind,
    SubjectAccessExport,
    Tombstone,
    TombstoneAction,
)
from records.redaction import ANOTHER_CHILD, replace_term
from records.selectors import (
    child_by_case_id,
    holds_on,
    retention_plan,
    subject_access_counts,
    subject_access_gather,
)
from reports.identifiers import CASE_ID, CHILD, FULL_NAME, NAME, IdentifierIndex, story_problems

logger = logging.getLogger(__name__)

REASON_MAX = 2000
EXPORT_KEPT_FOR = dt.timedelta(days=7)
MAX_KEEP = {Unit.DAYS: 36_500, Unit.MONTHS: 1_200, Unit.YEARS: 100}
DONE = {Action.DELETE: "deleted", Action.ANONYMISE: "anonymised"}


def _require_admin(by: User, doing: str) -> None:
    if not (by.is_active and by.role == Role.ADMIN):
        raise NotPermitted(f"Only an admin can {doing}.")


def _require_oversight(by: User, doing: str) -> None:
    if not (by.is_active and by.sees_everything):
        raise NotPermitted(f"Only the IRO service manager or an admin can {doing}.")


def _reason(text: str, *, field: str, asking: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(asking, field=field)
    if len(text) > REASON_MAX:
        raise DomainError(f"The reason must be {REASON_MAX:,} characters or fewer.", field=field)
    return text


def _save(instance, by: User | None) -> None:
    instance._history_user = by
    instance.save()


# --- the retention schedule ------------------------------------------------------------------------


@transaction.atomic
def retention_rule_update(
    *, record_class: str, by: User, keep_for: int, unit: str, action: str, reason: str
) -> RetentionRule:
    """Set how long records of ``record_class`` are kept, what then happens to them, and why."""
    _require_admin(by, "change the retention schedule")
    if record_class not in CLASSES:
        raise DomainError(f"There is no record class called '{record_class}'.")
    info = CLASSES[record_class]
    if unit not in Unit.values:
        raise DomainError("Choose days, months or years.", field="unit")
    if keep_for is None or keep_for < 1:
        raise DomainError("Enter how long to keep them: at least 1.", field="keep_for")
    if keep_for > MAX_KEEP[unit]:
        raise DomainError(f"Enter at most {MAX_KEEP[unit]:,} {unit}.", field="keep_for")
    if action not in info.actions:
        allowed = " or ".join(DONE[a] for a in info.actions)
        raise DomainError(f"{info.label} can only be {allowed}.", field="action")
    reason = _reason(reason, field="reason", asking="Enter why records of this class are kept this long.")
    rule = RetentionRule.objects.select_for_update().filter(record_class=record_class).first()
    rule = rule or RetentionRule(record_class=record_class)
    rule.keep_for, rule.unit, rule.action, rule.reason = keep_for, unit, action, reason
    rule.updated_by, rule.updated_at = by, timezone.now()
    _save(rule, by)
    return rule


# --- legal holds ---------------------------------------------------------------------------------------


def _lock_holds() -> None:
    """Holds and runs take turns: a hold placed while a run is deciding what to delete waits for it,
    and the run for the hold (PostgreSQL; SQLite's write lock already makes every writer wait)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {LegalHold._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


@transaction.atomic
def legal_hold_place(
    *, by: User, reason: str, child: Child | None = None, escalation: Escalation | None = None
) -> LegalHold:
    """Hold a child's records, or an escalation's: nothing of them is deleted or anonymised while it lasts."""
    _require_oversight(by, "place a legal hold")
    if (child is None) == (escalation is None):
        raise DomainError("Choose the child or the escalation to hold.", field="target")
    reason = _reason(reason, field="reason", asking="Enter why the records must be kept.")
    _lock_holds()
    if child is not None:
        target = Child.objects.select_for_update().filter(pk=child.pk).first()
        existing = LegalHold.objects.filter(child_id=child.pk, lifted_at__isnull=True)
        what = "This child's records are"
    else:
        target = Escalation.objects.select_for_update().filter(pk=escalation.pk).first()
        existing = LegalHold.objects.filter(escalation_id=escalation.pk, lifted_at__isnull=True)
        what = f"{escalation.reference} is"
    if target is None:
        raise DomainError("That record is no longer held, so it cannot be put on hold.", field="target")
    if existing.exists():
        raise DomainError(f"{what} already on hold. Lift that hold first to place a new one.", field="target")
    hold = LegalHold(child=child, escalation=escalation, reason=reason, placed_by=by, placed_at=timezone.now())
    _save(hold, by)
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, by: User, reason: str) -> LegalHold:
    """End a hold, saying why. The records are then kept or deleted by the schedule again."""
    _require_oversight(by, "lift a legal hold")
    reason = _reason(reason, field="reason", asking="Enter why the hold can be lifted.")
    _lock_holds()
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise DomainError("This hold has already been lifted.")
    hold.lifted_by, hold.lifted_at, hold.lift_reason = by, timezone.now(), reason
    _save(hold, by)
    return hold


# --- the retention job -----------------------------------------------------------------------------------

_DELETERS = {
    (RecordClass.ESCALATIONS, Action.DELETE): deletion.escalations_delete,
    (RecordClass.ESCALATIONS, Action.ANONYMISE): deletion.escalations_anonymise,
    (RecordClass.CHILDREN, Action.DELETE): deletion.children_delete,
    (RecordClass.SSDA903, Action.DELETE): deletion.child_rows_delete,
    (RecordClass.ACCESS_LOG, Action.DELETE): deletion.access_entries_delete,
    (RecordClass.IMPORT_JOBS, Action.DELETE): deletion.import_jobs_delete,
    (RecordClass.ISSUED_REPORTS, Action.DELETE): deletion.issued_reports_delete,
    (RecordClass.ISSUED_REPORTS, Action.ANONYMISE): deletion.issued_reports_anonymise,
}


def _run_begin(*, kind: str, as_of: dt.date, by: User | None) -> RetentionRun:
    """Write the run's row, then release the audit trigger for this transaction and this run."""
    run = RetentionRun.objects.create(
        kind=kind, as_of=as_of, started_at=timezone.now(), transaction_id=deletion.transaction_id(), started_by=by
    )
    deletion.audit_release(run)
    return run


def _run_end(run: RetentionRun, tombstones: list[Tombstone]) -> RetentionRun:
    Tombstone.objects.bulk_create(tombstones, batch_size=2000)
    if tombstones:
        deletion.report_pages_forget()
    counts: dict[str, int] = {}
    for stone in tombstones:
        counts[stone.record_class] = counts.get(stone.record_class, 0) + 1
    run.counts = counts
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return run


def _stones(run, record_class, model, ids, parts, action, rule_words) -> list[Tombstone]:
    label = model._meta.label_lower
    return [
        Tombstone(
            run=run,
            record_class=record_class,
            model=label,
            object_id=pk,
            action=action,
            rule=rule_words[:300],
            parts=dict(parts.get(pk, {})),
            at=run.started_at,
        )
        for pk in ids
    ]


@transaction.atomic
def retention_run(*, as_of: dt.date | None = None, by: User | None = None) -> RetentionRun:
    """Apply the retention schedule: delete or anonymise every record whose time is up, except those
    under a legal hold or kept with a child's case record, with one tombstone each. Acts on exactly
    the records the dry run lists (``records.selectors.retention_plan``) for the same day."""
    if by is not None:
        _require_admin(by, "run the retention schedule")
    as_of = as_of or timezone.localdate()
    _lock_holds()
    run = _run_begin(kind=RunKind.SCHEDULE, as_of=as_of, by=by)
    plan = retention_plan(as_of=as_of).materialise()
    tombstones = []
    for code in ORDER:
        step = plan.by_class()[code]
        if not step.ids:
            continue
        rule = step.rule
        parts = _DELETERS[(code, rule.action)](step.ids)
        action = TombstoneAction.ANONYMISED if rule.action == Action.ANONYMISE else TombstoneAction.DELETED
        tombstones += _stones(run, code, step.model, step.ids, parts, action, rule.words)
    run = _run_end(run, tombstones)
    logger.info("Retention run %s: %s", run.pk, run.counts or "nothing was due")
    return run


# --- erasure on request ------------------------------------------------------------------------------


@transaction.atomic
def erasure_request(*, by: User, case_id: str, reason: str) -> ErasureRequest:
    """Ask for one child's records to be erased. It is done only when a second admin approves it."""
    _require_admin(by, "ask for a child's records to be erased")
    child = child_by_case_id(case_id)
    if child is None:
        raise DomainError(
            f"No child has the case-management ID '{(case_id or '').strip()[:40]}'. Check the ID and try again.",
            field="case_id",
        )
    reason = _reason(reason, field="reason", asking="Enter why the child's records should be erased.")
    if ErasureRequest.objects.filter(child=child, status=ErasureStatus.PENDING).exists():
        raise DomainError("An erasure of this child's records is already waiting for approval.", field="case_id")
    request = ErasureRequest(
        child=child, child_ref=child.pk, reason=reason, requested_by=by, requested_at=timezone.now()
    )
    _save(request, by)
    return request


def _erased_child_redactor(child: Child, shared: list[Escalation]):
    """Text -> text with ``child``'s names and case ID as "another child", leaving the words they
    share with the other children of ``shared`` (a brother's surname), whose record it still is."""
    index = IdentifierIndex()
    index.add_people([(child.first_name, child.last_name)], CHILD)
    index.add_case_id(child.case_id)
    keep = IdentifierIndex()
    others = {(c.first_name, c.last_name) for e in shared for c in e.children.all() if c.pk != child.pk}
    keep.add_people(others, CHILD)
    for word in keep.names:
        index.names.pop(word, None)

    def redact(text: str) -> str:
        problems = [p for p in story_problems(text, identifiers=index) if p.kind in (NAME, FULL_NAME, CASE_ID)]
        for problem in sorted(problems, key=lambda p: (p.kind != FULL_NAME, -len(p.term))):
            text = replace_term(text, problem.term, ANOTHER_CHILD, capitals_only=problem.overridable)
        return text

    return redact


@transaction.atomic
def erasure_decide(*, request: ErasureRequest, by: User, approve: bool, note: str = "") -> ErasureRequest:
    """A second admin approves the erasure, which is then carried out at once, or refuses it. The
    deletion is the retention job's, for one child: escalations about them alone are deleted; those
    shared with other children lose them (and their names, in every text); then their own record
    with everything that goes with it. One tombstone per record; nothing under a legal hold."""
    _require_admin(by, "approve or refuse an erasure")
    _lock_holds()
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.requested_by_id == by.pk:
        raise DomainError("You asked for this erasure, so another admin must approve or refuse it.")
    if request.status != ErasureStatus.PENDING:
        raise DomainError(f"This request was already {request.get_status_display().lower()}.")
    note = (note or "").strip()[:REASON_MAX]
    if not approve:
        if not note:
            raise DomainError("Enter why the erasure is refused.", field="note")
        request.status, request.decided_by, request.decided_at, request.decision_note = (
            ErasureStatus.REFUSED,
            by,
            timezone.now(),
            note,
        )
        _save(request, by)
        return request
    child = Child.objects.select_for_update().get(pk=request.child_id)
    holds = holds_on(child=child)
    if holds:
        what = ", ".join("the child" if h.child_id else h.escalation.reference for h in holds)
        raise DomainError(
            f"Nothing can be erased while it is under a legal hold ({what}). "
            "Lift the hold first, or refuse the request."
        )
    run = _run_begin(kind=RunKind.ERASURE, as_of=timezone.localdate(), by=by)
    rule = f"Erasure on request {request.pk}, approved by a second admin"
    escalations = list(Escalation.objects.filter(children=child).prefetch_related("children"))
    alone = sorted(e.pk for e in escalations if len(e.children.all()) == 1)
    shared = [e for e in escalations if len(e.children.all()) > 1]
    tombstones = []
    parts = deletion.escalations_delete(alone)
    tombstones += _stones(run, RecordClass.ESCALATIONS, Escalation, alone, parts, TombstoneAction.DELETED, rule)
    shared_ids = sorted(e.pk for e in shared)
    parts = deletion.child_detach(child=child, escalation_ids=shared_ids, redact=_erased_child_redactor(child, shared))
    tombstones += _stones(
        run, RecordClass.ESCALATIONS, Escalation, shared_ids, parts, TombstoneAction.CHILD_REMOVED, rule
    )
    deletion.import_jobs_forget(case_id=child.case_id)
    parts = deletion.children_delete([child.pk])
    tombstones += _stones(run, RecordClass.CHILDREN, Child, [child.pk], parts, TombstoneAction.DELETED, rule)
    request.refresh_from_db()
    request.status, request.decided_by, request.decided_at, request.decision_note, request.run = (
        ErasureStatus.ERASED,
        by,
        timezone.now(),
        note,
        run,
    )
    _save(request, by)
    _run_end(run, tombstones)
    logger.info("Erasure request %s carried out as run %s", request.pk, run.pk)
    return request


# --- subject access exports --------------------------------------------------------------------------


@transaction.atomic
def export_start(*, by: User, case_id: str) -> SubjectAccessExport:
    """Start gathering everything held about the child with ``case_id``, on the background worker.
    Only the IRO service manager and admins may; only the person who starts it can download it."""
    _require_oversight(by, "start a subject access export")
    child = child_by_case_id(case_id)
    if child is None:
        raise DomainError(
            f"No child has the case-management ID '{(case_id or '').strip()[:40]}'. Check the ID and try again.",
            field="case_id",
        )
    export = SubjectAccessExport.objects.create(
        child=child,
        requested_by=by,
        requested_at=timezone.now(),
        staff_names=settings.RECORDS_EXPORT_STAFF_NAMES,
    )
    from records.tasks import run_subject_access_export  # noqa: PLC0415 (records.tasks imports this module)

    run_subject_access_export.enqueue(export.pk)
    return export


def export_run(*, export_id: int) -> SubjectAccessExport:
    """Gather the export and make its ZIP. Claimed by one conditional UPDATE, so of two runs one does
    it; not itself atomic, so its row shows how it ended whatever happens."""
    now = timezone.now()
    claimed = SubjectAccessExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=now
    )
    export = SubjectAccessExport.objects.select_related("child", "requested_by").get(pk=export_id)
    if not claimed:
        return export
    try:
        document = subject_access_gather(
            child=export.child, by=export.requested_by, staff_names=export.staff_names, now=now
        )
        counts = subject_access_counts(document)
        content = render_zip(document=document, export_id=export.pk, counts=counts, at=now)
    except Exception:
        logger.exception("Subject access export %s failed", export.pk)
        export.status = ExportStatus.FAILED
        export.problem = "The export stopped because of an error in the service. Start it again, or ask for support."
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "problem", "finished_at"])
        return export
    finished = timezone.now()
    export.status, export.summary, export.content = ExportStatus.READY, counts, content
    export.size, export.sha256 = len(content), hashlib.sha256(content).hexdigest()
    export.finished_at, export.expires_at = finished, finished + EXPORT_KEPT_FOR
    export.save(update_fields=["status", "summary", "content", "size", "sha256", "finished_at", "expires_at"])
    return export


@transaction.atomic
def export_download(*, export: SubjectAccessExport, by: User, path: str) -> bytes:
    """The export's ZIP, once, for the person who started it, within 7 days; the download is written
    to the child's access log (``path``: the download's address), and the file is then removed."""
    export = SubjectAccessExport.objects.select_for_update().get(pk=export.pk)
    if export.requested_by_id != by.pk:
        raise NotPermitted("Only the person who started this export can download it. Start an export yourself.")
    if export.status != ExportStatus.READY:
        raise DomainError("This export is not ready to download. Its page says how it is going.")
    if export.downloaded_at is not None:
        raise DomainError(
            f"This export was downloaded on {timezone.localtime(export.downloaded_at):%d %B %Y at %H:%M} and can be "
            "downloaded only once. Start a new export."
        )
    if export.expires_at is None or timezone.now() >= export.expires_at or export.content is None:
        raise DomainError("This export has expired: exports can be downloaded for 7 days. Start a new export.")
    content = bytes(export.content)
    export.downloaded_at, export.content = timezone.now(), None
    export.save(update_fields=["downloaded_at", "content"])
    access_log_record(user=by, path=path, child=export.child)
    return content


@transaction.atomic
def exports_expire(*, now: dt.datetime | None = None) -> int:
    """Remove the files of exports not downloaded within 7 days. The number removed."""
    now = now or timezone.now()
    return SubjectAccessExport.objects.filter(content__isnull=False, expires_at__lte=now).update(content=None)
