"""The outbox: which notices each move of an escalation writes, to whom, and when clock notices go.

The moves are made through the escalation services, so the notices are exactly those real use
writes. The clock is the real one: bank holidays from the ``holidays`` package.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from escalations import services
from notices.models import Notice, NoticeKind, NoticeStatus
from notices.services import notice_queue, reminder_times
from tests.factories import (
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    london,
    outcome,
    raise_escalation,
    stage,
)
from workdays.clock import WorkingCalendar

pytestmark = pytest.mark.django_db
ENGLAND = WorkingCalendar()


def _now_raised(**kwargs):
    """An escalation raised now: a live move, which tells people."""
    return raise_escalation(raised_at=timezone.now(), **kwargs)


def _kinds(recipient):
    return sorted(Notice.objects.filter(recipient=recipient).values_list("kind", flat=True))


# --- when the clock notices go ---------------------------------------------------------------------


def test_a_step_due_on_friday_is_reminded_on_thursday_at_9am():
    times = reminder_times(london(2026, 11, 2, 10, 0), dt.date(2026, 11, 6), ENGLAND)  # sent Monday
    assert times.due_soon == london(2026, 11, 5, 9, 0)


def test_a_step_due_the_tuesday_after_a_bank_holiday_is_reminded_the_friday_before():
    times = reminder_times(london(2026, 5, 20, 10, 0), dt.date(2026, 5, 26), ENGLAND)  # 25 May: bank holiday
    assert times.due_soon == london(2026, 5, 22, 9, 0)


def test_a_reminder_whose_moment_passed_before_the_step_was_sent_is_not_written():
    times = reminder_times(london(2026, 11, 5, 14, 0), dt.date(2026, 11, 6), ENGLAND)  # sent Thursday 2pm
    assert times.due_soon is None


def test_overdue_goes_the_next_working_morning_after_the_last_day():
    times = reminder_times(london(2026, 12, 21, 10, 0), dt.date(2026, 12, 24), ENGLAND)
    assert times.overdue == london(2026, 12, 29, 9, 0)  # Christmas Day, Boxing Day (Monday 28th) skipped


# --- which notices each move writes ----------------------------------------------------------------


def test_raising_tells_the_manager_and_schedules_their_reminders_and_the_iros_overdue_notice():
    esc = _now_raised()
    manager, iro = esc.current_addressee, esc.iro
    assert _kinds(manager) == sorted([NoticeKind.STEP_SENT, NoticeKind.DUE_SOON, NoticeKind.OVERDUE])
    assert _kinds(iro) == sorted([NoticeKind.OVERDUE, NoticeKind.CAP_REACHED])  # team manager is formal
    sent = Notice.objects.get(recipient=manager, kind=NoticeKind.STEP_SENT)
    assert (sent.how, sent.actor, sent.addressed, sent.status) == ("raised", iro, True, NoticeStatus.PENDING)


def test_a_response_tells_the_iro_and_cancels_the_managers_reminders():
    esc = _now_raised()
    services.escalation_respond(escalation=esc, by=esc.current_addressee, response="Agreed.")
    reminders = Notice.objects.filter(recipient=esc.current_addressee, kind__in=["due_soon", "overdue"])
    assert set(reminders.values_list("status", flat=True)) == {NoticeStatus.CANCELLED}
    assert Notice.objects.filter(recipient=esc.iro, kind=NoticeKind.RESPONSE, status="pending").count() == 1


def test_an_acknowledgement_tells_the_iro_and_keeps_the_reminders():
    esc = _now_raised()
    services.escalation_first_response(escalation=esc, by=esc.current_addressee)
    assert Notice.objects.filter(recipient=esc.iro, kind=NoticeKind.FIRST_RESPONSE).count() == 1
    assert Notice.objects.filter(recipient=esc.current_addressee, kind="overdue", status="pending").count() == 1


def test_escalating_tells_the_new_addressee_and_the_one_passed_over():
    esc = _now_raised()
    first = esc.current_addressee
    hos = ManagerFactory(stage=stage("head_of_service"))
    services.escalation_escalate(
        escalation=esc, by=esc.iro, stage=stage("head_of_service"), addressee=hos, reason="No reply in time."
    )
    passed = Notice.objects.get(recipient=first, kind=NoticeKind.ESCALATED_PAST_YOU)
    assert passed.how == "Head of service"
    assert Notice.objects.get(recipient=hos, kind=NoticeKind.STEP_SENT).how == "escalated"
    assert Notice.objects.filter(recipient=first, kind="overdue", status="pending").count() == 0


def test_reminders_move_with_a_reassignment():
    esc = _now_raised()
    first, second = esc.current_addressee, ManagerFactory(stage=stage("team_manager"))
    services.escalation_reassign(escalation=esc, by=esc.iro, addressee=second)
    assert set(Notice.objects.filter(recipient=first, kind="overdue").values_list("status", flat=True)) == {"cancelled"}
    moved = Notice.objects.get(recipient=second, kind=NoticeKind.OVERDUE)
    assert (moved.status, moved.due_at) == (NoticeStatus.PENDING, esc.current_step.due_at)
    assert Notice.objects.get(recipient=second, kind=NoticeKind.STEP_SENT).how == "reassigned"


def test_closing_tells_everyone_with_a_step_and_cancels_the_cap_notice():
    esc = _now_raised()
    first = esc.current_addressee
    hos = ManagerFactory(stage=stage("head_of_service"))
    esc = services.escalation_escalate(
        escalation=esc, by=esc.iro, stage=stage("head_of_service"), addressee=hos, reason="No reply in time."
    )
    services.escalation_resolve(escalation=esc, by=esc.iro, outcome=outcome("resolved"), reason="The plan was agreed.")
    closed = Notice.objects.filter(kind=NoticeKind.CLOSED)
    assert set(closed.values_list("recipient", flat=True)) == {first.pk, hos.pk}
    assert closed.first().how == "resolved"
    assert Notice.objects.get(recipient=esc.iro, kind=NoticeKind.CAP_REACHED).status == NoticeStatus.CANCELLED


def test_a_cafcass_referral_tells_the_service_managers():
    managers = [ServiceManagerFactory(), ServiceManagerFactory()]
    esc = _now_raised()
    services.escalation_refer_to_cafcass(
        escalation=esc, by=esc.iro, referred_on=timezone.localdate(), reason="Care plan drift."
    )
    assert set(Notice.objects.filter(kind=NoticeKind.CAFCASS).values_list("recipient", flat=True)) == {
        m.pk for m in managers
    }


def test_the_service_manager_acting_for_an_iro_is_named_as_acting_for_them():
    iro, sm = IroFactory(), ServiceManagerFactory()
    esc = raise_escalation(iro=iro, raised_at=timezone.now())
    services.escalation_resolve(escalation=esc, by=sm, outcome=outcome("resolved"), reason="The plan was agreed.")
    closed = Notice.objects.get(kind=NoticeKind.CLOSED, recipient=esc.current_addressee)
    assert (closed.actor, closed.on_behalf_of) == (sm, iro)


def test_a_back_dated_move_tells_no_one():
    esc = raise_escalation(raised_at=timezone.now() - dt.timedelta(days=3))
    services.escalation_respond(
        escalation=esc, by=esc.current_addressee, response="Agreed.", at=timezone.now() - dt.timedelta(days=2)
    )
    assert not Notice.objects.filter(kind__in=[NoticeKind.STEP_SENT, NoticeKind.RESPONSE]).exists()


def test_a_change_that_rolls_back_leaves_no_notice():
    with pytest.raises(RuntimeError), transaction.atomic():
        _now_raised()
        raise RuntimeError("the request failed after the raise")
    assert Notice.objects.count() == 0


def test_the_same_notice_is_never_written_twice():
    esc = _now_raised()
    again = notice_queue(
        kind=NoticeKind.STEP_SENT, recipients=[esc.current_addressee], escalation=esc, step=esc.current_step
    )
    assert again == [] and Notice.objects.filter(kind=NoticeKind.STEP_SENT).count() == 1


def test_no_notice_goes_to_the_person_who_acted_or_to_someone_inactive():
    esc = _now_raised()
    gone = ManagerFactory(is_active=False)
    written = notice_queue(kind=NoticeKind.NOTE, recipients=[esc.iro, gone, None], escalation=esc, actor=esc.iro)
    assert written == []


def test_a_back_dated_step_gets_no_reminder_whose_moment_has_passed():
    raise_escalation(raised_at=timezone.now() - dt.timedelta(days=40))
    assert not Notice.objects.exists()


def test_the_morning_digest_lists_each_overdue_escalation_for_every_service_manager():
    managers = [ServiceManagerFactory(), ServiceManagerFactory()]
    late = raise_escalation(raised_at=timezone.now() - dt.timedelta(days=20))
    on_time = _now_raised()
    written = services.escalation_overdue_digest_queue()
    assert {n.recipient for n in written} == set(managers)
    lines = [item["line"] for item in written[0].items]
    assert len(lines) == 1 and lines[0].startswith(f"{late.reference}: Team manager")
    assert on_time.reference not in " ".join(lines)
