"""How records are deleted and anonymised, with everything that goes with them, across the apps.

This module is the one place that knows which rows of which app belong to an escalation or a child.
It reads and writes through each app's models, and adds no rule to their ``save()`` or signals. Rows
are removed with plain DELETE statements (``QuerySet._raw_delete``), in an order that leaves no
reference dangling: no signal fires, so django-simple-history writes no "deleted" audit row holding
the content that is being removed; the record's tombstone says what went instead.

Only ``records.services`` calls it, inside a retention run's transaction, after
:func:`audit_release` (the audit trail's append-only trigger lets that transaction, and no other,
change audit rows: ``audit.services``).

Every function takes a list of ids and returns, for each, the rows that went with it by table
(``{"escalations.step": 3, ...}``), for its tombstone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, Model, Q, QuerySet

from audit.models import AccessLogEntry
from audit.services import RETENTION_SETTING
from children.models import Child
from drift.models import DriftFlag
from escalations.models import Escalation, Note, Step
from extract.models import Allocation, CarePlan, Visit
from imports.models import ImportJob
from notices.models import Notice
from records.models import ErasureRequest, LegalHold, RetentionRun, SubjectAccessExport
from reports.models import CaseStory, IssuedReport, IssueJob, ReportSnapshot, StoryOverride, TextOverride
from ssda903.models import Episode, HeaderRecord, MissingEpisode, Review, UascRecord

CHUNK = 2000  # ids per statement (SQLite allows 32,766 parameters)

# What an anonymised text reads.
REMOVED = "Removed under the retention schedule."

# The 903 return's tables, the case-management extract's and the drift watch's flags: one child's
# rows of these are one record of the "ssda903" class. tests/records/test_deletion.py fails when a
# table that refers to a child or an escalation is not covered here or below.
CHILD_ROWS: tuple[type[Model], ...] = (
    HeaderRecord,
    Episode,
    Review,
    MissingEpisode,
    UascRecord,
    Visit,
    CarePlan,
    Allocation,
    DriftFlag,
)

Parts = dict[str, int]


def audit_release(run: RetentionRun) -> None:
    """Let this transaction change audit rows, for ``run`` (see ``audit.services``). The setting is
    transaction-local (``set_config(..., true)``): it ends when the run's transaction does.
    SQLite has no append-only trigger, so there is nothing to release."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [RETENTION_SETTING, str(run.pk)])


def transaction_id() -> int | None:
    """PostgreSQL's id of the current (top-level) transaction, which the trigger compares with the
    run's; None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        return cursor.fetchone()[0]


# --- helpers ---------------------------------------------------------------------------------------


def chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _label(model) -> str:
    return model._meta.label_lower


def _wipe(queryset: QuerySet) -> int:
    """DELETE the rows, with no signals (so no "deleted" audit row is written) and no cascade."""
    return queryset._raw_delete(queryset.db)


def _count(parts: dict[int, Parts], queryset: QuerySet, owner: str, label: str) -> None:
    """Add to each owner's parts the number of rows of ``queryset`` it owns (``owner``: the column)."""
    for owner_id, n in queryset.order_by().values_list(owner).annotate(n=Count("pk")).values_list(owner, "n"):
        if n:
            parts[owner_id][label] = parts[owner_id].get(label, 0) + n


def _take(parts: dict[int, Parts], queryset: QuerySet, owner: str, label: str | None = None) -> None:
    """Count the rows for their owners, then delete them."""
    _count(parts, queryset, owner, label or _label(queryset.model))
    _wipe(queryset)


def _history(model) -> type[Model]:
    return model.history.model


def _link_histories():
    history = _history(Escalation)
    return [getattr(history, name).model for name in ("children", "themes", "subthemes", "drift_reasons")]


def _blank(queryset: QuerySet, fields: Iterable[str], marker: str = REMOVED) -> None:
    """Replace each non-empty text of ``fields`` with ``marker`` (one UPDATE per field)."""
    for name in fields:
        queryset.exclude(**{name: ""}).update(**{name: marker})


ESCALATION_TEXTS = ("concern", "desired_outcome", "cafcass_reason")
STEP_TEXTS = ("sent_reason", "response", "action_agreed", "end_reason")


# --- escalations ------------------------------------------------------------------------------------


