"""Reads for records management: the retention schedule and what it would do today (the dry run,
which the retention job itself acts on), legal holds, runs and tombstones, subject access exports,
and everything held about one child, gathered for their export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.selectors import access_log_for_child, audit_entries_for
from children.models import Child
from children.selectors import child_get_for
from drift.models import DriftFlag
from escalations.models import Escalation, EscalationStatus
from escalations.selectors import escalation_detail, escalation_timeline, escalation_visible_to
from extract.models import Allocation, CarePlan, Visit
from imports.models import ImportJob
from people.models import User
from records.classes import CLASSES, ORDER, Action, ClassInfo, RecordClass, Unit, before, period_words
from records.deletion import CHILD_ROWS
from records.models import (
    ErasureRequest,
    ErasureStatus,
    LegalHold,
    RetentionRule,
    RetentionRun,
    SubjectAccessExport,
    Tombstone,
)
from records.redaction import A_SOCIAL_WORKER, ANOTHER_CHILD, Redactor
from reports.models import CaseStory, IssuedReport
from ssda903.selectors import (
    episodes_by_key,
    header_records_by_child,
    missing_episodes_by_key,
    reviews_by_key,
    uasc_records_by_child,
)

# --- the schedule --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A record class's rule: an admin's, or the default."""

    info: ClassInfo
    keep_for: int
    unit: str
    action: str
    reason: str
    changed_by: User | None = None
    changed_at: dt.datetime | None = None

    @property
    def code(self) -> str:
        return self.info.code

    @property
    def is_default(self) -> bool:
        return self.changed_by is None

    @property
    def period(self) -> str:
        return period_words(self.keep_for, self.unit)

    @property
    def action_label(self) -> str:
        return Action(self.action).label

    @property
    def words(self) -> str:
        """ "Escalations: 6 years after it was closed, then delete" (a tombstone's rule)."""
        case_record = case_record_age() if self.info.follows_case_record else 0
        kept = f", and not while a child's case record is kept (until their {_ordinal(case_record)} birthday)"
        return (
            f"{self.info.label}: {self.period} after {self.info.counted_from}, then {self.action_label.lower()}"
            f"{kept if case_record else ''}"
        )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def case_record_age() -> int:
    """The birthday until which a looked-after child's case record is kept (0: no link)."""
    return settings.RECORDS_CASE_RECORD_UNTIL_AGE


def retention_rules() -> dict[str, Rule]:
    """Every record class's rule, in the order a run acts: the admin's where they changed it, else the default."""
    stored = {rule.record_class: rule for rule in RetentionRule.objects.select_related("updated_by")}
    rules = {}
    for code in ORDER:
        info = CLASSES[code]
        rule = stored.get(code)
        if rule is None:
            rules[code] = Rule(info, info.keep_for, info.unit, info.action, info.reason)
        else:
            rules[code] = Rule(
                info, rule.keep_for, rule.unit, rule.action, rule.reason, rule.updated_by, rule.updated_at
            )
    return rules


def retention_rule(code: str) -> Rule:
    """One record class's rule; ``KeyError`` for a code that is not a class."""
    return retention_rules()[RecordClass(code)]


# --- the plan: what a run would do today (the dry run) ------------------------------------------


@dataclass
class ClassPlan:
    """What a run does with one record class: the records due (``queryset``), and those due by date
    but kept, and why."""

    rule: Rule
    cutoff: dt.date  # records counted from this day or earlier are due
    model: type
    queryset: QuerySet  # the records due
    held: int = 0  # under a legal hold
    case_record: int = 0  # kept while a child's case record is (one of their children is too young)
    no_birth_date: int = 0  # ...of which a child's date of birth is not recorded
    still_named: int = 0  # children still named on an escalation that is kept
    count: int = 0
    ids: list[int] = field(default_factory=list)

    @property
    def kept(self) -> int:
        return self.held + self.case_record + self.still_named


@dataclass
class RetentionPlan:
    as_of: dt.date
    classes: list[ClassPlan]

    def by_class(self) -> dict[str, ClassPlan]:
        return {plan.rule.code: plan for plan in self.classes}

    def materialise(self) -> RetentionPlan:
        """Fix each class's records now, before anything is deleted (later classes' queries refer
        to earlier ones')."""
        for plan in self.classes:
            plan.ids = sorted(plan.queryset.values_list("pk", flat=True))
            plan.count = len(plan.ids)
        return self


