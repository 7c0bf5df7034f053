"""Reads for escalations. Pages and reports call these; none of them scans the steps table
for a list: the denormalised fields on ``Escalation`` carry what lists need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.core.paginator import Page
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from audit.selectors import audit_entries_for
from children.models import Child
from children.selectors import child_matching
from core.formats import format_date
from core.paging import CappedPaginator, KeysetPage, keyset_page, keyset_rows
from escalations.models import (
    KEPT_COPIES,
    NO_STAGE,
    NOT_DUE,
    Escalation,
    EscalationStatus,
    Note,
    Step,
    StepResult,
)
from ladder.selectors import ladder_settings
from notices.delivery import notice_link
from notices.selectors import notices_failed
from people.models import Role, User
from themes.models import Theme
from workdays.clock import WorkingCalendar, local_date


class DueState(StrEnum):
    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    MISSED = "missed"


def due_state(
    *,
    due_on: dt.date,
    due_at: dt.datetime,
    responded_at: dt.datetime | None,
    ended_at: dt.datetime | None,
    now: dt.datetime,
    calendar: WorkingCalendar,
) -> DueState:
    """Where a response stands against its due time.

    - met: responded before the end of the due day, or the step ended (escalated, reassigned,
      closed) before it fell due;
    - missed: responded, or ended unanswered, after the due time;
    - overdue: still waiting, and the due time has passed;
    - due soon: still waiting, and due by the end of the next working day;
    - due: still waiting, with more time than that.
    """
    finished_at = responded_at or ended_at
    if finished_at is not None:
        return DueState.MET if finished_at < due_at else DueState.MISSED
    if is_overdue(due_at, now=now):
        return DueState.OVERDUE
    if due_on <= calendar.next_working_day(local_date(now)):
        return DueState.DUE_SOON
    return DueState.DUE


def is_overdue(due_at: dt.datetime | None, *, now: dt.datetime) -> bool:
    """Whether a reply due at ``due_at`` and still awaited is overdue at ``now`` (the due time has
    come). :func:`escalation_overdue` is the same rule in SQL."""
    return due_at is not None and now >= due_at


def step_due_state(step: Step, *, now: dt.datetime | None = None, calendar: WorkingCalendar) -> DueState:
    return due_state(
        due_on=step.due_on,
        due_at=step.due_at,
        responded_at=step.responded_at,
        ended_at=step.ended_at,
        now=now or timezone.now(),
        calendar=calendar,
    )


def escalation_overdue(*, now: dt.datetime | None = None) -> QuerySet[Escalation]:
    """Open escalations whose current step's response is past due. Uses the (status, next_due_at) index."""
    return Escalation.objects.filter(status=EscalationStatus.OPEN, next_due_at__lte=now or timezone.now())


def escalation_team(*, escalation: Escalation):
    """The children's team (of the first child with one), whose managers the pickers list first."""
    child = escalation.children.filter(team__isnull=False).select_related("team").order_by("pk").first()
    return child.team if child else None


def escalation_was_sent_to(*, escalation: Escalation, user: User) -> bool:
    """Whether the escalation was ever sent to ``user`` (a step addressed to them, now or before)."""
    return Step.objects.filter(escalation=escalation, addressee=user).exists()


def escalation_taken_from(*, escalation: Escalation, user: User) -> Step | None:
    """The step that ended ``user``'s part in the escalation (reassigned or escalated past them),
    with who did it: for the page a manager meets when it was taken from them while they typed."""
    mine = (
        Step.objects.filter(escalation=escalation, addressee=user)
        .exclude(result="")
        .select_related("ended_by", "stage")
        .order_by("-sequence")
        .first()
    )
    return mine


def escalation_awaiting_count(*, user: User) -> int:
    """What awaits ``user``, for the navigation: a manager's escalations waiting for their reply; an
    IRO's open escalations whose reply has come (their decision is needed); for the service manager,
    the notices that could not be sent."""
    if user.role == Role.MANAGER:
        return Escalation.objects.filter(
            status=EscalationStatus.OPEN, current_addressee=user, next_due_at__isnull=False
        ).count()
    if user.role == Role.IRO:
        return Escalation.objects.filter(
            status=EscalationStatus.OPEN, iro=user, current_responded_at__isnull=False
        ).count()
    if user.sees_everything:
        return notices_failed().count()
    return 0