def _escalation_parts_common(ids: list[int], parts: dict[int, Parts], *, notes: bool = True) -> None:
    """What goes whether an escalation is deleted or anonymised: its emails, case story (with the
    overrides asked for its text), notes, access log, lifted holds, and their audit rows."""
    steps = dict(Step.objects.filter(escalation_id__in=ids).values_list("pk", "escalation_id"))
    notices = Notice.objects.filter(Q(escalation_id__in=ids) | Q(step_id__in=list(steps)))
    notice_ids = list(notices.values_list("pk", flat=True))
    Notice.objects.filter(summary_id__in=notice_ids).update(summary=None)
    for escalation_id, step_id in Notice.objects.filter(pk__in=notice_ids).values_list("escalation_id", "step_id"):
        owner = escalation_id or steps[step_id]
        parts[owner]["notices.notice"] = parts[owner].get("notices.notice", 0) + 1
    _wipe(Notice.objects.filter(pk__in=notice_ids))

    stories = dict(CaseStory.objects.filter(escalation_id__in=ids).values_list("pk", "escalation_id"))
    if stories:
        subjects = {f"story:{pk}:{part}": stories[pk] for pk in stories for part in ("text", "next")}
        overrides = dict(TextOverride.objects.filter(subject__in=list(subjects)).values_list("pk", "subject"))
        for subject in overrides.values():
            owner = subjects[subject]
            parts[owner]["reports.textoverride"] = parts[owner].get("reports.textoverride", 0) + 1
        history = _history(TextOverride).objects.filter(id__in=list(overrides))
        for subject in history.values_list("subject", flat=True):
            if subject in subjects:
                owner = subjects[subject]
                label = _label(_history(TextOverride))
                parts[owner][label] = parts[owner].get(label, 0) + 1
        _wipe(history)
        _wipe(TextOverride.objects.filter(pk__in=list(overrides)))
        story_overrides = dict(StoryOverride.objects.filter(story_id__in=list(stories)).values_list("pk", "story_id"))
        for story_id in story_overrides.values():
            owner = stories[story_id]
            parts[owner]["reports.storyoverride"] = parts[owner].get("reports.storyoverride", 0) + 1
        override_history = _history(StoryOverride).objects.filter(story_id__in=list(stories))
        for story_id in override_history.values_list("story_id", flat=True):
            owner = stories[story_id]
            label = _label(_history(StoryOverride))
            parts[owner][label] = parts[owner].get(label, 0) + 1
        _wipe(override_history)
        _wipe(StoryOverride.objects.filter(pk__in=list(story_overrides)))
        _take(parts, _history(CaseStory).objects.filter(escalation_id__in=ids), "escalation_id")
        _take(parts, CaseStory.objects.filter(escalation_id__in=ids), "escalation_id")

    if notes:
        _take(parts, Note.objects.filter(escalation_id__in=ids), "escalation_id")
    _take(parts, AccessLogEntry.objects.filter(escalation_id__in=ids), "escalation_id")
    lifted = LegalHold.objects.filter(escalation_id__in=ids, lifted_at__isnull=False)
    _take(parts, _history(LegalHold).objects.filter(id__in=list(lifted.values_list("pk", flat=True))), "escalation_id")
    _take(parts, lifted, "escalation_id")
    _escalation_links_elsewhere(ids)


def _escalation_links_elsewhere(ids: list[int]) -> None:
    """Other apps' links to an escalation that is going, which are not part of it (SET_NULL)."""
    for relation in Escalation._meta.related_objects:
        if relation.one_to_many and relation.on_delete.__name__ == "SET_NULL":
            relation.related_model.objects.filter(**{f"{relation.field.name}_id__in": ids}).update(
                **{relation.field.name: None}
            )


def escalations_delete(ids: list[int]) -> dict[int, Parts]:
    """Delete the escalations with everything that is part of them, and their audit trail."""
    parts: dict[int, Parts] = defaultdict(dict)
    for chunk in chunks(ids):
        _escalation_parts_common(chunk, parts)
        Escalation.objects.filter(pk__in=chunk).update(current_step=None)
        step_ids = list(Step.objects.filter(escalation_id__in=chunk).values_list("pk", flat=True))
        _take(parts, _history(Step).objects.filter(id__in=step_ids), "escalation_id")
        _take(parts, Step.objects.filter(pk__in=step_ids), "escalation_id")
        for link in (Escalation.children, Escalation.themes, Escalation.subthemes, Escalation.drift_reasons):
            _wipe(link.through.objects.filter(escalation_id__in=chunk))
        for link_history in _link_histories():
            _take(parts, link_history.objects.filter(escalation_id__in=chunk), "escalation_id")
        _take(parts, _history(Escalation).objects.filter(id__in=chunk), "id")
        _wipe(Escalation.objects.filter(pk__in=chunk))
    return parts


