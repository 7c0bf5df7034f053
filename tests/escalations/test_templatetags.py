from escalations.selectors import DueState
from escalations.templatetags.escalation_tags import due_tag


def test_every_due_state_has_a_tag():
    assert {state: due_tag(state).label for state in DueState} == {
        DueState.DUE: "Due",
        DueState.DUE_SOON: "Due soon",
        DueState.OVERDUE: "Overdue",
        DueState.MET: "Met",
        DueState.MISSED: "Responded late",
    }


def test_no_due_state_has_no_tag():
    assert due_tag(None) is None and due_tag("") is None
