"""The legal moves of an escalation: a state x action table.

This table is the rule. ``escalations.services`` asks :func:`check_move` before every change, and
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

A response counts as the first response too when none was recorded. Raising creates an escalation
in ``awaiting_response``.
"""

from enum import StrEnum


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

_ACTION_WORDS = {
    Action.FIRST_RESPONSE: "record a first response on",
    Action.RESPOND: "respond to",
    Action.ESCALATE: "escalate",
    Action.REASSIGN: "reassign",
    Action.RESOLVE: "resolve",
    Action.WITHDRAW: "withdraw",
    Action.REFER_CAFCASS: "refer to Cafcass",
    Action.REOPEN: "reopen",
}


def is_legal(action: Action, state: EscalationState) -> bool:
    return state in LEGAL_MOVES[action]


def why_illegal(action: Action, state: EscalationState, reference: str) -> str:
    if (action, state) in _WHY_NOT:
        return f"{reference}: {_WHY_NOT[action, state]}"
    if state == _S.CLOSED:
        return f"{reference} is closed, so you cannot {_ACTION_WORDS[action]} it. Reopen it first."
    return f"You cannot {_ACTION_WORDS[action]} {reference} while it is {state.replace('_', ' ')}."