def _day_after_start(day: dt.date) -> dt.datetime:
    """The first instant (London) of the day after ``day``: a moment before it falls on ``day`` or earlier."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _links(**filters):
    return Escalation.children.through.objects.filter(**filters)


def retention_plan(*, as_of: dt.date | None = None) -> RetentionPlan:
    """What a retention run would do on ``as_of`` (today in London by default), class by class, in
    the order it acts. The dry-run page shows its counts; the run (``records.services.retention_run``)
    fixes its records (:meth:`RetentionPlan.materialise`) and acts on exactly those."""
    as_of = as_of or timezone.localdate()
    rules = retention_rules()
    holds = LegalHold.objects.filter(lifted_at__isnull=True)
    held_children = holds.filter(child__isnull=False).values("child_id")
    held_escalations = holds.filter(escalation__isnull=False).values("escalation_id")
    age = case_record_age()
    born_by = before(as_of, age, Unit.YEARS) if age else None

    def cutoff(code: str) -> dt.date:
        rule = rules[code]
        return before(as_of, rule.keep_for, rule.unit)

    plans = []

    # Escalations: closed on the cutoff day or before.
    rule = rules[RecordClass.ESCALATIONS]
    day = cutoff(RecordClass.ESCALATIONS)
    escalations = Escalation.objects.filter(status=EscalationStatus.CLOSED, closed_at__lt=_day_after_start(day))
    if rule.action == Action.ANONYMISE:  # those already anonymised have no children left
        escalations = escalations.filter(Exists(_links(escalation=OuterRef("pk"))))
    held_q = Q(pk__in=held_escalations) | Exists(_links(escalation=OuterRef("pk"), child_id__in=held_children))
    plan = ClassPlan(rule, day, Escalation, escalations.none())
    plan.held = escalations.filter(held_q).count()
    free = escalations.exclude(held_q)
    if born_by is not None:
        too_young = Exists(
            _links(escalation=OuterRef("pk")).filter(
                Q(child__date_of_birth__isnull=True) | Q(child__date_of_birth__gt=born_by)
            )
        )
        no_birth_date = Exists(_links(escalation=OuterRef("pk"), child__date_of_birth__isnull=True))
        plan.case_record = free.filter(too_young).count()
        plan.no_birth_date = free.filter(too_young, no_birth_date).count()
        free = free.exclude(too_young)
    plan.queryset = free
    plans.append(plan)
    escalations_due = free.values("pk")

    # Children: no longer looked after since the cutoff day or before, and no escalation left.
    rule = rules[RecordClass.CHILDREN]
    day = cutoff(RecordClass.CHILDREN)
    children = Child.objects.filter(looked_after_to__lte=day)
    plan = ClassPlan(rule, day, Child, children.none())
    plan.held = children.filter(pk__in=held_children).count()
    free = children.exclude(pk__in=held_children)
    named = Exists(_links(child=OuterRef("pk")).exclude(escalation_id__in=escalations_due))
    plan.still_named = free.filter(named).count()
    free = free.exclude(named)
    if born_by is not None:
        too_young = Q(date_of_birth__isnull=True) | Q(date_of_birth__gt=born_by)
        plan.case_record = free.filter(too_young).count()
        plan.no_birth_date = free.filter(date_of_birth__isnull=True).count()
        free = free.exclude(too_young)
    plan.queryset = free
    plans.append(plan)
    children_due = free.values("pk")

    # 903 return and extract rows: the child stopped being looked after on the cutoff day or before.
    rule = rules[RecordClass.SSDA903]
    day = cutoff(RecordClass.SSDA903)
    has_rows = Q()
    for model in CHILD_ROWS:
        has_rows |= Q(Exists(model.objects.filter(child=OuterRef("pk"))))
    rows = Child.objects.filter(looked_after_to__lte=day).filter(has_rows).exclude(pk__in=children_due)
    plan = ClassPlan(rule, day, Child, rows.none())
    plan.held = rows.filter(pk__in=held_children).count()
    plan.queryset = rows.exclude(pk__in=held_children)
    plans.append(plan)

    # The access log: opened on the cutoff day or before, and not part of a record going above.
    rule = rules[RecordClass.ACCESS_LOG]
    day = cutoff(RecordClass.ACCESS_LOG)
    entries = AccessLogEntry.objects.filter(viewed_at__lt=_day_after_start(day)).exclude(
        Q(escalation_id__in=escalations_due) | Q(child_id__in=children_due)
    )
    held_q = (
        Q(child_id__in=held_children)
        | Q(escalation_id__in=held_escalations)
        | Exists(_links(escalation=OuterRef("escalation_id"), child_id__in=held_children))
    )
    plan = ClassPlan(rule, day, AccessLogEntry, entries.none())
    plan.held = entries.filter(held_q).count()
    plan.queryset = entries.exclude(held_q)
    plans.append(plan)

    # Import jobs: ended (or, never ended, started) on the cutoff day or before; a check goes with
    # the import that confirmed it.
    rule = rules[RecordClass.IMPORT_JOBS]
    day = cutoff(RecordClass.IMPORT_JOBS)
    ended = ImportJob.objects.annotate(ended=Coalesce("finished_at", "created_at"))
    due = ended.filter(ended__lt=_day_after_start(day))
    later = ended.filter(ended__gte=_day_after_start(day))
    jobs = due.exclude(Exists(later.filter(preview_id=OuterRef("pk"))))
    plans.append(ClassPlan(rule, day, ImportJob, ImportJob.objects.filter(pk__in=jobs.values("pk"))))

    # Issued reports: issued on the cutoff day or before (anonymised: those still holding facts).
    rule = rules[RecordClass.ISSUED_REPORTS]
    day = cutoff(RecordClass.ISSUED_REPORTS)
    reports = IssuedReport.objects.filter(issued_at__lt=_day_after_start(day))
    if rule.action == Action.ANONYMISE:
        with_facts = [pk for pk, facts in reports.values_list("pk", "escalations") if facts]
        reports = IssuedReport.objects.filter(pk__in=with_facts)
    plans.append(ClassPlan(rule, day, IssuedReport, reports))

    plan = RetentionPlan(as_of=as_of, classes=plans)
    for each in plan.classes:
        each.count = each.queryset.count()
    return plan


# --- legal holds -------------------------------------------------------------------------------------


def legal_holds_active() -> QuerySet[LegalHold]:
    return (
        LegalHold.objects.filter(lifted_at__isnull=True)
        .select_related("child", "escalation", "placed_by")
        .order_by("-placed_at", "-pk")
    )


def legal_holds_lifted(*, limit: int = 50) -> list[LegalHold]:
    return list(
        LegalHold.objects.filter(lifted_at__isnull=False)
        .select_related("child", "escalation", "placed_by", "lifted_by")
        .order_by("-lifted_at", "-pk")[:limit]
    )


def legal_hold_find(pk: int) -> LegalHold:
    """``LegalHold.DoesNotExist`` when there is none."""
    return LegalHold.objects.select_related("child", "escalation", "placed_by", "lifted_by").get(pk=pk)


def holds_on(*, child: Child) -> list[LegalHold]:
    """The active holds that keep ``child``'s records: on the child, or on an escalation about them."""
    about = Escalation.children.through.objects.filter(child=child).values("escalation_id")
    return list(
        LegalHold.objects.filter(lifted_at__isnull=True)
        .filter(Q(child=child) | Q(escalation_id__in=about))
        .select_related("escalation", "child")
    )


