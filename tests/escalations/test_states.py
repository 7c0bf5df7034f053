"""Every cell of the state x action table in ``escalations.states``, tried against the services.

A legal move must succeed and change the escalation; an illegal one must raise ``IllegalMove``
and change nothing (same version, no new audit entries, no new steps).
"""

import itertools
from pathlib import Path

import pytest
from django.utils import timezone

import escalations.states as module
from core.errors import IllegalMove
from escalations import services
from escalations.models import Escalation, Note
from escalations.states import LEGAL_MOVES, Action, EscalationState, actions_open_to, is_legal, refusal
from tests.factories import ManagerFactory, ServiceManagerFactory, outcome, raise_escalation, stage

pytestmark = pytest.mark.django_db


def _in_state(state: EscalationState) -> Escalation:
    esc = raise_escalation()
    manager = esc.current_addressee
    if state == EscalationState.ACKNOWLEDGED:
        services.escalation_first_response(escalation=esc, by=manager)
    elif state == EscalationState.RESPONDED:
        services.escalation_respond(escalation=esc, by=manager, response="Plan agreed.")
    elif state == EscalationState.CLOSED:
        services.escalation_resolve(
            escalation=esc, by=esc.iro, outcome=outcome("resolved"), reason="The plan was agreed."
        )
    esc = Escalation.objects.select_related("current_step").get(pk=esc.pk)
    assert esc.state == state
    return esc


def _do(action: Action, esc: Escalation) -> Escalation:
    iro, manager = esc.iro, esc.current_addressee
    if action == Action.FIRST_RESPONSE:
        return services.escalation_first_response(escalation=esc, by=manager)
    if action == Action.RESPOND:
        return services.escalation_respond(escalation=esc, by=manager, response="Plan agreed.")
    if action == Action.ESCALATE:
        hos = ManagerFactory(stage=stage("head_of_service"))
        return services.escalation_escalate(
            escalation=esc, by=iro, stage=stage("head_of_service"), addressee=hos, reason="No reply in time."
        )
    if action == Action.REASSIGN:
        return services.escalation_reassign(
            escalation=esc, by=iro, addressee=ManagerFactory(stage=stage("team_manager"))
        )
    if action == Action.RESOLVE:
        return services.escalation_resolve(
            escalation=esc, by=iro, outcome=outcome("resolved"), reason="The plan was agreed."
        )
    if action == Action.WITHDRAW:
        return services.escalation_withdraw(escalation=esc, by=iro, reason="Raised in error.")
    if action == Action.REFER_CAFCASS:
        return services.escalation_refer_to_cafcass(
            escalation=esc, by=iro, referred_on=timezone.localdate(), reason="The plan has stalled."
        )
    if action == Action.REOPEN:
        return services.escalation_reopen(escalation=esc, by=iro, reason="The plan fell through.")
    if action == Action.NOTE:
        services.escalation_note_add(escalation=esc, by=iro, text="Could you send the assessment dates?")
        return Escalation.objects.get(pk=esc.pk)
    raise AssertionError(f"no driver for {action}")


def test_the_table_has_a_row_for_every_action():
    assert set(LEGAL_MOVES) == set(Action)


@pytest.mark.parametrize(
    ("state", "action"),
    [pytest.param(s, a, id=f"{s}-{a}") for s, a in itertools.product(EscalationState, Action) if is_legal(a, s)],
)
def test_legal_move_succeeds(state, action):
    esc = _in_state(state)
    history_before = esc.history.count()
    result = _do(action, esc)
    if action == Action.NOTE:  # a note is added beside the escalation, which it does not change
        assert (result.version, Note.objects.filter(escalation=esc).count()) == (esc.version, 1)
        return
    assert result.version == esc.version + 1
    assert Escalation.objects.get(pk=esc.pk).version == esc.version + 1
    assert esc.history.count() > history_before


@pytest.mark.parametrize(
    ("state", "action"),
    [pytest.param(s, a, id=f"{s}-{a}") for s, a in itertools.product(EscalationState, Action) if not is_legal(a, s)],
)
def test_illegal_move_is_refused_and_changes_nothing(state, action):
    esc = _in_state(state)
    history_before = esc.history.count()
    steps_before = list(esc.steps.values())
    with pytest.raises(IllegalMove) as error:
        _do(action, esc)
    assert esc.reference in str(error.value)
    after = Escalation.objects.get(pk=esc.pk)
    assert after.version == esc.version
    assert after.state == state
    assert esc.history.count() == history_before
    assert list(esc.steps.values()) == steps_before


def test_legal_and_illegal_cells_cover_the_whole_table():
    cells = set(itertools.product(EscalationState, Action))
    legal = {(s, a) for s, a in cells if is_legal(a, s)}
    assert len(cells) == 36
    assert len(legal) == 22


def test_the_published_table_in_the_docstring_matches_the_rules():

    rows = [line for line in module.__doc__.splitlines() if line.startswith("| ") and "---" not in line]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    published = {}
    for row in rows[1:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        published[Action(cells[0])] = {EscalationState(h) for h, c in zip(header[1:], cells[1:]) if c.startswith("yes")}
    assert published == {action: set(states) for action, states in LEGAL_MOVES.items()}


def test_the_readme_copy_of_the_table_matches_the_rules():

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| ") and "---" not in line]
    start = next(i for i, row in enumerate(rows) if row.startswith("| action"))
    header = [cell.strip().replace(" ", "_") for cell in rows[start].strip("|").split("|")]
    published = {}
    for row in rows[start + 1 : start + 1 + len(Action)]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        action = Action(cells[0].lower().replace(" to ", " ").replace(" ", "_"))
        published[action] = {EscalationState(h) for h, c in zip(header[1:], cells[1:]) if c.startswith("yes")}
    assert published == {action: set(states) for action, states in LEGAL_MOVES.items()}


def test_the_addressee_is_offered_the_replies_and_the_iro_the_rest():
    esc = _in_state(EscalationState.AWAITING_RESPONSE)
    assert actions_open_to(esc.current_addressee, esc) == [Action.FIRST_RESPONSE, Action.RESPOND, Action.NOTE]
    assert actions_open_to(esc.iro, esc) == [
        Action.ESCALATE,
        Action.REASSIGN,
        Action.RESOLVE,
        Action.REFER_CAFCASS,
        Action.WITHDRAW,
        Action.NOTE,
    ]


def test_the_service_manager_is_offered_every_legal_move():
    esc = _in_state(EscalationState.ACKNOWLEDGED)
    legal = [a for a in Action if is_legal(a, EscalationState.ACKNOWLEDGED)]
    assert sorted(actions_open_to(ServiceManagerFactory(), esc)) == sorted(legal)


def test_someone_else_is_offered_nothing():
    esc = _in_state(EscalationState.AWAITING_RESPONSE)
    assert actions_open_to(ManagerFactory(stage=stage("team_manager")), esc) == []


def test_a_referral_to_cafcass_is_refused_and_not_offered_once_made():
    esc = _do(Action.REFER_CAFCASS, _in_state(EscalationState.RESPONDED))
    assert Action.REFER_CAFCASS not in actions_open_to(esc.iro, esc)
    assert "already referred to Cafcass" in refusal(Action.REFER_CAFCASS, esc)
    with pytest.raises(IllegalMove, match="already referred to Cafcass"):
        _do(Action.REFER_CAFCASS, esc)