def escalations_anonymise(ids: list[int]) -> dict[int, Parts]:
    """Keep the escalations' dates, stages, themes and outcome; unlink the children and remove every
    text typed into them, here and in their audit trail; delete their notes, case story, emails and
    access log. ``parts`` counts what was deleted, and the audit rows whose texts were removed
    (``...:anonymised``)."""
    parts: dict[int, Parts] = defaultdict(dict)
    children_history = _history(Escalation).children.model
    for chunk in chunks(ids):
        _escalation_parts_common(chunk, parts)
        _wipe(Escalation.children.through.objects.filter(escalation_id__in=chunk))
        _take(parts, children_history.objects.filter(escalation_id__in=chunk), "escalation_id")
        escalations = Escalation.objects.filter(pk__in=chunk)
        _blank(escalations, ESCALATION_TEXTS)
        escalations.update(import_row_hash="")
        steps = Step.objects.filter(escalation_id__in=chunk)
        _blank(steps, STEP_TEXTS)
        history = _history(Escalation).objects.filter(id__in=chunk)
        _count(parts, history, "id", f"{_label(_history(Escalation))}:anonymised")
        _blank(history, ESCALATION_TEXTS)
        history.update(import_row_hash="")
        step_history = _history(Step).objects.filter(escalation_id__in=chunk)
        _count(parts, step_history, "escalation_id", f"{_label(_history(Step))}:anonymised")
        _blank(step_history, STEP_TEXTS)
    return parts


# --- children -----------------------------------------------------------------------------------------


def child_rows_delete(ids: list[int]) -> dict[int, Parts]:
    """Delete the children's 903 return, extract and drift rows, and their audit trail."""
    parts: dict[int, Parts] = defaultdict(dict)
    for chunk in chunks(ids):
        for model in CHILD_ROWS:
            if hasattr(model, "history"):
                _take(parts, _history(model).objects.filter(child_id__in=chunk), "child_id")
            _take(parts, model.objects.filter(child_id__in=chunk), "child_id")
    return parts


def children_delete(ids: list[int]) -> dict[int, Parts]:
    """Delete the children's records: their rows of every table (:func:`child_rows_delete`), their
    access log, subject access exports, lifted legal holds, links to escalations in the audit trail,
    and the child's own record and audit trail. A child still linked to an escalation is not given
    here (the plan and the erasure unlink or delete those first)."""
    parts = child_rows_delete(ids)
    children_history = _history(Escalation).children.model
    for chunk in chunks(ids):
        _take(parts, AccessLogEntry.objects.filter(child_id__in=chunk), "child_id")
        _take(parts, SubjectAccessExport.objects.filter(child_id__in=chunk), "child_id")
        lifted = LegalHold.objects.filter(child_id__in=chunk, lifted_at__isnull=False)
        _take(parts, _history(LegalHold).objects.filter(id__in=list(lifted.values_list("pk", flat=True))), "child_id")
        _take(parts, lifted, "child_id")
        ErasureRequest.objects.filter(child_id__in=chunk).update(child=None)
        _take(parts, children_history.objects.filter(child_id__in=chunk), "child_id")
        _take(parts, _history(Child).objects.filter(id__in=chunk), "id")
        _wipe(Child.objects.filter(pk__in=chunk))
    return parts