def child_by_case_id(case_id: str) -> Child | None:
    """The child with this case-management ID (compared ignoring case and spaces at either end), or None."""
    case_id = (case_id or "").strip()
    return Child.objects.filter(case_id__iexact=case_id).first() if case_id else None


# --- runs and tombstones -------------------------------------------------------------------------------


def retention_runs(*, limit: int = 50) -> list[RetentionRun]:
    return list(RetentionRun.objects.select_related("started_by").order_by("-started_at", "-pk")[:limit])


def retention_run_find(pk: int) -> RetentionRun:
    return RetentionRun.objects.select_related("started_by").get(pk=pk)


def tombstones_of(run: RetentionRun) -> QuerySet[Tombstone]:
    return Tombstone.objects.filter(run=run).order_by("record_class", "model", "object_id")


# --- erasure requests --------------------------------------------------------------------------------


def erasure_requests() -> QuerySet[ErasureRequest]:
    return ErasureRequest.objects.select_related("child", "requested_by", "decided_by", "run").order_by(
        "-requested_at", "-pk"
    )


def erasure_requests_pending() -> QuerySet[ErasureRequest]:
    return erasure_requests().filter(status=ErasureStatus.PENDING)


def erasure_find(pk: int) -> ErasureRequest:
    return erasure_requests().get(pk=pk)


