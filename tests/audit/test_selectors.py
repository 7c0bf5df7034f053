"""The audit trail records who, when, and each field before and after."""

import pytest

from audit.selectors import audit_entries_for
from escalations import services
from ladder.models import Stage
from people.models import Role
from tests.factories import ChildFactory, IroFactory, ServiceManagerFactory, raise_escalation, stage, theme

pytestmark = pytest.mark.django_db


def _changed(entry):
    return {change.field: (change.before, change.after) for change in entry.changes}


def test_an_escalation_change_records_who_and_each_field_before_and_after():
    esc = raise_escalation()
    manager = esc.current_addressee
    services.escalation_first_response(escalation=esc, by=manager)
    entries = audit_entries_for(esc)
    assert entries[0].action == "created"
    assert entries[0].who == str(esc.iro)
    last = entries[-1]
    assert last.action == "changed"
    assert last.who == str(manager)
    assert _changed(last)["version"] == (1, 2)
    assert _changed(last)["first_response_at"][0] is None


def test_an_escalations_trail_leaves_out_its_kept_copies_of_other_records():
    esc = raise_escalation()
    services.escalation_respond(escalation=esc, by=esc.current_addressee, response="Plan agreed.")
    entries = audit_entries_for(esc)
    created, responded = _changed(entries[0]), _changed(entries[-1])
    assert "iro" in created and "next_due_at" in responded  # the fields themselves are shown
    for kept in ("iro_sort_key", "current_responded_at", "current_stage_order"):
        assert kept not in created and kept not in responded


def test_a_step_change_is_audited():
    esc = raise_escalation()
    step = esc.current_step
    services.escalation_respond(escalation=esc, by=step.addressee, response="Plan agreed.")
    step.refresh_from_db()
    last = audit_entries_for(step)[-1]
    assert _changed(last)["response"] == ("", "Plan agreed.")


def test_a_child_change_is_audited():
    child = ChildFactory(legal_status="V2")
    child.legal_status = "C2"
    child._history_user = ServiceManagerFactory()
    child.save()
    last = audit_entries_for(child)[-1]
    assert _changed(last) == {"legal_status": ("V2", "C2")}
    assert last.who == str(child._history_user)


def test_a_role_change_is_audited():
    user = IroFactory()
    user.role = Role.MANAGER
    user.stage = stage("team_manager")
    user.save()
    changed = _changed(audit_entries_for(user)[-1])
    assert changed["role"] == ("iro", "manager")
    assert changed["stage"] == (None, stage("team_manager").pk)


def test_a_password_is_never_copied_into_the_audit_trail():
    user = IroFactory()
    user.set_password("another-long-password")
    user.save()
    for entry in audit_entries_for(user):
        assert "password" not in {change.field for change in entry.changes}


def test_a_theme_change_is_audited():
    health = theme("health")
    health.active = False
    health.save()
    assert _changed(audit_entries_for(health)[-1]) == {"active": (True, False)}


def test_a_ladder_change_is_audited():
    hos = Stage.objects.get(code="head_of_service")
    hos.target_working_days = 5
    hos.save()
    assert _changed(audit_entries_for(hos)[-1]) == {"target_working_days": (4, 5)}


def test_the_children_of_an_escalation_are_in_its_audit_trail():
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    esc = raise_escalation(iro=iro, children=[child])
    latest = esc.history.first()
    assert [row.child_id for row in latest.children.all()] == [child.pk]
