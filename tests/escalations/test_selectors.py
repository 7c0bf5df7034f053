import datetime as dt

import pytest

from escalations import selectors, services
from escalations.models import Escalation
from escalations.selectors import DueState, due_state, escalation_overdue
from tests.factories import IroFactory, ManagerFactory, ServiceManagerFactory, london, outcome, raise_escalation, stage
from workdays.clock import WorkingCalendar, end_of_day

ENGLAND = WorkingCalendar()
DUE_ON = dt.date(2016, 3, 31)  # Thursday
DUE_AT = end_of_day(DUE_ON)


def _state(now, responded_at=None, ended_at=None):
    return due_state(
        due_on=DUE_ON, due_at=DUE_AT, responded_at=responded_at, ended_at=ended_at, now=now, calendar=ENGLAND
    )


def test_waiting_with_time_to_spare_is_due():
    assert _state(london(2016, 3, 24, 10, 0)) == DueState.DUE


def test_waiting_and_due_by_the_end_of_the_next_working_day_is_due_soon():
    assert _state(london(2016, 3, 30, 10, 0)) == DueState.DUE_SOON


def test_waiting_on_the_due_day_is_due_soon():
    assert _state(london(2016, 3, 31, 23, 59)) == DueState.DUE_SOON


def test_waiting_after_the_due_day_is_overdue():
    assert _state(london(2016, 4, 1, 0, 0)) == DueState.OVERDUE


def test_due_soon_looks_past_the_easter_holidays():
    # On Thu 24 Mar 2016 the next working day is Tue 29 Mar, so a step due then is due soon.
    assert (
        due_state(
            due_on=dt.date(2016, 3, 29),
            due_at=end_of_day(dt.date(2016, 3, 29)),
            responded_at=None,
            ended_at=None,
            now=london(2016, 3, 24, 10, 0),
            calendar=ENGLAND,
        )
        == DueState.DUE_SOON
    )


def test_a_response_on_the_due_day_is_met():
    assert _state(london(2016, 4, 5), responded_at=london(2016, 3, 31, 23, 0)) == DueState.MET


def test_a_response_after_the_due_day_is_missed():
    assert _state(london(2016, 4, 5), responded_at=london(2016, 4, 1, 9, 0)) == DueState.MISSED


def test_a_step_escalated_unanswered_after_its_due_day_is_missed():
    assert _state(london(2016, 4, 5), ended_at=london(2016, 4, 4, 9, 0)) == DueState.MISSED


@pytest.mark.django_db
def test_overdue_lists_open_escalations_past_their_due_time():
    late = raise_escalation(raised_at=london(2016, 3, 1, 10, 0))
    answered = raise_escalation(raised_at=london(2016, 3, 1, 10, 0))
    services.escalation_respond(escalation=answered, by=answered.current_addressee, response="Done.")
    closed = raise_escalation(raised_at=london(2016, 3, 1, 10, 0))
    services.escalation_resolve(
        escalation=closed, by=closed.iro, outcome=outcome("resolved"), reason="The plan was agreed."
    )
    assert list(escalation_overdue()) == [late]


@pytest.mark.django_db
def test_the_inbox_lists_what_awaits_the_manager_soonest_due_first():
    tm = ManagerFactory(stage=stage("team_manager"))
    later = raise_escalation(addressee=tm, raised_at=london(2016, 3, 10, 10, 0))
    sooner = raise_escalation(addressee=tm, raised_at=london(2016, 3, 1, 10, 0))
    raise_escalation(raised_at=london(2016, 3, 1, 10, 0))  # someone else's
    assert selectors.manager_inbox(manager=tm, calendar=WorkingCalendar()).awaiting == [sooner, later]


@pytest.mark.django_db
def test_the_inbox_holds_what_is_open_and_sent_before_the_rest():
    tm = ManagerFactory(stage=stage("team_manager"))
    answered = services.escalation_respond(escalation=raise_escalation(addressee=tm), by=tm, response="Done.")
    moved = raise_escalation(addressee=tm)
    services.escalation_escalate(
        escalation=moved,
        by=moved.iro,
        stage=stage("head_of_service"),
        addressee=ManagerFactory(stage=stage("head_of_service")),
        reason="No progress.",
    )
    inbox = selectors.manager_inbox(manager=tm, calendar=WorkingCalendar())
    sent_before = selectors.manager_sent_before_page(manager=tm)
    assert (inbox.awaiting, inbox.answered, sent_before.items) == ([], [answered], [moved])


@pytest.mark.django_db
def test_an_iros_decisions_are_their_open_escalations_with_a_response():
    answered = raise_escalation()
    services.escalation_respond(escalation=answered, by=answered.current_addressee, response="Plan agreed.")
    raise_escalation(iro=answered.iro)  # still waiting for its reply
    assert list(selectors.escalation_decisions(iro=answered.iro)) == [answered]