@dataclass(frozen=True)
class ErasureScope:
    """What erasing one child would do."""

    deleted: list[Escalation]  # escalations about them alone
    shared: list[Escalation]  # escalations with other children, which lose this child
    holds: list[LegalHold]  # holds that stop it
    rows: list[str]  # their other rows, in words ("2 episodes from the 903 return"); none left out but empty tables


ROW_WORDS = {  # what a row of each table is, one and many
    "ssda903.headerrecord": ("903 return header", "903 return headers"),
    "ssda903.episode": ("episode from the 903 return", "episodes from the 903 return"),
    "ssda903.review": ("review from the 903 return", "reviews from the 903 return"),
    "ssda903.missingepisode": ("missing episode from the 903 return", "missing episodes from the 903 return"),
    "ssda903.uascrecord": ("903 return UASC record", "903 return UASC records"),
    "extract.visit": ("social worker visit", "social worker visits"),
    "extract.careplan": ("care plan", "care plans"),
    "extract.allocation": ("allocated worker", "allocated workers"),
    "drift.driftflag": ("drift watch flag", "drift watch flags"),
    "audit.accesslogentry": ("access log entry", "access log entries"),
}


def _rows_in_words(model, n: int) -> str:
    one, many = ROW_WORDS.get(model._meta.label_lower, (model._meta.verbose_name, model._meta.verbose_name_plural))
    return f"{n} {one if n == 1 else many}"


def erasure_scope(*, child: Child) -> ErasureScope:
    escalations = list(
        Escalation.objects.filter(children=child).prefetch_related("children").order_by("raised_at", "pk")
    )
    deleted = [e for e in escalations if len(e.children.all()) == 1]
    shared = [e for e in escalations if len(e.children.all()) > 1]
    counts = [(model, model.objects.filter(child=child).count()) for model in (*CHILD_ROWS, AccessLogEntry)]
    rows = [_rows_in_words(model, n) for model, n in counts if n]
    return ErasureScope(deleted=deleted, shared=shared, holds=holds_on(child=child), rows=rows)


# --- subject access exports ----------------------------------------------------------------------------


EXPORT_STATES = {
    "queued": ("Waiting to start", "blue"),
    "running": ("Being gathered", "blue"),
    "ready": ("Ready to download", "green"),
    "downloaded": ("Downloaded", "grey"),
    "expired": ("Expired", "grey"),
    "failed": ("Not made", "red"),
}


def export_state(export: SubjectAccessExport, *, now: dt.datetime | None = None) -> str:
    """Where an export stands: queued, running, ready, downloaded, expired or failed."""
    now = now or timezone.now()
    if export.downloaded_at is not None:
        return "downloaded"
    if export.status == "ready" and (export.expires_at is None or now >= export.expires_at):
        return "expired"
    return export.status


def _with_state(export: SubjectAccessExport, now: dt.datetime) -> SubjectAccessExport:
    export.state = export_state(export, now=now)
    export.state_label, export.state_colour = EXPORT_STATES[export.state]
    return export


def exports_recent(*, limit: int = 50) -> list[SubjectAccessExport]:
    now = timezone.now()
    rows = (
        SubjectAccessExport.objects.select_related("child", "requested_by")
        .defer("content")
        .order_by("-requested_at", "-pk")[:limit]
    )
    return [_with_state(export, now) for export in rows]


def export_find(pk: int) -> SubjectAccessExport:
    """``SubjectAccessExport.DoesNotExist`` when there is none."""
    export = SubjectAccessExport.objects.select_related("child", "requested_by").defer("content").get(pk=pk)
    return _with_state(export, timezone.now())


def export_may_download(export: SubjectAccessExport, *, user: User, now: dt.datetime | None = None) -> bool:
    """Whether ``user`` may download it now: theirs, ready, not yet downloaded or expired."""
    return export.requested_by_id == user.pk and export_state(export, now=now) == "ready"


# --- everything held about one child -------------------------------------------------------------------

SCHEMA = "iro-escalations/subject-access/1"


