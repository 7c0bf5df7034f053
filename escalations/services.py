"""Writes for escalations: the dispute-resolution workflow.

Every function is ``<noun>_<verb>(*, ...)``, runs in one transaction, locks the escalation row,
refuses a stale update (someone changed the escalation after the caller read it), checks the move
against ``escalations.states.LEGAL_MOVES`` and raises a :class:`core.errors.DomainError` with a
message the user can act on. A refused call changes nothing.

Times (``at``) default to now. They may be given for back-dated entry, but never in the future and
never before the escalation was raised or the step was sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from children.models import Child
from core.errors import DomainError, IllegalMove, NotPermitted, StaleUpdate
from core.formats import format_date, format_datetime
from escalations.models import Escalation, EscalationStatus, Note, ReferenceCounter, Step, StepResult
from escalations.selectors import escalation_overdue_digest_items
from escalations.states import ACTION_WORDS, RESPONDER_MOVES, Action, may_act, refusal
from ladder.models import Stage
from ladder.selectors import ladder_settings
from notices.models import NoticeKind
from notices.services import (
    notice_queue,
    notices_cancel_for_escalation,
    notices_cancel_for_step,
    notices_schedule_step,
)
from people.models import Role, User, name_sort_key
from people.selectors import absence_on, service_manager_list
from themes.models import DriftReason, Outcome, SubTheme, Theme
from workdays.clock import WorkingCalendar, end_of_day, local_date
from workdays.selectors import working_calendar

# Clocks on two machines never agree exactly; anything later than this is "in the future".
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


# --- raising -------------------------------------------------------------------------------------


@transaction.atomic
def escalation_raise(
    *,
    by: User,
    children: Iterable[Child],
    stage: Stage,
    addressee: User,
    concern: str,
    desired_outcome: str = "",
    themes: Iterable[Theme] = (),
    subthemes: Iterable[SubTheme] = (),
    drift_reasons: Iterable[DriftReason] = (),
    iro: User | None = None,
    raised_at: dt.datetime | None = None,
) -> Escalation:
    """Raise an escalation and send it to ``addressee`` at ``stage``.

    The IRO may go straight to any stage. ``iro`` defaults to ``by``; the service manager may raise
    on an IRO's behalf.
    """
    iro = iro or by
    if (by != iro and not by.sees_everything) or (by == iro and by.role != Role.IRO):
        raise NotPermitted("Only an IRO, or the IRO service manager on an IRO's behalf, can raise an escalation.")
    if iro.role != Role.IRO or not iro.is_active:
        raise DomainError(f"{iro} is not an active IRO, so cannot raise an escalation.", field="iro")
    raised_at = _moment(raised_at)
    _not_in_future(raised_at, "The date raised")

    children = list(children)
    if not children:
        raise DomainError("Choose at least one child.", field="children")
    raised_on = timezone.localtime(raised_at).date()
    for child in children:
        if child.was_looked_after_on(raised_on) is False:
            raise DomainError(
                f"Child {child.case_id} was not looked after on {format_date(raised_on)}: their record "
                f"shows {_looked_after_period(child)}. Check the child or the date raised.",
                field="children",
            )
    if not concern.strip():
        raise DomainError("Enter the concern.", field="concern")

    theme_set, subtheme_set, reason_set = escalation_choices_check(
        themes=themes, subthemes=subthemes, drift_reasons=drift_reasons
    )
    _check_stage_and_addressee(stage, addressee)

    escalation = Escalation(
        reference=_next_reference(raised_at),
        iro=iro,
        iro_sort_key=iro_sort_keys(ids=[iro.pk])[iro.pk],
        raised_at=raised_at,
        concern=concern.strip(),
        desired_outcome=desired_outcome.strip(),
    )
    _save(escalation, by)
    # The audit entry of the final save below records the children and themes: one entry for
    # the lot rather than one per list.
    escalation.skip_history_when_saving = True
    escalation.children.set(children)
    escalation.themes.set(theme_set)
    escalation.subthemes.set(subtheme_set)
    escalation.drift_reasons.set(reason_set)
    del escalation.skip_history_when_saving
    _send_step(
        escalation, stage=stage, addressee=addressee, at=raised_at, by=by, calendar=working_calendar(), how="raised"
    )
    _save(escalation, by)
    return escalation


# --- the manager's side --------------------------------------------------------------------------


@transaction.atomic
def escalation_first_response(
    *, escalation: Escalation, by: User, expected_version: int | None = None, at: dt.datetime | None = None
) -> Escalation:
    """Record the first reply (an acknowledgement counts) from the manager the step was sent to."""
    escalation = _lock(escalation, expected_version, Action.FIRST_RESPONSE)
    step = escalation.current_step
    _require(Action.FIRST_RESPONSE, by, escalation)
    at = _moment(at)
    _check_step_time(at, step, "The first response")
    step.first_response_at = at
    step.first_response_by = by
    _save(step, by)
    _note_first_response(escalation, at)
    if _live(at):
        _tell(NoticeKind.FIRST_RESPONSE, [escalation.iro], escalation, step, by, due_at=step.due_at)
    return _bump(escalation, by)


@transaction.atomic
def escalation_respond(
    *,
    escalation: Escalation,
    by: User,
    response: str,
    action_agreed: str = "",
    action_due_on: dt.date | None = None,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Escalation:
    """Record the manager's response, and the action agreed with the date it will be done by."""
    escalation = _lock(escalation, expected_version, Action.RESPOND)
    step = escalation.current_step
    _require(Action.RESPOND, by, escalation)
    if not response.strip():
        raise DomainError("Enter the response.", field="response")
    at = _moment(at)
    _check_step_time(at, step, "The response")
    if action_agreed.strip() and action_due_on is None:
        raise DomainError("Enter the date the agreed action will be done by.", field="action_due_on")
    if action_due_on is not None and not action_agreed.strip():
        raise DomainError("Enter the action agreed, or leave the date empty.", field="action_agreed")
    if action_due_on is not None and action_due_on < timezone.localtime(at).date():
        raise DomainError(
            f"The date the action will be done by ({format_date(action_due_on)}) is before the response.",
            field="action_due_on",
        )
    step.responded_at = at
    step.responded_by = by
    step.response = response.strip()
    step.action_agreed = action_agreed.strip()
    step.action_due_on = action_due_on
    if step.first_response_at is None:
        step.first_response_at, step.first_response_by = at, by
    _save(step, by)
    _note_first_response(escalation, step.first_response_at)
    escalation.next_due_at = None
    escalation.current_responded_at = at
    notices_cancel_for_step(step=step)
    if _live(at):
        _tell(NoticeKind.RESPONSE, [escalation.iro], escalation, step, by)
    return _bump(escalation, by)


