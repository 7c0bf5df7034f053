"""The workflow services: raising, replying, escalating, closing, and their refusals."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import DomainError, NotPermitted, StaleUpdate
from escalations import services
from escalations.models import Escalation, EscalationStatus, Step, StepResult
from people.models import User
from people.services import absence_record
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    london,
    outcome,
    raise_escalation,
    stage,
    subtheme,
    theme,
)
from themes.models import DriftReason
from workdays.selectors import working_calendar

pytestmark = pytest.mark.django_db


def _reload(escalation):
    return Escalation.objects.get(pk=escalation.pk)


# --- raise ---------------------------------------------------------------------------------------


def test_raise_sends_the_first_step_with_its_due_time_fixed():
    # Thu 24 Dec 2015, team manager target 3 working days: due end of Thu 31 Dec.
    esc = raise_escalation(raised_at=london(2015, 12, 24, 10, 0))
    step = esc.steps.get()
    assert step.sequence == 1
    assert step.target_working_days == 3
    assert step.due_on == dt.date(2015, 12, 31)
    assert step.due_at == london(2016, 1, 1, 0, 0)


def test_raise_fills_the_denormalised_fields():
    esc = _reload(raise_escalation(raised_at=london(2016, 3, 24, 10, 0)))
    step = esc.steps.get()
    assert esc.status == EscalationStatus.OPEN
    assert esc.current_step == step
    assert esc.current_stage.code == "team_manager"
    assert esc.highest_stage.code == "team_manager"
    assert esc.current_addressee == step.addressee
    assert esc.next_due_at == step.due_at
    assert esc.formal_started_at == london(2016, 3, 24, 10, 0)
    assert esc.first_response_at is None


def test_raise_generates_a_reference_per_year():
    first = raise_escalation(raised_at=london(2016, 3, 24, 10, 0))
    second = raise_escalation(raised_at=london(2016, 3, 25, 10, 0))
    assert first.reference == "ESC-2016-00001"
    assert second.reference == "ESC-2016-00002"


def test_raise_at_an_informal_stage_does_not_start_the_cap_clock():
    esc = raise_escalation(stage_code="social_worker")
    assert esc.formal_started_at is None


def test_raise_may_bypass_stages():
    esc = raise_escalation(stage_code="head_of_service")
    assert esc.highest_stage.code == "head_of_service"
    assert esc.steps.get().target_working_days == 4


def test_raise_about_two_siblings():
    iro = IroFactory()
    children = [ChildFactory(iro=iro), ChildFactory(iro=iro)]
    esc = raise_escalation(iro=iro, children=children)
    assert set(esc.children.all()) == set(children)


def test_a_subtheme_implies_its_theme():
    esc = raise_escalation(subthemes=[subtheme("safety", "missing")])
    assert list(esc.themes.values_list("code", flat=True)) == ["safety"]


def test_drift_reasons_need_the_drift_theme():

    with pytest.raises(DomainError, match="Drift in care planning"):
        raise_escalation(themes=[theme("health")], drift_reasons=[DriftReason.objects.get(code="housing")])
    assert Escalation.objects.count() == 0


def test_a_retired_theme_cannot_be_chosen_for_a_new_escalation():
    retired = theme("life_story_work")
    retired.active = False
    retired.save()
    with pytest.raises(DomainError, match="retired"):
        raise_escalation(themes=[retired])


def test_raise_refuses_a_child_who_was_not_looked_after_then():
    iro = IroFactory()
    child = ChildFactory(iro=iro, case_id="700001", looked_after_from=dt.date(2016, 5, 1))
    with pytest.raises(DomainError, match="Child 700001 was not looked after on 24 March 2016"):
        raise_escalation(iro=iro, children=[child], raised_at=london(2016, 3, 24, 10, 0))
    assert Escalation.objects.count() == 0
    assert Step.objects.count() == 0


def test_raise_refuses_a_child_who_had_left_care():
    child = ChildFactory(looked_after_from=dt.date(2012, 1, 9), looked_after_to=dt.date(2015, 6, 30))
    with pytest.raises(DomainError, match="looked after from 9 January 2012 to 30 June 2015"):
        raise_escalation(iro=child.iro, children=[child], raised_at=london(2016, 3, 24, 10, 0))


def test_raise_allows_a_child_whose_dates_are_not_yet_known():
    child = ChildFactory(looked_after_from=None, details_to_complete=True)
    esc = raise_escalation(iro=child.iro, children=[child])
    assert list(esc.children.all()) == [child]


def test_raise_needs_a_child():
    with pytest.raises(DomainError, match="Choose at least one child"):
        raise_escalation(children=[])


def test_raise_needs_the_concern():
    with pytest.raises(DomainError, match="Enter the concern") as error:
        raise_escalation(concern="   ")
    assert error.value.field == "concern"


def test_raise_refuses_an_addressee_at_another_stage():
    pgl = ManagerFactory(stage=stage("practice_group_lead"))
    with pytest.raises(DomainError, match="not an active responding manager at the Team manager stage"):
        raise_escalation(stage_code="team_manager", addressee=pgl)


def test_raise_refuses_a_time_in_the_future():
    with pytest.raises(DomainError, match="cannot be in the future"):
        raise_escalation(raised_at=timezone.now() + dt.timedelta(days=1))


def test_only_an_iro_can_raise():
    manager = ManagerFactory()
    with pytest.raises(NotPermitted):
        services.escalation_raise(
            by=manager,
            children=[ChildFactory()],
            stage=stage("team_manager"),
            addressee=ManagerFactory(),
            concern="Concern",
        )


def test_the_service_manager_can_raise_on_an_iros_behalf():
    iro = IroFactory()
    esc = services.escalation_raise(
        by=ServiceManagerFactory(),
        iro=iro,
        children=[ChildFactory(iro=iro)],
        stage=stage("team_manager"),
        addressee=ManagerFactory(),
        concern="Concern",
    )
    assert esc.iro == iro


# --- the manager's replies -----------------------------------------------------------------------


def test_first_response_is_recorded_on_the_step_and_the_escalation():
    esc = raise_escalation(raised_at=london(2016, 3, 24, 10, 0))
    step = esc.steps.get()
    esc = services.escalation_first_response(escalation=esc, by=step.addressee, at=london(2016, 3, 24, 15, 0))
    assert _reload(esc).first_response_at == london(2016, 3, 24, 15, 0)
    assert Step.objects.get(pk=step.pk).first_response_at == london(2016, 3, 24, 15, 0)
    assert _reload(esc).next_due_at == step.due_at  # the response itself is still due


def test_respond_records_response_and_action_and_clears_the_due_time():
    esc = raise_escalation(raised_at=london(2016, 3, 24, 10, 0))
    step = esc.steps.get()
    services.escalation_respond(
        escalation=esc,
        by=step.addressee,
        response="Plan updated.",
        action_agreed="Review the plan",
        action_due_on=dt.date(2016, 4, 8),
        at=london(2016, 3, 29, 9, 0),
    )
    step.refresh_from_db()
    assert step.response == "Plan updated."
    assert step.action_agreed == "Review the plan"
    assert step.action_due_on == dt.date(2016, 4, 8)
    assert step.responded_at == london(2016, 3, 29, 9, 0)
    assert _reload(esc).next_due_at is None


def test_a_response_counts_as_the_first_response_when_none_was_recorded():
    esc = raise_escalation(raised_at=london(2016, 3, 24, 10, 0))
    step = esc.steps.get()
    services.escalation_respond(escalation=esc, by=step.addressee, response="Done.", at=london(2016, 3, 24, 12, 0))
    assert _reload(esc).first_response_at == london(2016, 3, 24, 12, 0)


def test_a_response_dated_before_the_raise_is_refused():
    esc = raise_escalation(raised_at=london(2016, 3, 24, 10, 0))
    step = esc.steps.get()
    with pytest.raises(DomainError, match="is before the escalation was raised"):
        services.escalation_respond(escalation=esc, by=step.addressee, response="Done.", at=london(2016, 3, 23, 9, 0))
    step.refresh_from_db()
    assert step.responded_at is None
    assert _reload(esc).version == esc.version


def test_an_agreed_action_needs_its_date():
    esc = raise_escalation()
    with pytest.raises(DomainError, match="date the agreed action will be done by"):
        services.escalation_respond(
            escalation=esc, by=esc.current_addressee, response="Yes.", action_agreed="Visit the child"
        )


def test_a_date_for_the_action_needs_the_action_agreed():
    esc = raise_escalation()
    with pytest.raises(DomainError, match="Enter the action agreed, or leave the date empty") as error:
        services.escalation_respond(
            escalation=esc, by=esc.current_addressee, response="Yes.", action_due_on=timezone.localdate()
        )
    assert error.value.field == "action_agreed"


def test_an_empty_response_is_refused():
    esc = raise_escalation()
    with pytest.raises(DomainError, match="Enter the response"):
        services.escalation_respond(escalation=esc, by=esc.current_addressee, response=" ")


def test_only_the_addressee_can_respond():
    esc = raise_escalation()
    with pytest.raises(NotPermitted, match="Only they"):
        services.escalation_respond(escalation=esc, by=ManagerFactory(), response="Done.")


# --- escalate, reassign --------------------------------------------------------------------------


def test_escalate_ends_the_step_and_sends_a_more_senior_one():
    esc = raise_escalation(raised_at=london(2016, 3, 21, 10, 0))
    hos = ManagerFactory(stage=stage("head_of_service"))
    esc = services.escalation_escalate(
        escalation=esc,
        by=esc.iro,
        stage=stage("head_of_service"),
        addressee=hos,
        at=london(2016, 3, 24, 10, 0),
        reason="No reply in time.",
    )
    first, second = esc.steps.order_by("sequence")
    assert first.result == StepResult.ESCALATED
    assert first.ended_at == london(2016, 3, 24, 10, 0)
    assert second.stage.code == "head_of_service"
    assert second.due_on == dt.date(2016, 4, 1)  # 4 working days over Easter 2016
    esc = _reload(esc)
    assert esc.current_stage.code == "head_of_service"
    assert esc.highest_stage.code == "head_of_service"
    assert esc.next_due_at == second.due_at
    assert esc.formal_started_at == london(2016, 3, 21, 10, 0)


def test_escalating_to_a_lower_stage_is_refused():
    esc = raise_escalation(stage_code="practice_group_lead")
    with pytest.raises(DomainError, match="only escalate to a more senior stage, not to Team manager"):
        services.escalation_escalate(
            escalation=esc,
            by=esc.iro,
            stage=stage("team_manager"),
            addressee=ManagerFactory(),
            reason="No reply in time.",
        )
    assert esc.steps.count() == 1


def test_escalating_to_the_same_stage_is_refused():
    esc = raise_escalation()
    with pytest.raises(DomainError, match="more senior stage"):
        services.escalation_escalate(
            escalation=esc,
            by=esc.iro,
            stage=stage("team_manager"),
            addressee=ManagerFactory(),
            reason="No reply in time.",
        )


def test_only_the_iro_or_service_manager_can_escalate():
    esc = raise_escalation()
    with pytest.raises(NotPermitted):
        services.escalation_escalate(
            escalation=esc,
            by=IroFactory(),
            stage=stage("head_of_service"),
            addressee=ManagerFactory(stage=stage("head_of_service")),
            reason="No reply in time.",
        )


def test_reassign_keeps_the_stage_and_the_due_time():
    esc = raise_escalation(raised_at=london(2016, 3, 24, 10, 0))
    original = esc.steps.get()
    cover = ManagerFactory(stage=stage("team_manager"))
    esc = services.escalation_reassign(escalation=esc, by=esc.iro, addressee=cover, at=london(2016, 3, 24, 12, 0))
    old, new = esc.steps.order_by("sequence")
    assert old.result == StepResult.REASSIGNED
    assert new.addressee == cover
    assert new.stage == original.stage
    assert new.due_at == original.due_at
    assert _reload(esc).current_addressee == cover


def test_reassign_to_a_manager_at_another_stage_is_refused():
    esc = raise_escalation()
    with pytest.raises(DomainError, match="at the Team manager stage"):
        services.escalation_reassign(
            escalation=esc, by=esc.iro, addressee=ManagerFactory(stage=stage("head_of_service"))
        )


def test_reassign_to_the_same_person_is_refused():
    esc = raise_escalation()
    with pytest.raises(DomainError, match="already with"):
        services.escalation_reassign(escalation=esc, by=esc.iro, addressee=esc.current_addressee)


# --- close, Cafcass, reopen ----------------------------------------------------------------------


def test_resolve_closes_with_the_outcome():
    esc = raise_escalation()
    esc = services.escalation_resolve(
        escalation=esc, by=esc.iro, outcome=outcome("not_resolved"), reason="The plan was agreed."
    )
    esc = _reload(esc)
    assert esc.status == EscalationStatus.CLOSED
    assert esc.outcome.code == "not_resolved"
    assert esc.closed_at is not None
    assert esc.next_due_at is None
    assert esc.current_step.result == StepResult.RESOLVED


def test_resolve_with_the_withdrawn_outcome_is_refused():
    esc = raise_escalation()
    with pytest.raises(DomainError, match="use withdraw"):
        services.escalation_resolve(
            escalation=esc, by=esc.iro, outcome=outcome("withdrawn"), reason="The plan was agreed."
        )


def test_withdraw_closes_as_withdrawn():
    esc = raise_escalation()
    esc = _reload(services.escalation_withdraw(escalation=esc, by=esc.iro, reason="Raised in error."))
    assert esc.outcome.code == "withdrawn"
    assert esc.current_step.result == StepResult.WITHDRAWN


def test_refer_to_cafcass_records_date_and_reason():
    esc = raise_escalation()
    today = timezone.localdate()
    esc = services.escalation_refer_to_cafcass(escalation=esc, by=esc.iro, referred_on=today, reason="Plan stalled")
    esc = _reload(esc)
    assert esc.cafcass_referred_on == today
    assert esc.cafcass_reason == "Plan stalled"
    assert esc.status == EscalationStatus.OPEN  # a referral is not a stage and closes nothing


def test_a_second_cafcass_referral_is_refused():
    esc = raise_escalation()
    today = timezone.localdate()
    esc = services.escalation_refer_to_cafcass(escalation=esc, by=esc.iro, referred_on=today, reason="Plan stalled")
    with pytest.raises(DomainError, match="already referred to Cafcass"):
        services.escalation_refer_to_cafcass(escalation=esc, by=esc.iro, referred_on=today, reason="Again")


def test_a_cafcass_referral_before_the_raise_is_refused():
    esc = raise_escalation(raised_at=london(2016, 3, 24, 10, 0))
    with pytest.raises(DomainError, match="before the escalation was raised"):
        services.escalation_refer_to_cafcass(
            escalation=esc, by=esc.iro, referred_on=dt.date(2016, 3, 1), reason="Plan stalled"
        )


def test_reopen_sends_a_new_step_to_the_last_stage_and_person():
    esc = raise_escalation()
    esc = services.escalation_resolve(
        escalation=esc, by=esc.iro, outcome=outcome("resolved"), reason="The plan was agreed."
    )
    esc = _reload(services.escalation_reopen(escalation=esc, by=esc.iro, reason="The plan fell through."))
    assert esc.status == EscalationStatus.OPEN
    assert esc.outcome is None
    assert esc.closed_at is None
    assert esc.current_step.sequence == 2
    assert esc.current_step.addressee == esc.steps.get(sequence=1).addressee
    assert esc.next_due_at == esc.current_step.due_at


def test_reopen_at_a_lower_stage_is_refused():
    esc = raise_escalation(stage_code="head_of_service")
    esc = services.escalation_resolve(
        escalation=esc, by=esc.iro, outcome=outcome("resolved"), reason="The plan was agreed."
    )
    with pytest.raises(DomainError, match="Reopen it there or at a more senior stage"):
        services.escalation_reopen(
            escalation=esc,
            by=esc.iro,
            stage=stage("team_manager"),
            addressee=ManagerFactory(),
            reason="The plan fell through.",
        )


# --- no lost updates, history kept ---------------------------------------------------------------


def test_a_stale_update_is_refused_and_changes_nothing():
    esc = raise_escalation()
    read_by_iro = Escalation.objects.get(pk=esc.pk)
    read_by_manager = Escalation.objects.get(pk=esc.pk)
    services.escalation_respond(escalation=read_by_manager, by=esc.current_addressee, response="Done.")
    with pytest.raises(StaleUpdate, match="after you opened it. Nothing has been saved"):
        services.escalation_resolve(
            escalation=read_by_iro, by=esc.iro, outcome=outcome("resolved"), reason="The plan was agreed."
        )
    assert _reload(esc).status == EscalationStatus.OPEN


def test_the_expected_version_can_be_given_explicitly():
    esc = raise_escalation()
    with pytest.raises(StaleUpdate):
        services.escalation_withdraw(
            escalation=esc, by=esc.iro, expected_version=esc.version - 1, reason="Raised in error."
        )


def test_a_later_change_to_the_ladder_does_not_move_a_sent_step():
    esc = raise_escalation(raised_at=london(2016, 3, 24, 10, 0))
    team_manager = stage("team_manager")
    team_manager.target_working_days = 10
    team_manager.save()
    step = esc.steps.get()
    assert step.target_working_days == 3
    assert step.due_on == dt.date(2016, 3, 31)


def test_a_response_dated_before_the_first_response_is_refused():
    esc = raise_escalation(raised_at=london(2016, 3, 24, 10, 0))
    manager = esc.current_addressee
    esc = services.escalation_first_response(escalation=esc, by=manager, at=london(2016, 3, 24, 15, 0))
    with pytest.raises(DomainError, match="is before the first response"):
        services.escalation_respond(escalation=esc, by=manager, response="Done.", at=london(2016, 3, 24, 12, 0))


def test_closing_before_the_response_is_refused():
    esc = raise_escalation(raised_at=london(2016, 3, 24, 10, 0))
    esc = services.escalation_respond(
        escalation=esc, by=esc.current_addressee, response="Done.", at=london(2016, 3, 29, 9, 0)
    )
    with pytest.raises(DomainError, match="is before the first response"):
        services.escalation_resolve(
            escalation=esc,
            by=esc.iro,
            outcome=outcome("resolved"),
            at=london(2016, 3, 28, 9, 0),
            reason="The plan was agreed.",
        )


def test_a_reassigned_step_waits_for_the_new_managers_own_first_response():
    esc = raise_escalation(raised_at=london(2016, 3, 24, 10, 0))
    esc = services.escalation_first_response(escalation=esc, by=esc.current_addressee, at=london(2016, 3, 24, 11, 0))
    cover = ManagerFactory(stage=stage("team_manager"))
    esc = services.escalation_reassign(escalation=esc, by=esc.iro, addressee=cover, at=london(2016, 3, 24, 12, 0))
    esc = _reload(esc)
    assert esc.current_step.first_response_at is None
    assert esc.first_response_at == london(2016, 3, 24, 11, 0)  # the escalation's first reply stands
    services.escalation_first_response(escalation=esc, by=cover, at=london(2016, 3, 24, 13, 0))


def test_fields_on_send_keep_the_most_senior_stage_reached():
    at = london(2026, 3, 2, 10, 0)
    fields = services.escalation_fields_on_send(
        stage=stage("team_manager"),
        addressee=None,
        due_at=at,
        at=at,
        highest_stage=stage("head_of_service"),
        formal_started_at=None,
    )
    assert (fields["current_stage"].code, fields["highest_stage"].code) == ("team_manager", "head_of_service")


def test_fields_on_send_start_the_cap_at_the_first_formal_step_only():
    first, later = london(2026, 3, 2, 10, 0), london(2026, 3, 9, 10, 0)
    informal = services.escalation_fields_on_send(
        stage=stage("social_worker"),
        addressee=None,
        due_at=first,
        at=first,
        highest_stage=None,
        formal_started_at=None,
    )
    formal = services.escalation_fields_on_send(
        stage=stage("head_of_service"),
        addressee=None,
        due_at=later,
        at=later,
        highest_stage=None,
        formal_started_at=first,
    )
    assert (informal["formal_started_at"], formal["formal_started_at"]) == (None, first)


def test_a_step_is_due_at_the_end_of_its_last_working_day():
    due_on, due_at = services.step_due(
        sent_at=london(2026, 4, 2, 15, 0), target_working_days=2, calendar=working_calendar()
    )
    # Thursday 2 April 2026 is day 0; Good Friday and Easter Monday are bank holidays.
    assert due_on == dt.date(2026, 4, 8)
    assert due_at == london(2026, 4, 9, 0, 0)


def test_a_step_for_a_manager_who_is_away_goes_to_their_delegate():
    away, cover = ManagerFactory(), ManagerFactory()
    absence_record(by=away, manager=away, starts_on=timezone.localdate(), ends_on=timezone.localdate(), delegate=cover)
    esc = raise_escalation(addressee=away, raised_at=timezone.now())
    assert (esc.current_addressee, esc.current_step.sent_for) == (cover, away)


def test_a_note_needs_text_and_an_open_escalation():
    esc = raise_escalation()
    with pytest.raises(DomainError, match="Enter the note"):
        services.escalation_note_add(escalation=esc, by=esc.iro, text="  ")
    esc = services.escalation_resolve(
        escalation=esc, by=esc.iro, outcome=outcome("resolved"), reason="The plan was agreed."
    )
    with pytest.raises(DomainError, match="is closed, so you cannot add a note to it"):
        services.escalation_note_add(escalation=esc, by=esc.iro, text="Too late?")


# --- the stage sort's key (current_stage_order) --------------------------------------------------


def test_raise_keeps_the_current_stages_order():
    esc = _reload(raise_escalation(stage_code="team_manager"))
    assert esc.current_stage_order == stage("team_manager").order


def test_escalate_keeps_the_new_stages_order():
    esc = raise_escalation()
    hos = ManagerFactory(stage=stage("head_of_service"))
    esc = services.escalation_escalate(
        escalation=esc, by=esc.iro, stage=stage("head_of_service"), addressee=hos, reason="No reply in time."
    )
    assert _reload(esc).current_stage_order == stage("head_of_service").order


def test_reassign_keeps_the_stages_order():
    esc = raise_escalation()
    cover = ManagerFactory(stage=stage("team_manager"))
    esc = services.escalation_reassign(escalation=esc, by=esc.iro, addressee=cover)
    assert _reload(esc).current_stage_order == stage("team_manager").order


def test_closing_keeps_the_last_stage_and_its_order():
    esc = raise_escalation(stage_code="head_of_service")
    esc = _reload(
        services.escalation_resolve(escalation=esc, by=esc.iro, outcome=outcome("resolved"), reason="Agreed.")
    )
    assert (esc.current_stage.code, esc.current_stage_order) == ("head_of_service", stage("head_of_service").order)


def test_withdrawing_keeps_the_last_stage_and_its_order():
    esc = raise_escalation()
    esc = _reload(services.escalation_withdraw(escalation=esc, by=esc.iro, reason="Raised in error."))
    assert esc.current_stage_order == stage("team_manager").order


def test_stage_save_gives_the_escalations_at_the_stage_its_new_order():
    at_team_manager = [raise_escalation(stage_code="team_manager") for _ in range(2)]
    elsewhere = raise_escalation(stage_code="head_of_service")
    team_manager = stage("team_manager")
    team_manager.order = 99
    services.stage_save(stage=team_manager, by=ServiceManagerFactory())
    assert [_reload(e).current_stage_order for e in at_team_manager] == [99, 99]
    assert _reload(elsewhere).current_stage_order == stage("head_of_service").order


def test_stage_save_saves_the_stage_with_who_changed_it():
    by = ServiceManagerFactory()
    team_manager = stage("team_manager")
    team_manager.label = "Team leader"
    services.stage_save(stage=team_manager, by=by)
    assert stage("team_manager").label == "Team leader"
    assert team_manager.history.latest().history_user == by


def test_stage_save_leaves_the_escalations_version_alone():
    esc = raise_escalation()
    team_manager = stage("team_manager")
    team_manager.order = 99
    services.stage_save(stage=team_manager, by=ServiceManagerFactory())
    assert _reload(esc).version == esc.version


# --- the IRO sort's key (iro_sort_key) and the current step's reply (current_responded_at) ----------


def test_raise_keeps_the_iros_name_sort_key():
    iro = IroFactory(first_name="Ada", last_name="Okafor")
    assert _reload(raise_escalation(iro=iro)).iro_sort_key == iro.sort_key


def test_user_save_gives_the_escalations_an_iro_raised_their_new_name_sort_key():
    iro, other = IroFactory(last_name="Adams"), IroFactory(last_name="Brown")
    theirs, elsewhere = raise_escalation(iro=iro), raise_escalation(iro=other)
    iro.last_name = "Young"
    services.user_save(user=iro, by=ServiceManagerFactory())
    assert (_reload(theirs).iro_sort_key, _reload(elsewhere).iro_sort_key) == (iro.sort_key, other.sort_key)
    assert _reload(theirs).version == theirs.version  # not a change to the escalation


def test_a_response_keeps_its_time_as_the_current_steps_reply():
    esc = raise_escalation()
    at = timezone.now()
    esc = services.escalation_respond(escalation=esc, by=esc.current_addressee, response="A plan by Friday.", at=at)
    assert _reload(esc).current_responded_at == at == _reload(esc).current_step.responded_at


def test_a_new_step_has_no_reply_yet():
    esc = raise_escalation()
    esc = services.escalation_respond(escalation=esc, by=esc.current_addressee, response="Not yet.")
    hos = ManagerFactory(stage=stage("head_of_service"))
    esc = services.escalation_escalate(
        escalation=esc, by=esc.iro, stage=stage("head_of_service"), addressee=hos, reason="Not enough."
    )
    assert _reload(esc).current_responded_at is None


def test_a_reopened_escalation_has_no_reply_yet():
    esc = raise_escalation()
    esc = services.escalation_respond(escalation=esc, by=esc.current_addressee, response="Done.")
    esc = services.escalation_resolve(escalation=esc, by=esc.iro, outcome=outcome("resolved"), reason="Agreed.")
    assert _reload(esc).current_responded_at is not None  # the last step's reply, while closed
    esc = services.escalation_reopen(escalation=esc, by=esc.iro, reason="The plan fell through.")
    assert _reload(esc).current_responded_at is None


def test_raise_takes_the_iros_name_as_stored_not_as_the_caller_last_read_it():
    iro = IroFactory(first_name="Ada", last_name="Adams")
    read_earlier = User.objects.get(pk=iro.pk)
    User.objects.filter(pk=iro.pk).update(last_name="Young")  # renamed since
    esc = raise_escalation(iro=read_earlier)
    assert _reload(esc).iro_sort_key == User.objects.get(pk=iro.pk).sort_key


def test_user_save_records_who_changed_the_person():
    iro, by = IroFactory(last_name="Adams"), ServiceManagerFactory()
    iro.last_name = "Young"
    services.user_save(user=iro, by=by)
    assert iro.history.latest().history_user == by