def escalation_overdue_digest_items(*, now: dt.datetime) -> list[dict]:
    """The service managers' morning digest: each open escalation whose reply is overdue, by its
    reference, stage, addressee and due day only (no child, no text), oldest due first."""
    rows = escalation_overdue(now=now).select_related("current_stage", "current_addressee", "current_step")
    return [
        {
            "line": f"{e.reference}: {e.current_stage.label}, {e.current_addressee or 'person not recorded'}, "
            f"reply due by the end of {format_date(e.current_step.due_on)}",
            "link": notice_link(f"/escalations/{e.pk}/"),
        }
        for e in rows.order_by("next_due_at", "pk")
    ]


@dataclass(frozen=True)
class Inbox:
    """What is open with a manager, in two groups, one page each (of ``LIST_PAGE_SIZE``, their
    ``*_pages`` for the pagination): a manager with thousands open still gets a page that reads its
    own rows. What was sent to them before is a page of its own (:func:`manager_sent_before_page`)."""

    awaiting: list[Escalation]  # the current step is theirs and waits for their reply, overdue first
    answered: list[Escalation]  # they have replied; it is with the IRO to decide
    awaiting_pages: Page
    answered_pages: Page


LIST_PAGE_SIZE = 25


def manager_inbox(
    *,
    manager: User,
    now: dt.datetime | None = None,
    calendar: WorkingCalendar,
    awaiting_page: str | int | None = None,
    answered_page: str | int | None = None,
) -> Inbox:
    """The manager's inbox: what awaits their reply (overdue first, then soonest due), and what they
    have answered and is with the IRO. Each row has what the inbox shows (children, IRO, themes, its
    current step), in a fixed number of queries."""
    mine = Escalation.objects.filter(status=EscalationStatus.OPEN, current_addressee=manager)
    awaiting = escalation_list_rows(mine.filter(next_due_at__isnull=False)).order_by("next_due_at", "pk")
    answered = escalation_list_rows(mine.filter(current_responded_at__isnull=False)).order_by(
        "-current_responded_at", "-pk"
    )
    hours = dt.timedelta(hours=ladder_settings().first_response_hours)
    awaiting_pages = CappedPaginator(awaiting, LIST_PAGE_SIZE).get_page(awaiting_page)
    answered_pages = CappedPaginator(answered, LIST_PAGE_SIZE).get_page(answered_page)
    awaiting = escalation_with_due_states(awaiting_pages.object_list, now=now, calendar=calendar)
    for escalation in awaiting:  # the first-response mark: the ladder's hours after the step was sent
        escalation.first_response_by = escalation.current_step.sent_at + hours
    return Inbox(
        awaiting=awaiting,
        answered=list(answered_pages.object_list),
        awaiting_pages=awaiting_pages,
        answered_pages=answered_pages,
    )


def manager_sent_before(*, manager: User) -> QuerySet[Escalation]:
    """What was sent to the manager before and is not open with them now: with someone else, or
    closed; newest first, each row with what the inbox shows."""
    sent_to_them = Exists(Step.objects.filter(escalation=OuterRef("pk"), addressee=manager))
    return escalation_list_rows(
        Escalation.objects.filter(sent_to_them).exclude(status=EscalationStatus.OPEN, current_addressee=manager)
    ).order_by("-raised_at", "-pk")


def manager_sent_before_page(
    *, manager: User, older_than: int | None = None, newer_than: int | None = None
) -> KeysetPage:
    """A page of :func:`manager_sent_before`, by keyset: a busy manager's history runs to hundreds of
    thousands, and counting it cost more than the page (``core.paging.keyset_page``)."""
    sent = manager_sent_before(manager=manager)
    page = keyset_page(sent, by="raised_at", size=LIST_PAGE_SIZE, older_than=older_than, newer_than=newer_than)
    return keyset_rows(page, sent)


def escalation_decisions(*, iro: User, page: str | int | None = None) -> Page:
    """An IRO's open escalations whose reply has come: their decision is needed (resolve, escalate,
    or ask a follow-up), longest waiting first; one page of ``LIST_PAGE_SIZE``."""
    decisions = (
        escalation_list_rows(
            Escalation.objects.filter(status=EscalationStatus.OPEN, iro=iro, current_responded_at__isnull=False)
        )
        .select_related("current_step__responded_by", "current_step__addressee", "current_step__stage")
        .order_by("current_responded_at", "pk")
    )
    return CappedPaginator(decisions, LIST_PAGE_SIZE).get_page(page)


def escalation_by_reference(reference: str) -> Escalation | None:
    """The escalation with this reference (compared case-insensitively, as they are unique), or None."""
    return Escalation.objects.filter(reference__iexact=reference.strip()).first()


