"""Reads for escalations. Pages and reports call these; none of them scans the steps table
for a list: the denormalised fields on ``Escalation`` carry what lists need."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.db.models import QuerySet
from django.utils import timezone

from escalations.models import Escalation, EscalationStatus, Step
from people.models import User
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
    if now >= due_at:
        return DueState.OVERDUE
    if due_on <= calendar.next_working_day(local_date(now)):
        return DueState.DUE_SOON
    return DueState.DUE


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


def step_inbox(*, manager: User) -> QuerySet[Step]:
    """The open steps addressed to a manager, soonest due (so overdue) first."""
    return (
        Step.objects.filter(addressee=manager, result="")
        .select_related("escalation", "stage")
        .order_by("due_at", "pk")
    )


def escalation_get(*, pk: int) -> Escalation:
    return Escalation.objects.select_related(
        "iro", "outcome", "current_step", "current_stage", "current_addressee", "highest_stage"
    ).get(pk=pk)


def escalation_steps(*, escalation: Escalation) -> QuerySet[Step]:
    return escalation.steps.select_related("stage", "addressee", "sent_by").order_by("sequence")