def _iso(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _yes_no(value: bool | None) -> str:
    return "not recorded" if value is None else ("yes" if value else "no")


def _row(instance, names) -> dict:
    return {name: _iso(getattr(instance, name)) for name in names}


class _Describer:
    """Turns the values of the audit trail's fields into words: a person by name (or role), a stage
    or theme by its label, the subject as "this child" and anyone else as "another child"."""

    def __init__(self, *, subject: Child, redactor: Redactor):
        self.subject = subject
        self.redactor = redactor
        self.cache: dict[tuple[type, object], str] = {}

    def value(self, model, name: str, value):
        if value is None or value == "":
            return ""
        try:
            model_field = model._meta.get_field(name)
        except Exception:
            return _iso(value)
        if model_field.many_to_many and isinstance(value, list):
            target = model_field.related_model
            key = target._meta.model_name
            return [self._object(target, item.get(key) if isinstance(item, dict) else item) for item in value]
        if model_field.is_relation and model_field.related_model is not None:
            return self._object(model_field.related_model, value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return _iso(value)

    def _object(self, model, pk) -> str:
        if pk is None:
            return ""
        if model is Child:
            return "this child" if pk == self.subject.pk else ANOTHER_CHILD
        key = (model, pk)
        if key not in self.cache:
            found = model._default_manager.filter(pk=pk).first()
            if found is None:
                self.cache[key] = f"(no longer held: {model._meta.verbose_name} {pk})"
            elif isinstance(found, User):
                self.cache[key] = self.redactor.staff_label(found)
            elif found.__class__.__name__ == "Step":
                self.cache[key] = f"step {found.sequence}"
            else:
                self.cache[key] = str(found)
        return self.cache[key]


def _history(describer: _Describer, instance, label: str) -> dict:
    model = type(instance)
    entries = []
    for entry in audit_entries_for(instance):
        entries.append(
            {
                "when": _iso(entry.when),
                "who": describer.redactor.who(entry.who),
                "action": entry.action,
                "changes": [
                    {
                        "field": change.field.replace("_", " "),
                        "before": describer.value(model, change.field, change.before),
                        "after": describer.value(model, change.field, change.after),
                    }
                    for change in entry.changes
                ],
            }
        )
    return {"record": label, "entries": entries}


CHILD_FIELDS = (
    "case_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "legal_status",
    "looked_after_from",
    "looked_after_to",
    "social_worker",
    "details_to_complete",
)


def subject_access_gather(*, child: Child, by: User, staff_names: bool, now: dt.datetime | None = None) -> dict:
    """Everything held about ``child``, as ``by`` may see it (the service manager and admins see
    all): their record and 903 rows, every escalation about them with its steps, notes, reasons,
    outcomes and timeline (through the escalations' own selectors), the case stories drafted from
    those, the audit trail of each of these, their access log and any legal holds.

    Other children are "another child" everywhere, and staff are named or shown by their role as
    ``staff_names`` says. Returns the export's JSON document; ``records.export`` prints it."""
    now = now or timezone.now()
    child = child_get_for(user=by, pk=child.pk)
    redactor = Redactor(subject=child, staff_names=staff_names)
    describer = _Describer(subject=child, redactor=redactor)
    staff = redactor.staff_label
    history = [_history(describer, child, "The child's record")]

    record = _row(child, CHILD_FIELDS)
    record["sex"] = child.get_sex_display()
    record["details_to_complete"] = "yes" if child.details_to_complete else "no"
    record["team"] = str(child.team) if child.team_id else ""
    record["iro"] = staff(child.iro)
    brothers_and_sisters = (
        Child.objects.filter(sibling_group_id=child.sibling_group_id).exclude(pk=child.pk).count()
        if child.sibling_group_id
        else 0
    )
    record["sibling_group"] = {
        "label": str(child.sibling_group) if child.sibling_group_id else "",
        "brothers_and_sisters_recorded": brothers_and_sisters,
    }

    ids = [child.pk]
    header = header_records_by_child(ids).get(child.pk)
    uasc = uasc_records_by_child(ids).get(child.pk)
    episodes = sorted(episodes_by_key(ids).values(), key=lambda row: row.start)
    reviews = sorted(reviews_by_key(ids).values(), key=lambda row: row.date)
    missing = sorted(missing_episodes_by_key(ids).values(), key=lambda row: row.start)
    ssda903 = {
        "header": _row(header, ("ethnicity", "upn", "mother", "mother_child_dob")) if header else None,
        "episodes": [
            _row(
                row,
                (
                    "start",
                    "reason_new_episode",
                    "legal_status",
                    "category_of_need",
                    "placement_type",
                    "placement_provider",
                    "end",
                    "reason_ended",
                    "reason_place_change",
                    "home_postcode",
                    "placement_postcode",
                    "urn",
                ),
            )
            for row in episodes
        ],
        "reviews": [_row(row, ("date", "participation")) for row in reviews],
        "missing_episodes": [_row(row, ("kind", "start", "end")) for row in missing],
        "uasc": _row(uasc, ("ceased",)) if uasc else None,
    }
    if header:
        history.append(_history(describer, header, "903 header"))
    for row in episodes:
        history.append(_history(describer, row, f"903 episode from {row.start.isoformat()}"))
    for row in reviews:
        history.append(_history(describer, row, f"903 review on {row.date.isoformat()}"))
    for row in missing:
        history.append(_history(describer, row, f"903 missing episode from {row.start.isoformat()}"))
    if uasc:
        history.append(_history(describer, uasc, "903 UASC record"))

    visits = list(Visit.objects.filter(child=child).order_by("date", "pk"))
    plans = list(CarePlan.objects.filter(child=child).order_by("start", "pk"))
    allocations = list(Allocation.objects.filter(child=child).order_by("start", "pk"))
    extract = {
        "visits": [
            {"date": _iso(v.date), "seen": _yes_no(v.seen), "seen_alone": _yes_no(v.seen_alone)} for v in visits
        ],
        "care_plans": [_row(row, ("start", "end")) for row in plans],
        "allocations": [
            {**_row(row, ("role", "team", "start", "end")), "worker": row.worker if staff_names else A_SOCIAL_WORKER}
            for row in allocations
        ],
    }
    for row in visits:
        history.append(_history(describer, row, f"Social worker visit on {row.date.isoformat()}"))
    for row in plans:
        history.append(_history(describer, row, f"Care plan from {row.start.isoformat()}"))
    for row in allocations:
        history.append(_history(describer, row, f"Allocated worker from {row.start.isoformat()}"))
    flags = [
        {
            "rule": flag.get_rule_display(),
            "due": _iso(flag.due),
            "detail": flag.detail,
            "first_seen": _iso(flag.first_seen),
            "cleared_on": _iso(flag.cleared_on),
            "escalation": flag.escalation.reference if flag.escalation_id else "",
        }
        for flag in DriftFlag.objects.filter(child=child).select_related("escalation").order_by("first_seen", "pk")
    ]

    visible = escalation_visible_to(user=by)
    escalations = []
    stories = []
    for pk in visible.filter(children=child).order_by("raised_at", "pk").values_list("pk", flat=True):
        escalation = escalation_detail(queryset=visible, pk=pk)
        escalations.append(_escalation(escalation, child, staff))
        history.append(_history(describer, escalation, f"Escalation {escalation.reference}"))
        for step in escalation.steps.all():
            history.append(_history(describer, step, f"Escalation {escalation.reference}, step {step.sequence}"))
        story = CaseStory.objects.filter(escalation=escalation).select_related("updated_by").first()
        if story is not None:
            stories.append(
                {
                    "escalation": escalation.reference,
                    "included_in_the_report": "yes" if story.include_in_report else "no",
                    "drafted_text": story.drafted_text,
                    "text": story.text,
                    "what_happened_next": story.what_happened_next,
                    "updated_by": staff(story.updated_by),
                    "updated_at": _iso(story.updated_at),
                }
            )
            history.append(_history(describer, story, f"Case story for {escalation.reference}"))

    access = [
        {"viewed_at": _iso(entry.viewed_at), "who": staff(entry.user), "page": entry.path}
        for entry in access_log_for_child(child=child)
    ]
    about = Escalation.children.through.objects.filter(child=child).values("escalation_id")
    holds = [
        {
            "on": "this child" if hold.child_id else f"escalation {hold.escalation.reference}",
            "reason": hold.reason,
            "placed_by": staff(hold.placed_by),
            "placed_at": _iso(hold.placed_at),
            "lifted_by": staff(hold.lifted_by),
            "lifted_at": _iso(hold.lifted_at),
            "why_lifted": hold.lift_reason,
        }
        for hold in LegalHold.objects.filter(Q(child=child) | Q(escalation_id__in=about))
        .select_related("escalation", "placed_by", "lifted_by")
        .order_by("placed_at", "pk")
    ]

    document = {
        "schema": SCHEMA,
        "produced_at": _iso(now),
        "produced_by": staff(by),
        "council": settings.SERVICE_COUNCIL_NAME,
        "redaction": {
            "other_children": f"Other children are shown as '{ANOTHER_CHILD}', wherever they are named.",
            "staff": "Staff are named." if staff_names else "Staff are shown by their role, not named.",
        },
        "child": record,
        "ssda903": ssda903,
        "case_management_extract": extract,
        "drift_flags": flags,
        "escalations": escalations,
        "case_stories": stories,
        "history": history,
        "access_log": access,
        "legal_holds": holds,
    }
    return redactor.walk(document)


def _escalation(escalation: Escalation, child: Child, staff) -> dict:
    steps = []
    for step in escalation.steps.all():
        steps.append(
            {
                "sequence": step.sequence,
                "stage": step.stage.label,
                "sent_to": staff(step.addressee) or "(person not recorded)",
                "sent_for": staff(step.sent_for),
                "sent_at": _iso(step.sent_at),
                "sent_by": staff(step.sent_by),
                "why_sent": step.sent_reason,
                "target_working_days": step.target_working_days,
                "due_on": _iso(step.due_on),
                "first_response_at": _iso(step.first_response_at),
                "first_response_by": staff(step.first_response_by),
                "responded_at": _iso(step.responded_at),
                "responded_by": staff(step.responded_by),
                "response": step.response,
                "action_agreed": step.action_agreed,
                "action_due_on": _iso(step.action_due_on),
                "result": step.get_result_display() if step.result else "",
                "ended_at": _iso(step.ended_at),
                "ended_by": staff(step.ended_by),
                "why_ended": step.end_reason,
            }
        )
    return {
        "reference": escalation.reference,
        "raised_at": _iso(escalation.raised_at),
        "raised_by": staff(escalation.iro),
        "children": ["this child" if c.pk == child.pk else ANOTHER_CHILD for c in escalation.children.all()],
        "concern": escalation.concern,
        "desired_outcome": escalation.desired_outcome,
        "themes": [theme.label for theme in escalation.themes.all()],
        "subthemes": [subtheme.label for subtheme in escalation.subthemes.all()],
        "drift_reasons": [reason.label for reason in escalation.drift_reasons.all()],
        "status": escalation.get_status_display(),
        "outcome": escalation.outcome.label if escalation.outcome_id else "",
        "closed_at": _iso(escalation.closed_at),
        "cafcass_referred_on": _iso(escalation.cafcass_referred_on),
        "cafcass_reason": escalation.cafcass_reason,
        "steps": steps,
        "notes": [
            {"at": _iso(note.created_at), "by": staff(note.author), "text": note.text}
            for note in escalation.notes.all()
        ],
        "timeline": [
            {"title": event.title, "at": _iso(event.at), "by": event.by, "lines": list(event.lines)}
            for event in escalation_timeline(escalation=escalation)
        ],
    }


def subject_access_counts(document: dict) -> dict[str, int]:
    """What an export holds, in numbers (for its manifest and its page; no content)."""
    ssda903 = document["ssda903"]
    return {
        "escalations": len(document["escalations"]),
        "steps": sum(len(e["steps"]) for e in document["escalations"]),
        "notes": sum(len(e["notes"]) for e in document["escalations"]),
        "case_stories": len(document["case_stories"]),
        "ssda903_episodes": len(ssda903["episodes"]),
        "ssda903_reviews": len(ssda903["reviews"]),
        "ssda903_missing_episodes": len(ssda903["missing_episodes"]),
        "extract_visits": len(document["case_management_extract"]["visits"]),
        "extract_care_plans": len(document["case_management_extract"]["care_plans"]),
        "extract_allocations": len(document["case_management_extract"]["allocations"]),
        "drift_flags": len(document["drift_flags"]),
        "audit_trail_entries": sum(len(h["entries"]) for h in document["history"]),
        "access_log_entries": len(document["access_log"]),
        "legal_holds": len(document["legal_holds"]),
    }