# --- who may see what ----------------------------------------------------------------------------
# Access rules are enforced here, not in templates. A view asks for the escalations a user may see,
# or may act on, and anything outside that is a 404.


def escalation_visible_to(*, user: User) -> QuerySet[Escalation]:
    """The escalations ``user`` may look at.

    - An IRO: those they raised, and those about a child on their caseload.
    - A responding manager: those addressed to them, now or before.
    - The IRO service manager and admins: all.
    - Anyone else: none.
    """
    escalations = Escalation.objects.all()
    if user.sees_everything:
        return escalations
    if user.role == Role.IRO:
        about_caseload = Escalation.children.through.objects.filter(escalation=OuterRef("pk"), child__iro=user)
        return escalations.filter(Q(iro=user) | Exists(about_caseload))
    if user.role == Role.MANAGER:
        return escalations.filter(Exists(Step.objects.filter(escalation=OuterRef("pk"), addressee=user)))
    return escalations.none()


def escalation_for_iro_side(*, user: User) -> QuerySet[Escalation]:
    """The escalations ``user`` may resolve, escalate, reassign, refer or withdraw: the IRO's own,
    or any for the service manager and admins."""
    if user.sees_everything:
        return Escalation.objects.all()
    if user.role == Role.IRO:
        return Escalation.objects.filter(iro=user)
    return Escalation.objects.none()


def escalation_for_responder(*, user: User) -> QuerySet[Escalation]:
    """The open escalations ``user`` may acknowledge or respond to: those whose current step is
    addressed to them, or any for the service manager and admins."""
    open_ = Escalation.objects.filter(status=EscalationStatus.OPEN)
    if user.sees_everything:
        return open_
    if user.role == Role.MANAGER:
        return open_.filter(current_addressee=user)
    return Escalation.objects.none()


_DETAIL_RELATED = (
    "iro",
    "outcome",
    "current_step__stage",
    "current_step__addressee",
    "current_stage",
    "current_addressee",
    "highest_stage",
)


def escalation_detail(*, queryset: QuerySet[Escalation], pk: int) -> Escalation:
    """One escalation from ``queryset`` with everything its page shows, in a fixed number of queries.
    Raises ``Escalation.DoesNotExist`` when it is not in ``queryset``."""
    return (
        queryset.select_related(*_DETAIL_RELATED)
        .prefetch_related(
            Prefetch(
                "children", queryset=Child.objects.select_related("sibling_group").order_by("first_name", "case_id")
            ),
            "themes",
            "subthemes__theme",
            "drift_reasons",
            Prefetch(
                "steps",
                queryset=Step.objects.select_related(
                    "stage", "addressee", "sent_by", "sent_for", "first_response_by", "responded_by", "ended_by"
                ).order_by("sequence"),
            ),
            Prefetch("notes", queryset=Note.objects.select_related("author").order_by("created_at", "pk")),
        )
        .get(pk=pk)
    )


def escalation_found(*, queryset: QuerySet[Escalation], pk: int) -> Escalation:
    """One escalation from ``queryset`` with no more than its reference and its children's IDs (what
    the access log records): whether someone may open it, before its page is made. Raises
    ``Escalation.DoesNotExist`` when it is not in ``queryset``."""
    return (
        queryset.only("pk", "reference")
        .prefetch_related(Prefetch("children", queryset=Child.objects.only("pk")))
        .get(pk=pk)
    )


def escalation_list_rows(queryset: QuerySet[Escalation]) -> QuerySet[Escalation]:
    """What a list of escalations shows for each row, fetched in a fixed number of queries.

    Nothing is joined: the current step, people, stages and outcome are fetched by id after the
    page's rows, one query each. Joined, they made a 7-table query whose join orders PostgreSQL
    planned for 13 ms at 1,000,000 escalations, against 2 ms to run it, and a deep page joined
    every row it skipped (bench/README.md)."""
    return queryset.prefetch_related(
        "current_step",
        "iro",
        "outcome",
        "current_stage",
        "current_addressee",
        "highest_stage",
        Prefetch("children", queryset=Child.objects.order_by("first_name", "case_id")),
        Prefetch("themes", queryset=Theme.objects.order_by("order", "label")),
    )


def escalation_raised_by(*, iro: User, status: str | None = None) -> QuerySet[Escalation]:
    """An IRO's own escalations, newest first, optionally only open or closed ones."""
    escalations = Escalation.objects.filter(iro=iro)
    if status:
        escalations = escalations.filter(status=status)
    return escalation_list_rows(escalations).order_by("-raised_at", "-pk")


