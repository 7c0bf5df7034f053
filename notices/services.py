"""Writes for notices: the outbox. The escalation services call these inside their own
transaction, so a change that rolls back leaves no notice behind; the worker delivers what they
write (``notices.delivery``).

This app does not import the escalations app (which imports it): it is handed the escalation and
the step, and reads them through their relations.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notices.models import Frequency, Notice, NoticeKind, NoticePreference, NoticeStatus
from people.models import User
from workdays.clock import WorkingCalendar, local_date, local_moment


def notice_key(kind: str, recipient: User, *, step=None, escalation=None, day: dt.date | None = None, note=None) -> str:
    """The one key of a notice: its kind, what it is about (a note, a step, an escalation or a
    day), and to whom. A second notice with the same key is never written."""
    if note is not None:
        about = f"note-{note.pk}"
    elif step is not None:
        about = f"step-{step.pk}"
    elif escalation is not None:
        about = f"escalation-{escalation.pk}"
    else:
        about = f"day-{day.isoformat()}"
    return f"{kind}:{about}:user-{recipient.pk}"


def notice_queue(
    *,
    kind: NoticeKind,
    recipients: Iterable[User | None],
    escalation=None,
    step=None,
    actor: User | None = None,
    on_behalf_of: User | None = None,
    how: str = "",
    due_at: dt.datetime | None = None,
    send_after: dt.datetime | None = None,
    addressed: bool = False,
    items: list | None = None,
    day: dt.date | None = None,
    note=None,
) -> list[Notice]:
    """Write a notice of ``kind`` for each recipient (none for an empty one, the person who acted,
    someone inactive, or one already written with the same key); ``send_after`` defaults to now.
    Events are delivered as soon as the transaction commits; clock notices when they fall due."""
    written = []
    seen = set()
    for recipient in recipients:
        if recipient is None or not recipient.is_active or recipient == actor or recipient.pk in seen:
            continue
        seen.add(recipient.pk)
        notice, created = Notice.objects.get_or_create(
            key=notice_key(kind, recipient, step=step, escalation=escalation, day=day, note=note),
            defaults={
                "kind": kind,
                "recipient": recipient,
                "escalation": escalation,
                "step": step,
                "actor": actor,
                "on_behalf_of": on_behalf_of,
                "how": how,
                "due_at": due_at,
                "send_after": send_after or timezone.now(),
                "addressed": addressed,
                "items": items or [],
            },
        )
        if created:
            written.append(notice)
    if written and any(n.send_after <= timezone.now() for n in written):
        transaction.on_commit(_deliver_soon)
    return written


def _deliver_soon() -> None:
    """Queue a delivery run for the worker (the periodic one catches anything this misses)."""
    from notices.tasks import notices_deliver  # noqa: PLC0415 (notices.tasks imports notices.delivery, which imports this)

    notices_deliver.enqueue()


def notices_schedule_step(
    *, step, escalation, calendar: WorkingCalendar, cap_working_days: int | None = None
) -> list[Notice]:
    """The clock notices of a step just sent (see :func:`reminder_times`): due soon and overdue to
    its addressee, overdue to the IRO too, and, when this step started the 20-working-day cap
    (``cap_working_days`` given), the cap reached to the IRO. Only those still to come: a
    back-dated step gets none whose moment has passed."""
    if step.addressee is None:
        return []
    times = reminder_times(step.sent_at, step.due_on, calendar)
    now = timezone.now()
    if times.due_soon is not None and times.due_soon <= now:  # a back-dated step: that moment has gone
        times.due_soon = None
    written = []
    if times.overdue <= now:
        return written  # a back-dated step already overdue: the service managers' digest lists it
    about_the_step = functools.partial(notice_queue, escalation=escalation, step=step, due_at=step.due_at)
    if times.due_soon is not None:
        written += about_the_step(
            kind=NoticeKind.DUE_SOON, recipients=[step.addressee], send_after=times.due_soon, addressed=True
        )
    written += about_the_step(
        kind=NoticeKind.OVERDUE, recipients=[step.addressee], send_after=times.overdue, addressed=True
    )
    written += about_the_step(kind=NoticeKind.OVERDUE, recipients=[escalation.iro], send_after=times.overdue)
    if cap_working_days is not None:
        cap_day = calendar.add_working_days(local_date(step.sent_at), cap_working_days)
        if morning_after(cap_day, calendar) <= now:
            return written
        written += notice_queue(
            kind=NoticeKind.CAP_REACHED,
            recipients=[escalation.iro],
            escalation=escalation,
            send_after=morning_after(cap_day, calendar),
        )
    return written


class ReminderTimes:
    """When a step's clock notices go: ``due_soon`` (None when that moment had passed when the step
    was sent) and ``overdue``."""

    def __init__(self, due_soon: dt.datetime | None, overdue: dt.datetime):
        self.due_soon, self.overdue = due_soon, overdue


def reminder_times(sent_at: dt.datetime, due_on: dt.date, calendar: WorkingCalendar) -> ReminderTimes:
    """Due soon: the start of the working day before the last day for the reply (a step due on
    Friday is reminded on Thursday at 9am; one due the Tuesday after a bank holiday Monday, on the
    Friday before). Overdue: the start of the next working day after the last day."""
    start = settings.NOTICE_WORKING_HOURS[0]
    due_soon = local_moment(calendar.previous_working_day(due_on), start)
    return ReminderTimes(due_soon if due_soon > sent_at else None, morning_after(due_on, calendar))


def morning_after(day: dt.date, calendar: WorkingCalendar) -> dt.datetime:
    """The start of working hours on the first working day after ``day``."""
    return local_moment(calendar.next_working_day(day), settings.NOTICE_WORKING_HOURS[0])


def notices_cancel_for_step(*, step) -> int:
    """Nothing more is sent about a step once it is answered or has ended: its reminders that have
    not gone yet are cancelled. (A reassigned step's new step has reminders of its own.)"""
    return Notice.objects.filter(
        step=step, status=NoticeStatus.PENDING, kind__in=(NoticeKind.DUE_SOON, NoticeKind.OVERDUE)
    ).update(status=NoticeStatus.CANCELLED, last_error="The step was answered or ended first.")


def notices_cancel_for_escalation(*, escalation) -> int:
    """An escalation closed: its cap notice, if still waiting, is not needed."""
    return Notice.objects.filter(
        escalation=escalation, status=NoticeStatus.PENDING, kind=NoticeKind.CAP_REACHED
    ).update(status=NoticeStatus.CANCELLED, last_error="The escalation was closed first.")


@transaction.atomic
def notice_retry(*, notice: Notice) -> Notice:
    """Send a failed notice again (from the service manager's page)."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status != NoticeStatus.FAILED:
        return notice
    notice.status, notice.attempts, notice.send_after, notice.claimed_until = (
        NoticeStatus.PENDING,
        0,
        timezone.now(),
        None,
    )
    notice.save(update_fields=["status", "attempts", "send_after", "claimed_until"])
    transaction.on_commit(_deliver_soon)
    return notice


@transaction.atomic
def notice_preference_set(*, user: User, addressed: str, others: str) -> NoticePreference:
    """How ``user`` wants their notices. Steps addressed to them cannot be switched off."""
    if addressed not in (Frequency.AT_ONCE, Frequency.DAILY):
        addressed = Frequency.AT_ONCE
    if others not in Frequency.values:
        others = Frequency.AT_ONCE
    preference, _ = NoticePreference.objects.update_or_create(
        user=user, defaults={"addressed": addressed, "others": others}
    )
    # Notices held for a summary go at once if the person now wants them at once.
    held = Notice.objects.filter(recipient=user, status=NoticeStatus.PENDING, held_for_summary=True)
    if addressed == Frequency.AT_ONCE:
        held.filter(addressed=True).update(held_for_summary=False)
    if others == Frequency.AT_ONCE:
        held.filter(addressed=False).update(held_for_summary=False)
    return preference


@transaction.atomic
def notices_summarise(*, now: dt.datetime | None = None) -> list[Notice]:
    """Each working morning: one summary for each person with notices held for it (they asked for
    a daily summary), listing them by their subject line and link; the notices held are marked as
    summarised. The summaries are delivered like any other notice."""
    from notices.delivery import notice_link, notice_render  # noqa: PLC0415 (notices.delivery imports this module)

    now = now or timezone.now()
    held = (
        Notice.objects.select_for_update(of=("self",))
        .filter(status=NoticeStatus.PENDING, held_for_summary=True)
        .select_related("recipient", "escalation", "step__stage", "actor", "on_behalf_of")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_recipient: dict[int, list[Notice]] = {}
    for notice in held:
        by_recipient.setdefault(notice.recipient_id, []).append(notice)
    summaries = []
    for notices in by_recipient.values():
        items = [
            {
                "line": notice_render(notice)[0],
                "link": notice_link(f"/escalations/{notice.escalation_id}/") if notice.escalation_id else "",
            }
            for notice in notices
        ]
        written = notice_queue(
            kind=NoticeKind.DAILY_SUMMARY,
            recipients=[notices[0].recipient],
            day=local_date(now),
            items=items,
            addressed=any(notice.addressed for notice in notices),
            send_after=now,
        )
        if written:
            Notice.objects.filter(pk__in=[notice.pk for notice in notices]).update(
                status=NoticeStatus.SUMMARISED, summary=written[0]
            )
            summaries.extend(written)
    return summaries