def child_detach(*, child: Child, escalation_ids: list[int], redact) -> dict[int, Parts]:
    """Erasure, for escalations the child shares with other children: take the child off them, and
    out of their texts (``redact``: text -> text), here and in the audit trail. The escalations stay,
    as the other children's records. The access log entries of the child go with the child."""
    parts: dict[int, Parts] = defaultdict(dict)
    children_history = _history(Escalation).children.model
    for chunk in chunks(escalation_ids):
        _wipe(Escalation.children.through.objects.filter(escalation_id__in=chunk, child_id=child.pk))
        _take(parts, children_history.objects.filter(escalation_id__in=chunk, child_id=child.pk), "escalation_id")
        texts = (
            (Escalation.objects.filter(pk__in=chunk), "pk", ESCALATION_TEXTS),
            (_history(Escalation).objects.filter(id__in=chunk), "history_id", ESCALATION_TEXTS),
            (Step.objects.filter(escalation_id__in=chunk), "pk", STEP_TEXTS),
            (_history(Step).objects.filter(escalation_id__in=chunk), "history_id", STEP_TEXTS),
            (Note.objects.filter(escalation_id__in=chunk), "pk", ("text",)),
            (CaseStory.objects.filter(escalation_id__in=chunk), "pk", ("drafted_text", "text", "what_happened_next")),
            (
                _history(CaseStory).objects.filter(escalation_id__in=chunk),
                "history_id",
                ("drafted_text", "text", "what_happened_next"),
            ),
        )
        for queryset, key, fields in texts:
            for row in queryset.values(key, *fields):
                changed = {name: redact(row[name]) for name in fields if row[name] and redact(row[name]) != row[name]}
                if changed:
                    queryset.model.objects.filter(**{key: row[key]}).update(**changed)
    return parts


# --- the other classes ---------------------------------------------------------------------------------


def access_entries_delete(ids: list[int]) -> dict[int, Parts]:
    for chunk in chunks(ids):
        _wipe(AccessLogEntry.objects.filter(pk__in=chunk))
    return {}


def import_jobs_delete(ids: list[int]) -> dict[int, Parts]:
    """Delete import jobs (an import and the check it confirmed go together: the plan gives both)."""
    for chunk in chunks(ids):  # every link first: an import in one chunk may name a check in another
        ImportJob.objects.filter(pk__in=chunk).update(preview=None)
    for chunk in chunks(ids):
        _wipe(ImportJob.objects.filter(pk__in=chunk))
    return {}


def import_jobs_forget(*, case_id: str) -> int:
    """Erasure: take a child's case ID out of the problems and results of import jobs. The number of jobs changed."""
    changed = 0
    for job in ImportJob.objects.only("pk", "problems", "result"):
        problems = [_without(line, case_id) for line in job.problems or []]
        result = _without_in(job.result, case_id)
        if problems != (job.problems or []) or result != job.result:
            ImportJob.objects.filter(pk=job.pk).update(problems=problems, result=result)
            changed += 1
    return changed


def _without(text: str, case_id: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(case_id)}(?!\w)", "[erased]", text, flags=re.IGNORECASE)


def _without_in(value, case_id: str):
    if isinstance(value, str):
        return _without(value, case_id)
    if isinstance(value, list):
        return [_without_in(item, case_id) for item in value]
    if isinstance(value, dict):
        return {key: _without_in(item, case_id) for key, item in value.items()}
    return value


def issued_reports_delete(ids: list[int]) -> dict[int, Parts]:
    """Delete issued reports with their audit rows; the jobs that issued them are kept, without the link."""
    parts: dict[int, Parts] = defaultdict(dict)
    for chunk in chunks(ids):
        IssueJob.objects.filter(issued_id__in=chunk).update(issued=None)
        _take(parts, _history(IssuedReport).objects.filter(id__in=chunk), "id")
        _wipe(IssuedReport.objects.filter(pk__in=chunk))
    return parts


def issued_reports_anonymise(ids: list[int]) -> dict[int, Parts]:
    """Remove the escalation-by-escalation facts (their audit trail never held them: it excludes the field)."""
    parts: dict[int, Parts] = defaultdict(dict)
    for chunk in chunks(ids):
        reports = IssuedReport.objects.filter(pk__in=chunk)
        for pk, facts in reports.values_list("pk", "escalations"):
            parts[pk]["escalation facts"] = len(facts or {})
        reports.update(escalations={})
    return parts


def report_pages_forget() -> int:
    """Delete every stored report page (``reports.models.ReportSnapshot``): made from the records,
    it may hold what was just deleted or anonymised (a case story, an escalation's reference), and
    the next view makes it again from what is left. Returns how many."""
    return _wipe(ReportSnapshot.objects.all())