# How the stale-edit notice names what someone else changed: in words, not field names. Fields the
# services keep up to date themselves are named by what they mean to the person reading.
CHANGE_WORDS = {
    "status": "the status",
    "outcome": "the outcome",
    "closed_at": "the outcome",
    "current_step": "who it is with",
    "current_stage": "the stage",
    "current_addressee": "who it is with",
    "highest_stage": "the stage",
    "next_due_at": "a reply",
    "first_response_at": "a reply",
    "first_response_date_only": "a reply",
    "formal_started_at": "the stage",
    "cafcass_referred_on": "the Cafcass referral",
    "cafcass_reason": "the Cafcass referral",
    "concern": "the concern",
    "desired_outcome": "the outcome wanted",
    "children": "the children",
    "themes": "the themes",
    "subthemes": "the themes",
    "drift_reasons": "the reasons for drift",
    "iro": "the IRO",
}
# The kept copies follow what they copy (current_stage_order the stage, named above; iro_sort_key the
# IRO and their name; current_responded_at the step's reply), and a reorder of the ladder or a
# rename changes them without an audit row of the escalation: never news on their own.
CHANGE_HIDDEN = {"version", "updated_at", "imported_version", "import_row_hash"} | KEPT_COPIES


def escalation_changes_since(*, pk: int, version: int) -> tuple[Escalation, list[dict]]:
    """The escalation as it is now, and what was changed after the version a user opened: who,
    when, and what (in words: "the outcome, the status"), from the audit trail."""
    escalation = Escalation.objects.get(pk=pk)
    history_versions = list(escalation.history.order_by("history_date", "history_id").values_list("version", flat=True))
    entries = audit_entries_for(escalation)
    changes = []
    for entry, v in zip(entries, history_versions):
        if v <= version:
            continue
        words = []
        for change in entry.changes:
            if change.field in CHANGE_HIDDEN:
                continue
            word = CHANGE_WORDS.get(change.field, change.field.replace("_", " "))
            if word not in words:
                words.append(word)
        changes.append({"who": entry.who, "when": entry.when, "fields": words})
    return escalation, changes


# --- what the pages show about an escalation -----------------------------------------------------


def escalation_due_state(escalation: Escalation, *, now: dt.datetime, calendar: WorkingCalendar) -> DueState | None:
    """Where the current step's response stands; None when the escalation is closed."""
    if escalation.status == EscalationStatus.CLOSED or escalation.current_step is None:
        return None
    return step_due_state(escalation.current_step, now=now, calendar=calendar)


def step_late_by(step: Step, *, calendar: WorkingCalendar) -> int | None:
    """For a step answered (or ended) after its due time, by how many working days: 1 on the first
    working day after the last day, and so on. None when it was not late."""
    finished = step.responded_at or step.ended_at
    if finished is None or finished < step.due_at:
        return None
    return calendar.working_days_between(step.due_at, finished) + 1


def escalation_with_due_states(escalations, *, now: dt.datetime | None = None, calendar: WorkingCalendar):
    """The escalations as a list, each with ``due`` set to its current step's due state, and
    ``late_by`` to how late its reply was (working days), if it was."""
    now = now or timezone.now()
    rows = list(escalations)
    for escalation in rows:
        escalation.due = escalation_due_state(escalation, now=now, calendar=calendar)
        escalation.late_by = (
            step_late_by(escalation.current_step, calendar=calendar) if escalation.due == DueState.MISSED else None
        )
    return rows


@dataclass(frozen=True)
class TimelineEvent:
    title: str
    at: dt.datetime | dt.date
    by: str = ""
    lines: tuple[str, ...] = ()
    date_only: bool = False


_ENDINGS = {
    StepResult.ESCALATED: "Escalated from {stage}",
    StepResult.REASSIGNED: "Reassigned from {person}",
    StepResult.RESOLVED: "Closed at {stage}",
    StepResult.WITHDRAWN: "Withdrawn at {stage}",
}


def by_for(actor, meant_for) -> str:
    """ "Ada Okafor", or "Sam Patel for Ada Okafor" when someone acted for the person it was theirs to do."""
    if actor is None:
        return str(meant_for) if meant_for else ""
    if meant_for is None or actor.pk == meant_for.pk:
        return str(actor)
    return f"{actor} for {meant_for}"


