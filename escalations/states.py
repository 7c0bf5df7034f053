"""The legal moves of an escalation, and who may make them: the one place that decides.

The state x action table below is the rule. ``escalations.services`` asks :func:`refusal` and
:func:`may_act` before every change; the pages ask :func:`actions_open_to` which moves to offer.
``tests/escalations/test_states.py`` tries every cell against the services.

State of an escalation (derived from its status and its current step):

- ``awaiting_response``: open; the current step has had no reply yet.
- ``acknowledged``: open; the current step's manager has replied (the first response) but not
  responded in substance.
- ``responded``: open; the current step has a response (and an action agreed, if any).
- ``closed``: resolved, not resolved or withdrawn.

| action          | awaiting_response | acknowledged | responded | closed |
|-----------------|-------------------|--------------|-----------|--------|
| first_response  | yes               | no           | no        | no     |
| respond         | yes               | yes          | no        | no     |
| escalate        | yes               | yes          | yes       | no     |
| reassign        | yes               | yes          | no        | no     |
| resolve         | yes               | yes          | yes       | no     |
| withdraw        | yes               | yes          | yes       | no     |
| refer_cafcass   | yes (once)        | yes (once)   | yes (once)| yes (once) |
| reopen          | no                | no           | no        | yes    |
| note            | yes               | yes          | yes       | no     |

A response counts as the first response too when none was recorded. Raising creates an escalation
in ``awaiting_response``. "Once" means the move is refused after it has been made (an escalation is
referred to Cafcass at most once).

Who: the manager the current step is addressed to makes the first response and the response; the
escalation's IRO makes the other moves; a note comes from the IRO, the addressee or anyone the
escalation was sent to before; the IRO service manager and admins may make any move, on someone's
behalf.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from core.formats import format_date

if TYPE_CHECKING:  # annotations only: the models import this module
    from escalations.models import Escalation
    from people.models import User


class EscalationState(StrEnum):
    AWAITING_RESPONSE = "awaiting_response"
    ACKNOWLEDGED = "acknowledged"
    RESPONDED = "responded"
    CLOSED = "closed"


class Action(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESPOND = "respond"
    ESCALATE = "escalate"
    REASSIGN = "reassign"
    RESOLVE = "resolve"
    WITHDRAW = "withdraw"
    REFER_CAFCASS = "refer_cafcass"
    REOPEN = "reopen"
    NOTE = "note"


_S = EscalationState
_OPEN = frozenset({_S.AWAITING_RESPONSE, _S.ACKNOWLEDGED, _S.RESPONDED})

LEGAL_MOVES: dict[Action, frozenset[EscalationState]] = {
    Action.FIRST_RESPONSE: frozenset({_S.AWAITING_RESPONSE}),
    Action.RESPOND: frozenset({_S.AWAITING_RESPONSE, _S.ACKNOWLEDGED}),
    Action.ESCALATE: _OPEN,
    Action.REASSIGN: frozenset({_S.AWAITING_RESPONSE, _S.ACKNOWLEDGED}),
    Action.RESOLVE: _OPEN,
    Action.WITHDRAW: _OPEN,
    Action.REFER_CAFCASS: frozenset(EscalationState),
    Action.REOPEN: frozenset({_S.CLOSED}),
    Action.NOTE: _OPEN,
}

_WHY_NOT = {
    (Action.FIRST_RESPONSE, _S.ACKNOWLEDGED): "The first response has already been recorded for this step.",
    (Action.FIRST_RESPONSE, _S.RESPONDED): "This step has already been responded to.",
    (Action.RESPOND, _S.RESPONDED): "This step has already been responded to. Escalate or resolve it instead.",
    (Action.REASSIGN, _S.RESPONDED): "This step has already been responded to, so there is nothing to reassign.",
    (Action.REOPEN, _S.AWAITING_RESPONSE): "This escalation is open, so it cannot be reopened.",
    (Action.REOPEN, _S.ACKNOWLEDGED): "This escalation is open, so it cannot be reopened.",
    (Action.REOPEN, _S.RESPONDED): "This escalation is open, so it cannot be reopened.",
}

ACTION_WORDS = {
    Action.FIRST_RESPONSE: "record a first response on",
    Action.RESPOND: "respond to",
    Action.ESCALATE: "escalate",
    Action.REASSIGN: "reassign",
    Action.RESOLVE: "resolve",
    Action.WITHDRAW: "withdraw",
    Action.REFER_CAFCASS: "refer to Cafcass",
    Action.REOPEN: "reopen",
    Action.NOTE: "add a note to",
}


# The addressee's side; every other move is the IRO's side.
RESPONDER_MOVES = frozenset({Action.FIRST_RESPONSE, Action.RESPOND})

# The order in which pages offer the moves.
OFFERED = (
    Action.FIRST_RESPONSE,
    Action.RESPOND,
    Action.ESCALATE,
    Action.REASSIGN,
    Action.RESOLVE,
    Action.REFER_CAFCASS,
    Action.WITHDRAW,
    Action.REOPEN,
    Action.NOTE,
)


def is_legal(action: Action, state: EscalationState) -> bool:
    return state in LEGAL_MOVES[action]


def refusal(action: Action, escalation: Escalation) -> str | None:
    """Why ``action`` cannot be made on ``escalation`` now (its state, or a move made only once
    that was made already), or None when it can."""
    state = escalation.state
    if not is_legal(action, state):
        return why_illegal(action, state, escalation.reference)
    if action == Action.REFER_CAFCASS and escalation.cafcass_referred_on is not None:
        return (
            f"{escalation.reference} was already referred to Cafcass on {format_date(escalation.cafcass_referred_on)}."
        )
    return None


def may_act(action: Action, *, user: User, escalation: Escalation, sent_before: bool = False) -> bool:
    """Whether ``user`` is someone who may make ``action`` on ``escalation``: its addressee for the
    replies, its IRO for the rest, and the service manager and admins for any. A note may come from
    the IRO, the addressee, or (``sent_before``) someone it was sent to before."""
    if user.sees_everything:
        return True
    if action in RESPONDER_MOVES:
        return escalation.state != EscalationState.CLOSED and escalation.current_addressee_id == user.pk
    if action == Action.NOTE:
        return user.pk in (escalation.iro_id, escalation.current_addressee_id) or sent_before
    return escalation.iro_id == user.pk


def actions_open_to(user: User, escalation: Escalation, *, sent_before: bool = False) -> list[Action]:
    """The moves ``user`` may make on ``escalation`` now, in the order the pages offer them."""
    return [
        action
        for action in OFFERED
        if may_act(action, user=user, escalation=escalation, sent_before=sent_before)
        and refusal(action, escalation) is None
    ]


def why_illegal(action: Action, state: EscalationState, reference: str) -> str:
    if (action, state) in _WHY_NOT:
        return f"{reference}: {_WHY_NOT[action, state]}"
    if state == _S.CLOSED:
        return f"{reference} is closed, so you cannot {ACTION_WORDS[action]} it. Reopen it first."
    return f"You cannot {ACTION_WORDS[action]} {reference} while it is {state.replace('_', ' ')}."
