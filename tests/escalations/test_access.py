"""Who may see and act on which escalation (escalations.selectors: the access rules)."""

import pytest

from escalations import services
from escalations.selectors import escalation_for_iro_side, escalation_for_responder, escalation_visible_to
from people.models import Role
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    UserFactory,
    raise_escalation,
    stage,
)

pytestmark = pytest.mark.django_db


def _visible(user):
    return set(escalation_visible_to(user=user))


def test_an_iro_sees_the_escalations_they_raised():
    escalation = raise_escalation()
    assert _visible(escalation.iro) == {escalation}


def test_an_iro_sees_escalations_another_iro_raised_about_a_child_on_their_caseload():
    mine = IroFactory()
    escalation = raise_escalation(children=[ChildFactory(iro=mine)])
    assert escalation in _visible(mine)


def test_an_iro_does_not_see_other_iros_escalations_about_other_children():
    raise_escalation()
    assert _visible(IroFactory()) == set()


def test_a_manager_sees_escalations_addressed_to_them():
    escalation = raise_escalation()
    assert _visible(escalation.current_addressee) == {escalation}


def test_a_manager_still_sees_an_escalation_after_it_moves_on_to_someone_else():
    escalation = raise_escalation()
    first_manager = escalation.current_addressee
    services.escalation_escalate(
        escalation=escalation,
        by=escalation.iro,
        stage=stage("head_of_service"),
        addressee=ManagerFactory(stage=stage("head_of_service")),
        reason="No reply in time.",
    )
    assert _visible(first_manager) == {escalation}


def test_a_manager_does_not_see_escalations_never_addressed_to_them():
    raise_escalation()
    assert _visible(ManagerFactory()) == set()


def test_the_service_manager_sees_every_escalation():
    first, second = raise_escalation(), raise_escalation()
    assert _visible(ServiceManagerFactory()) == {first, second}


def test_a_report_viewer_sees_no_escalation():
    raise_escalation()
    assert _visible(UserFactory(role=Role.REPORT_VIEWER)) == set()


def test_only_the_raising_iro_may_act_on_the_iro_side():
    mine = IroFactory()
    escalation = raise_escalation(children=[ChildFactory(iro=mine)])
    assert list(escalation_for_iro_side(user=escalation.iro)) == [escalation]
    assert list(escalation_for_iro_side(user=mine)) == []


def test_only_the_current_addressee_may_respond():
    escalation = raise_escalation()
    first_manager = escalation.current_addressee
    services.escalation_escalate(
        escalation=escalation,
        by=escalation.iro,
        stage=stage("head_of_service"),
        addressee=ManagerFactory(stage=stage("head_of_service")),
        reason="No reply in time.",
    )
    escalation.refresh_from_db()
    assert list(escalation_for_responder(user=first_manager)) == []
    assert list(escalation_for_responder(user=escalation.current_addressee)) == [escalation]