def escalation_timeline(*, escalation: Escalation) -> list[TimelineEvent]:
    """Everything that happened to an escalation, newest first: each step and what became of it,
    who did it (and for whom, when someone acted for another), the reasons given, and the notes.
    Uses the prefetched steps and notes only."""
    iro = escalation.iro
    events = [
        TimelineEvent(title="Raised", at=escalation.raised_at, by=str(iro), date_only=escalation.raised_date_only)
    ]
    steps = list(escalation.steps.all())
    for index, step in enumerate(steps):
        person = str(step.addressee) if step.addressee else "(person not recorded)"
        lines = []
        if step.sent_for:
            lines.append(f"{step.sent_for} was away, so it went to {person}, who is covering for them.")
        if step.sent_reason:
            lines.append(f"Why: {step.sent_reason}")
        lines.append(
            f"Response due by the end of {format_date(step.due_on)} ({step.target_working_days} working days)."
        )
        reopened = index > 0 and steps[index - 1].result in (StepResult.RESOLVED, StepResult.WITHDRAWN)
        events.append(
            TimelineEvent(
                title=f"{'Reopened and sent' if reopened else 'Sent'} to {person}, {step.stage.label}",
                at=step.sent_at,
                by=by_for(step.sent_by, iro),
                lines=tuple(lines),
            )
        )
        if step.first_response_at and step.first_response_at != step.responded_at:
            events.append(
                TimelineEvent(
                    title="Acknowledged",
                    at=step.first_response_at,
                    by=by_for(step.first_response_by, step.addressee),
                    date_only=step.first_response_date_only,
                )
            )
        if step.responded_at:
            lines = [step.response]
            if step.action_agreed:
                due = f", to be done by {format_date(step.action_due_on)}" if step.action_due_on else ""
                lines.append(f"Action agreed: {step.action_agreed}{due}.")
            events.append(
                TimelineEvent(
                    title="Responded",
                    at=step.responded_at,
                    by=by_for(step.responded_by, step.addressee),
                    lines=tuple(lines),
                )
            )
        if step.result in (StepResult.ESCALATED, StepResult.REASSIGNED):
            events.append(
                TimelineEvent(
                    title=_ENDINGS[step.result].format(stage=step.stage.label, person=person),
                    at=step.ended_at,
                    by=by_for(step.ended_by, iro),
                )
            )
        if step.result in (StepResult.RESOLVED, StepResult.WITHDRAWN):
            if index == len(steps) - 1 and escalation.status == EscalationStatus.CLOSED:
                title = f"Closed: {escalation.outcome.label}"
            else:  # closed, then reopened: the outcome it had then is not kept
                title = f"{'Withdrawn' if step.result == StepResult.WITHDRAWN else 'Closed'} at {step.stage.label}"
            events.append(
                TimelineEvent(
                    title=title,
                    at=step.ended_at,
                    by=by_for(step.ended_by, iro),
                    lines=(f"Why: {step.end_reason}",) if step.end_reason else (),
                )
            )
    for note in escalation.notes.all():
        events.append(TimelineEvent(title="Note", at=note.created_at, by=str(note.author), lines=(note.text,)))
    if escalation.cafcass_referred_on:
        events.append(
            TimelineEvent(
                title="Referred to Cafcass",
                at=escalation.cafcass_referred_on,
                lines=(escalation.cafcass_reason,),
                date_only=True,
            )
        )

    def moment(event):
        at = event.at
        if isinstance(at, dt.datetime):
            return at
        return timezone.make_aware(dt.datetime.combine(at, dt.time.max))

    # Newest first; at the same moment, the later-recorded event first (closure after the last step).
    return [event for _, _, event in sorted(((moment(e), i, e) for i, e in enumerate(events)), reverse=True)]


# --- service manager: all escalations and dashboard ----------------------------------------------
# The "All escalations" list (escalations.views_oversight) filters and sorts here, and the
# dashboard's counts (dashboard.selectors) use the same definitions (open, the current stage,
# escalation_overdue, raised between local days), so a count and the list it links to agree.


# ?sort= keys of the list: the column, then what breaks ties (newest first, so pages never overlap).
# Each key's expressions never hold NULL: a NULL sorts last in both directions because ``due`` sorts
# first by "not due" (NOT_DUE, false before true) and ``stage`` is an empty stage's order. No
# ``nulls_last``, which PostgreSQL cannot serve from an index read backwards; each order has an index
# (escalations.models, tests/escalations/test_plans.py).
ESCALATION_SORTS = {
    "reference": (Lower("reference"),),
    "raised": (F("raised_at"),),
    "due": (F("next_due_at"),),
    "stage": (F("current_stage_order"),),
    "iro": (F("iro_sort_key"),),  # the IRO's name as it sorts (people.models.name_sort_key)
}
ESCALATION_DEFAULT_SORT = "-raised"