@pytest.mark.django_db
def test_an_iros_decisions_come_a_page_at_a_time_longest_waiting_first(monkeypatch):
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 2)
    first = raise_escalation()
    iro = first.iro
    answered = [first, raise_escalation(iro=iro), raise_escalation(iro=iro)]
    for escalation in answered:
        services.escalation_respond(escalation=escalation, by=escalation.current_addressee, response="Plan agreed.")
    pages = [selectors.escalation_decisions(iro=iro, page=n) for n in (1, 2)]
    assert [list(page) for page in pages] == [answered[:2], answered[2:]]
    assert pages[0].paginator.count == 3


@pytest.mark.django_db
def test_a_managers_awaiting_and_answered_come_a_page_at_a_time(monkeypatch):
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 2)
    first = raise_escalation()
    tm = first.current_addressee
    awaiting = [first] + [raise_escalation(addressee=tm) for _ in range(2)]
    inbox = selectors.manager_inbox(manager=tm, calendar=WorkingCalendar(), awaiting_page=2)
    assert len(inbox.awaiting) == 1 and inbox.awaiting_pages.paginator.count == 3
    assert {e.pk for e in inbox.awaiting} | {
        e.pk for e in selectors.manager_inbox(manager=tm, calendar=WorkingCalendar()).awaiting
    } == {e.pk for e in awaiting}


@pytest.mark.django_db
def test_the_timeline_says_who_acted_for_whom_and_why():
    esc = raise_escalation()
    sm = ServiceManagerFactory()
    manager = esc.current_addressee
    esc = services.escalation_first_response(escalation=esc, by=sm)
    esc = services.escalation_resolve(
        escalation=esc, by=esc.iro, outcome=outcome("resolved"), reason="The plan was updated at the review."
    )
    events = {
        e.title: e
        for e in selectors.escalation_timeline(
            escalation=selectors.escalation_detail(queryset=Escalation.objects.all(), pk=esc.pk)
        )
    }
    assert events["Acknowledged"].by == f"{sm} for {manager}"
    assert events["Closed: Resolved"].by == str(esc.iro)
    assert events["Closed: Resolved"].lines == ("Why: The plan was updated at the review.",)


@pytest.mark.django_db
def test_notes_are_on_the_timeline():
    esc = raise_escalation()
    services.escalation_note_add(escalation=esc, by=esc.current_addressee, text="Can we speak on Monday?")
    events = selectors.escalation_timeline(
        escalation=selectors.escalation_detail(queryset=Escalation.objects.all(), pk=esc.pk)
    )
    note = next(e for e in events if e.title == "Note")
    assert (note.by, note.lines) == (str(esc.current_addressee), ("Can we speak on Monday?",))


@pytest.mark.django_db
def test_a_stale_edit_names_what_changed_in_words():
    esc = raise_escalation()
    opened = esc.version
    services.escalation_resolve(escalation=esc, by=esc.iro, outcome=outcome("resolved"), reason="The plan was agreed.")
    _, changes = selectors.escalation_changes_since(pk=esc.pk, version=opened)
    assert sorted(changes[0]["fields"]) == ["a reply", "the outcome", "the status"]


@pytest.mark.django_db
def test_a_reply_after_the_due_time_is_late_by_working_days():
    # Sent Monday 2 March 2026 to a team manager: 3 working days, due by the end of Thursday 5 March.
    esc = raise_escalation(raised_at=london(2026, 3, 2, 10, 0))
    step = services.escalation_respond(
        escalation=esc, by=esc.current_addressee, response="Sorry.", at=london(2026, 3, 9, 11, 0)
    ).current_step
    assert selectors.step_late_by(step, calendar=WorkingCalendar()) == 2  # Friday 6th was the first day late


@pytest.mark.django_db
def test_a_reply_in_time_is_not_late():
    esc = raise_escalation(raised_at=london(2026, 3, 2, 10, 0))
    step = services.escalation_respond(
        escalation=esc, by=esc.current_addressee, response="Done.", at=london(2026, 3, 5, 16, 0)
    ).current_step
    assert selectors.step_late_by(step, calendar=WorkingCalendar()) is None


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["iro", "-iro"])
def test_sorted_by_iro_is_by_surname_then_first_name_ignoring_case(sort):
    names = [("Zed", "Lee"), ("ann", "LEE"), ("Bob", "Leeds"), ("Cy", "adams")]
    raised = {last + first: raise_escalation(iro=IroFactory(first_name=first, last_name=last)) for first, last in names}
    order = [e.pk for e in selectors.escalation_sorted(Escalation.objects.all(), sort=sort)]
    expected = [raised[k].pk for k in ("adamsCy", "LEEann", "LeeZed", "LeedsBob")]
    assert order == (expected if sort == "iro" else expected[::-1])