# --- the IRO's side ------------------------------------------------------------------------------


@transaction.atomic
def escalation_escalate(
    *,
    escalation: Escalation,
    by: User,
    stage: Stage,
    addressee: User,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Escalation:
    """Send the escalation to a more senior stage (any stage above the current one), saying why."""
    escalation = _lock(escalation, expected_version, Action.ESCALATE)
    _require(Action.ESCALATE, by, escalation)
    reason = _reason(reason, "escalating")
    current = escalation.current_step
    if stage.order <= current.stage.order:
        raise DomainError(
            f"{escalation.reference} is at the {current.stage.label} stage. You can only escalate to a more "
            f"senior stage, not to {stage.label}.",
            field="stage",
        )
    _check_stage_and_addressee(stage, addressee)
    at = _moment(at)
    _check_step_time(at, current, "The escalation")
    _end_step(current, StepResult.ESCALATED, at, by)
    _send_step(
        escalation,
        stage=stage,
        addressee=addressee,
        at=at,
        by=by,
        calendar=working_calendar(),
        how="escalated",
        reason=reason,
    )
    if _live(at):
        _tell(NoticeKind.ESCALATED_PAST_YOU, [current.addressee], escalation, current, by, how=stage.label)
    return _bump(escalation, by)


@transaction.atomic
def escalation_reassign(
    *,
    escalation: Escalation,
    by: User,
    addressee: User,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Escalation:
    """Send the current step to another manager at the same stage (for example, when one is away).

    The new step keeps the original due time: reassigning does not restart the stage's clock.
    """
    escalation = _lock(escalation, expected_version, Action.REASSIGN)
    _require(Action.REASSIGN, by, escalation)
    current = escalation.current_step
    if addressee.pk == current.addressee_id:
        raise DomainError(
            f"{escalation.reference} is already with {addressee}. Choose someone else.", field="addressee"
        )
    _check_stage_and_addressee(current.stage, addressee)
    at = _moment(at)
    _check_step_time(at, current, "The reassignment")
    _end_step(current, StepResult.REASSIGNED, at, by)
    _send_step(
        escalation,
        stage=current.stage,
        addressee=addressee,
        at=at,
        by=by,
        calendar=working_calendar(),
        due_on=current.due_on,
        how="reassigned",
    )
    return _bump(escalation, by)


@transaction.atomic
def escalation_resolve(
    *,
    escalation: Escalation,
    by: User,
    outcome: Outcome,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Escalation:
    """Close the escalation with an outcome, resolved or not resolved, saying why."""
    escalation = _lock(escalation, expected_version, Action.RESOLVE)
    _require(Action.RESOLVE, by, escalation)
    reason = _reason(reason, "closing")
    if outcome.code == Outcome.WITHDRAWN:
        raise DomainError("To withdraw an escalation, use withdraw rather than resolve.", field="outcome")
    if not outcome.active:
        raise DomainError(f"The outcome {outcome.label!r} has been retired. Choose another.", field="outcome")
    return _close(escalation, by, outcome, StepResult.RESOLVED, _moment(at), reason)


@transaction.atomic
def escalation_withdraw(
    *,
    escalation: Escalation,
    by: User,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Escalation:
    """Close the escalation as withdrawn by the IRO, saying why."""
    escalation = _lock(escalation, expected_version, Action.WITHDRAW)
    _require(Action.WITHDRAW, by, escalation)
    reason = _reason(reason, "withdrawing")
    outcome = Outcome.objects.get(code=Outcome.WITHDRAWN)
    return _close(escalation, by, outcome, StepResult.WITHDRAWN, _moment(at), reason)


@transaction.atomic
def escalation_refer_to_cafcass(
    *,
    escalation: Escalation,
    by: User,
    referred_on: dt.date,
    reason: str,
    expected_version: int | None = None,
) -> Escalation:
    """Record a referral to Cafcass. It sits beside any stage, or follows the last one."""
    escalation = _lock(escalation, expected_version, Action.REFER_CAFCASS)
    _require(Action.REFER_CAFCASS, by, escalation)
    if not reason.strip():
        raise DomainError("Enter the reason for the Cafcass referral.", field="reason")
    today = timezone.localdate()
    raised_on = timezone.localtime(escalation.raised_at).date()
    if referred_on > today:
        raise DomainError("The Cafcass referral date cannot be in the future.", field="referred_on")
    if referred_on < raised_on:
        raise DomainError(
            f"The Cafcass referral date ({format_date(referred_on)}) is before the escalation was raised "
            f"({format_date(raised_on)}).",
            field="referred_on",
        )
    escalation.cafcass_referred_on = referred_on
    escalation.cafcass_reason = reason.strip()
    if referred_on >= today - LIVE_FOR_DAYS:
        _tell(NoticeKind.CAFCASS, service_manager_list(), escalation, None, by)
    return _bump(escalation, by)


@transaction.atomic
def escalation_reopen(
    *,
    escalation: Escalation,
    by: User,
    stage: Stage | None = None,
    addressee: User | None = None,
    reason: str,
    expected_version: int | None = None,
    at: dt.datetime | None = None,
) -> Escalation:
    """Reopen a closed escalation by sending a new step, by default to the last stage and person,
    saying why."""
    escalation = _lock(escalation, expected_version, Action.REOPEN)
    _require(Action.REOPEN, by, escalation)
    reason = _reason(reason, "reopening")
    last = escalation.current_step
    stage = stage or last.stage
    addressee = addressee or last.addressee
    if stage.order < last.stage.order:
        raise DomainError(
            f"{escalation.reference} last reached the {last.stage.label} stage. Reopen it there or at a more "
            f"senior stage, not at {stage.label}.",
            field="stage",
        )
    if addressee is None:
        raise DomainError("Choose who the reopened escalation goes to.", field="addressee")
    _check_stage_and_addressee(stage, addressee)
    at = _moment(at)
    _not_in_future(at, "The reopening")
    if at < escalation.closed_at:
        raise DomainError(
            f"The reopening ({format_datetime(at)}) is before the escalation was closed "
            f"({format_datetime(escalation.closed_at)}).",
        )
    escalation.status = EscalationStatus.OPEN
    escalation.outcome = None
    escalation.closed_at = None
    _send_step(
        escalation,
        stage=stage,
        addressee=addressee,
        at=at,
        by=by,
        calendar=working_calendar(),
        how="reopened",
        reason=reason,
    )
    return _bump(escalation, by)


@transaction.atomic
def escalation_note_add(*, escalation: Escalation, by: User, text: str, at: dt.datetime | None = None) -> Note:
    """Add a note to an open escalation: a question or an update that is not a formal step. From
    the IRO, the addressee, someone it was sent to before, or the service manager; the other side
    is told (the IRO, or the addressee). Notes are never changed or removed."""
    escalation = _lock(escalation, None, Action.NOTE)
    sent_before = escalation.steps.filter(addressee=by).exists()
    if not may_act(Action.NOTE, user=by, escalation=escalation, sent_before=sent_before):
        raise NotPermitted(
            f"Only the IRO, the people {escalation.reference} was sent to, and the IRO service manager can add "
            "notes to it."
        )
    text = text.strip()
    if not text:
        raise DomainError("Enter the note.", field="text")
    at = _moment(at)
    note = Note.objects.create(escalation=escalation, author=by, text=text, created_at=at)
    others = [escalation.current_addressee] if by.pk == escalation.iro_id else [escalation.iro]
    if by.sees_everything and by.pk != escalation.iro_id:
        others = [escalation.iro, escalation.current_addressee]
    notice_queue(kind=NoticeKind.NOTE, recipients=others, escalation=escalation, note=note, actor=by)
    return note


@transaction.atomic
def escalation_overdue_digest_queue(*, now: dt.datetime | None = None) -> list:
    """The service managers' morning digest: one notice each, listing every open escalation whose
    reply is overdue (``escalations.selectors.escalation_overdue_digest_items``), if there are any."""
    now = now or timezone.now()
    items = escalation_overdue_digest_items(now=now)
    if not items:
        return []
    return notice_queue(
        kind=NoticeKind.OVERDUE_DIGEST,
        recipients=service_manager_list(),
        day=local_date(now),
        items=items,
        send_after=now,
    )


# --- the ladder ----------------------------------------------------------------------------------


@transaction.atomic
def stage_save(*, stage: Stage, by: User | None) -> Stage:
    """Save a stage of the ladder as an admin edited it (new or changed), and give every escalation
    now at that stage the stage's order (``Escalation.current_stage_order``, the stage sort's key)
    in the same transaction. Here rather than in ``ladder`` because escalations depend on the
    ladder, not the other way round."""
    _save(stage, by)
    Escalation.objects.filter(current_stage=stage).exclude(current_stage_order=stage.order).update(
        current_stage_order=stage.order
    )
    return stage


# The advisory lock that keeps ``Escalation.iro_sort_key`` in step with a rename (PostgreSQL): the
# raise and the import hold it shared while they read the IRO's name and store escalations with
# it, and a rename holds it alone while it saves the name and updates the escalations. Without
# it, a rename committed between the import's reading the name and its commit would miss the
# import's escalations. SQLite runs one write transaction at a time (BEGIN IMMEDIATE), so reading
# the name inside the transaction is enough there.
IRO_NAMES_LOCK = 0x49524F5F4E414D45  # "IRO_NAME"


def _iro_names_lock(*, alone: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            function = "pg_advisory_xact_lock" if alone else "pg_advisory_xact_lock_shared"
            cursor.execute(f"SELECT {function}(%s)", [IRO_NAMES_LOCK])


def iro_sort_keys(*, ids: Iterable[int]) -> dict[int, str]:
    """The name sort keys of the users ``ids`` as stored now, read inside the caller's transaction
    under the IRO names lock (shared), so that a rename waits until the caller's escalations are
    stored, and then updates them too."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("iro_sort_keys must be called inside the transaction that stores the escalations.")
    _iro_names_lock(alone=False)
    rows = User.objects.filter(pk__in=list(ids)).values_list("pk", "last_name", "first_name", "username")
    return {
        pk: name_sort_key(last_name=last, first_name=first, username=username) for pk, last, first, username in rows
    }


@transaction.atomic
def user_save(*, user: User, by: User | None) -> User:
    """Save a member of staff as an admin edited them (new or changed), and give every escalation
    they raised their name's sort key (``Escalation.iro_sort_key``, the IRO sort's key) in the same
    transaction, under the IRO names lock. Here rather than in ``people`` because escalations
    depend on people, not the other way round."""
    _iro_names_lock(alone=True)
    _save(user, by)
    key = user.sort_key
    Escalation.objects.filter(iro=user).exclude(iro_sort_key=key).update(iro_sort_key=key)
    return user


# --- helpers -------------------------------------------------------------------------------------


def _moment(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValueError("Times passed to the services must be timezone-aware.")
    return at


def _not_in_future(at: dt.datetime, what: str) -> None:
    if at > timezone.now() + FUTURE_TOLERANCE:
        raise DomainError(f"{what} ({format_datetime(at)}) cannot be in the future.")


def _check_step_time(at: dt.datetime, step: Step, what: str) -> None:
    _not_in_future(at, what)
    escalation = step.escalation
    if at < escalation.raised_at:
        raise DomainError(
            f"{what} ({format_datetime(at)}) is before the escalation was raised "
            f"({format_datetime(escalation.raised_at)})."
        )
    if at < step.sent_at:
        raise DomainError(
            f"{what} ({format_datetime(at)}) is before the step was sent to {step.addressee} "
            f"({format_datetime(step.sent_at)})."
        )
    for earlier, name in ((step.first_response_at, "the first response"), (step.responded_at, "the response")):
        if earlier is not None and at < earlier:
            raise DomainError(f"{what} ({format_datetime(at)}) is before {name} ({format_datetime(earlier)}).")


def _lock(escalation: Escalation, expected_version: int | None, action: Action) -> Escalation:
    """Re-read the escalation under a row lock, refuse a stale update, and check the move."""
    expected = escalation.version if expected_version is None else expected_version
    locked = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("current_step__stage", "current_step__addressee", "iro")
        .get(pk=escalation.pk)
    )
    if locked.version != expected:
        latest = locked.history.select_related("history_user").first()
        who = latest.history_user if latest and latest.history_user else "someone else"
        raise StaleUpdate(
            f"{locked.reference} was changed by {who} on {format_datetime(locked.updated_at)}, after you opened "
            "it. Nothing has been saved. Check their change, then make yours again."
        )
    if locked.current_step is not None:
        locked.current_step.escalation = locked
    why_not = refusal(action, locked)
    if why_not:
        raise IllegalMove(why_not)
    return locked


def _require(action: Action, by: User, escalation: Escalation) -> None:
    """Refuse someone who may not make ``action`` (``escalations.states.may_act``)."""
    if may_act(action, user=by, escalation=escalation):
        return
    if action in RESPONDER_MOVES:
        raise NotPermitted(
            f"This step is addressed to {escalation.current_addressee}. Only they, or the IRO service manager on "
            "their behalf, can reply to it."
        )
    raise NotPermitted(
        f"Only the escalation's IRO ({escalation.iro}) or the IRO service manager can "
        f"{ACTION_WORDS[action]} {escalation.reference}."
    )


def _check_stage_and_addressee(stage: Stage, addressee: User) -> None:
    if not stage.active:
        raise DomainError(f"The {stage.label} stage has been retired. Choose another stage.", field="stage")
    if not addressee.is_active or addressee.role != Role.MANAGER or addressee.stage_id != stage.pk:
        raise DomainError(
            f"{addressee} is not an active responding manager at the {stage.label} stage. Choose someone who is.",
            field="addressee",
        )


def escalation_choices_check(
    *, themes: Iterable[Theme], subthemes: Iterable[SubTheme], drift_reasons: Iterable[DriftReason]
) -> tuple[list[Theme], list[SubTheme], list[DriftReason]]:
    """The themes, sub-themes and drift reasons of an escalation as they will be stored, or a
    DomainError. A sub-theme implies its theme; retired entries cannot be chosen; reasons for drift
    need the drift theme. The raise form asks this too, so the person hears it before confirming."""
    theme_set = {t.pk: t for t in themes}
    subtheme_list = list(subthemes)
    for sub in subtheme_list:  # a sub-theme implies its theme
        theme_set.setdefault(sub.theme_id, sub.theme)
    reasons = list(drift_reasons)
    retired = [t.label for t in theme_set.values() if not t.active] + [s.label for s in subtheme_list if not s.active]
    retired += [r.label for r in reasons if not r.active]
    if retired:
        raise DomainError(
            f"These have been retired and cannot be chosen: {', '.join(sorted(retired))}.", field="themes"
        )
    if reasons and not any(t.code == Theme.DRIFT for t in theme_set.values()):
        raise DomainError(
            "Reasons for drift can only be given when the theme 'Drift in care planning' is chosen.",
            field="drift_reasons",
        )
    return sorted(theme_set.values(), key=lambda t: (t.order, t.label)), subtheme_list, reasons


def _looked_after_period(child: Child) -> str:
    start = format_date(child.looked_after_from)
    if child.looked_after_to is None:
        return f"looked after from {start}"
    return f"looked after from {start} to {format_date(child.looked_after_to)}"


def _next_reference(raised_at: dt.datetime) -> str:
    year = timezone.localtime(raised_at).year
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    while True:
        counter.last += 1
        reference = f"ESC-{year}-{counter.last:05d}"
        if not Escalation.objects.filter(reference__iexact=reference).exists():
            counter.save(update_fields=["last"])
            return reference


def step_due(
    *, sent_at: dt.datetime, target_working_days: int, calendar: WorkingCalendar
) -> tuple[dt.date, dt.datetime]:
    """When a step sent at ``sent_at`` is due: its last working day (``workdays.clock``) and the end
    of that day. The log import stores its steps by this rule too."""
    due_on = calendar.due_on(sent_at, target_working_days)
    return due_on, end_of_day(due_on)


def escalation_fields_on_send(
    *,
    stage: Stage,
    addressee: User | None,
    due_at: dt.datetime,
    at: dt.datetime,
    highest_stage: Stage | None,
    formal_started_at: dt.datetime | None,
) -> dict:
    """The fields the services keep on an escalation (for lists and reports) once a step is sent
    to ``addressee`` at ``stage``: where it is now, when the reply is due, the most senior stage
    reached, and when the first formal step went (the 20-working-day cap starts there). The log
    import stores its escalations by this rule too."""
    return {
        "current_stage": stage,
        "current_stage_order": stage.order,  # the stage sort's key; stage_save keeps it when the ladder changes
        "current_addressee": addressee,
        "next_due_at": due_at,
        "current_responded_at": None,  # the new step waits for its reply
        "highest_stage": stage if highest_stage is None or stage.order > highest_stage.order else highest_stage,
        "formal_started_at": formal_started_at or (at if stage.formal else None),
    }


def _send_step(
    escalation: Escalation,
    *,
    stage: Stage,
    addressee: User | None,
    at: dt.datetime,
    by: User | None,
    calendar: WorkingCalendar,
    due_on: dt.date | None = None,
    how: str,
    reason: str = "",
) -> Step:
    """Send the escalation to ``addressee`` at ``stage``: the step, the escalation's maintained
    fields, and the notices: the step sent to them (when the move is live, see :func:`_live`),
    and its reminders (``notices.services.notices_schedule_step``)."""
    previous = escalation.current_step
    starts_cap = stage.formal and escalation.formal_started_at is None
    sent_for = None
    absence = absence_on(manager=addressee, day=local_date(at)) if addressee is not None else None
    if absence is not None and absence.delegate.is_active and absence.delegate.stage_id == stage.pk:
        sent_for, addressee = addressee, absence.delegate  # away: it goes to the person covering
    if due_on is None:
        due_on, due_at = step_due(sent_at=at, target_working_days=stage.target_working_days, calendar=calendar)
    else:
        due_at = end_of_day(due_on)
    step = Step(
        escalation=escalation,
        sequence=previous.sequence + 1 if previous else 1,
        stage=stage,
        addressee=addressee,
        sent_at=at,
        sent_by=by,
        sent_for=sent_for,
        sent_reason=reason,
        target_working_days=stage.target_working_days,
        due_on=due_on,
        due_at=due_at,
    )
    _save(step, by)
    escalation.current_step = step
    fields = escalation_fields_on_send(
        stage=stage,
        addressee=addressee,
        due_at=due_at,
        at=at,
        highest_stage=escalation.highest_stage,
        formal_started_at=escalation.formal_started_at,
    )
    for name, value in fields.items():
        setattr(escalation, name, value)
    if _live(at):
        _tell(NoticeKind.STEP_SENT, [addressee], escalation, step, by, how=how, due_at=due_at, addressed=True)
    notices_schedule_step(
        step=step,
        escalation=escalation,
        calendar=calendar,
        cap_working_days=ladder_settings().process_cap_working_days if starts_cap else None,
    )
    return step


def _end_step(step: Step, result: StepResult, at: dt.datetime, by: User, reason: str = "") -> None:
    step.result = result
    step.ended_at = at
    step.ended_by = by
    step.end_reason = reason
    _save(step, by)
    notices_cancel_for_step(step=step)


def _close(
    escalation: Escalation, by: User, outcome: Outcome, result: StepResult, at: dt.datetime, reason: str
) -> Escalation:
    step = escalation.current_step
    _check_step_time(at, step, "The closing date")
    _end_step(step, result, at, by, reason)
    escalation.status = EscalationStatus.CLOSED
    escalation.outcome = outcome
    escalation.closed_at = at
    escalation.next_due_at = None
    notices_cancel_for_escalation(escalation=escalation)
    if _live(at):
        everyone = [escalation.iro, *(s.addressee for s in escalation.steps.select_related("addressee"))]
        _tell(NoticeKind.CLOSED, everyone, escalation, step, by, how=outcome.label.lower())
    return _bump(escalation, by)


REASON_MAX = 2000  # characters: a short reason, not a report


def _reason(reason: str, doing: str) -> str:
    """A move's reason, as it will be kept and shown on the timeline: required, and short."""
    reason = reason.strip()
    if not reason:
        raise DomainError(f"Enter why you are {doing} it.", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            f"The reason for {doing} is {len(reason):,} characters long. Keep it to {REASON_MAX:,}; "
            "add a note for more.",
            field="reason",
        )
    return reason


# A move recorded within this long of when it happened is news, and tells people; an older one is
# a record of the past (back-dated entry, the demo's history) and tells no one.
LIVE_FOR = dt.timedelta(hours=1)
LIVE_FOR_DAYS = dt.timedelta(days=1)  # the same, for a move dated by day (a Cafcass referral)


def _live(at: dt.datetime) -> bool:
    return at >= timezone.now() - LIVE_FOR


def _tell(kind, recipients, escalation: Escalation, step: Step | None, by: User, **details) -> None:
    """Write the notices of a move (``notices.services.notice_queue``), noting who acted for whom."""
    on_behalf_of = None
    if step is not None and by.pk not in (step.addressee_id, escalation.iro_id):
        on_behalf_of = step.addressee if kind in (NoticeKind.FIRST_RESPONSE, NoticeKind.RESPONSE) else escalation.iro
    notice_queue(
        kind=kind,
        recipients=recipients,
        escalation=escalation,
        step=step,
        actor=by,
        on_behalf_of=on_behalf_of,
        **details,
    )


def _note_first_response(escalation: Escalation, at: dt.datetime) -> None:
    if escalation.first_response_at is None or at < escalation.first_response_at:
        escalation.first_response_at = at


def _bump(escalation: Escalation, by: User) -> Escalation:
    escalation.version += 1
    _save(escalation, by)
    return escalation


def _save(instance, by: User | None) -> None:
    instance._history_user = by
    instance.save()