def local_day_start(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the service's time zone (Europe/London)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def escalation_search(
    queryset: QuerySet[Escalation],
    *,
    status: str | None = None,
    stage=None,
    theme=None,
    team=None,
    iro=None,
    overdue: bool = False,
    raised_from: dt.date | None = None,
    raised_to: dt.date | None = None,
    q: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Escalation]:
    """``queryset`` narrowed by the service manager's filters; an empty criterion does not narrow.

    - ``q``: the reference (any part of it), or a child's name or case ID
      (``children.selectors.child_matching``);
    - ``stage``: the current stage (where the escalation is now);
    - ``theme``: escalations with that theme among theirs;
    - ``team``: escalations about at least one child of that team (``Child.team``, the social work
      team responsible for the child's plan; IROs have no team of their own in this service);
    - ``overdue``: open, with the current step's response past due (:func:`escalation_overdue`);
    - ``raised_from`` / ``raised_to``: local days, both included.

    Themes and children are matched with EXISTS, so no row is repeated and counts stay exact.
    """
    if status:
        queryset = queryset.filter(status=status)
    if q and q.strip():
        q = q.strip()[:100]
        children = child_matching(Child.objects.all(), q).values("pk")
        about = Escalation.children.through.objects.filter(escalation=OuterRef("pk"), child__in=children)
        queryset = queryset.filter(Q(reference__icontains=q) | Exists(about))
    if stage is not None:
        queryset = queryset.filter(current_stage=stage)
    if theme is not None:
        queryset = queryset.filter(
            Exists(Escalation.themes.through.objects.filter(escalation=OuterRef("pk"), theme=theme))
        )
    if team is not None:
        queryset = queryset.filter(
            Exists(Escalation.children.through.objects.filter(escalation=OuterRef("pk"), child__team=team))
        )
    if iro is not None:
        queryset = queryset.filter(iro=iro)
    if overdue:
        queryset = queryset & escalation_overdue(now=now)
    if raised_from is not None:
        queryset = queryset.filter(raised_at__gte=local_day_start(raised_from))
    if raised_to is not None:
        queryset = queryset.filter(raised_at__lt=local_day_start(raised_to + dt.timedelta(days=1)))
    return queryset


def escalation_sort_key(sort: str | None) -> str:
    """``sort`` if it names a column (``raised``, ``-raised``…), else the default: newest first."""
    if sort and sort.lstrip("-") in ESCALATION_SORTS and sort.count("-") <= 1:
        return sort
    return ESCALATION_DEFAULT_SORT


def escalation_sorted(queryset: QuerySet[Escalation], *, sort: str | None) -> QuerySet[Escalation]:
    """Ordered by a column of the list, ascending or (``-`` prefix) descending; empty values last.
    Ties go newest first, then by id, so the order is total and pages never overlap (the reference
    is unique; raised ties go by id the same way as the sort). Each order is one index read in
    order (tests/escalations/test_plans.py)."""
    sort = escalation_sort_key(sort)
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    ordering = [expression.desc() if descending else expression.asc() for expression in ESCALATION_SORTS[key]]
    if key == "reference":  # unique (escalation_reference_unique_ci): no ties, and its index gives the order
        return queryset.order_by(*ordering)
    if key == "raised":  # ties by id the same way, so the index on (raised_at, id) gives the order whole
        return queryset.order_by(*ordering, F("pk").desc() if descending else F("pk").asc())
    if key == "due":  # those not due (no reply awaited) last, whichever way
        ordering.insert(0, NOT_DUE.asc())
    elif key == "stage":  # those with no current stage last, whichever way
        ordering.insert(0, NO_STAGE.asc())
    return queryset.order_by(*ordering, F("raised_at").desc(), "-pk")


def escalation_all_rows(*, user: User, sort: str | None = None, now: dt.datetime | None = None, **criteria):
    """The escalations ``user`` may see, filtered (see :func:`escalation_search`), sorted, with what
    the list shows for each row fetched in a fixed number of queries."""
    escalations = escalation_search(escalation_visible_to(user=user), now=now, **criteria)
    return escalation_list_rows(escalation_sorted(escalations, sort=sort))
