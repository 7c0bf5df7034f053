"""Who may see which child, and an IRO's caseload (children.selectors)."""

import pytest

from children.selectors import child_caseload, child_siblings, child_visible_to
from escalations import services
from people.models import Role
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    SiblingGroupFactory,
    UserFactory,
    outcome,
    raise_escalation,
)

pytestmark = pytest.mark.django_db


def test_an_iro_sees_the_children_on_their_caseload_only():
    iro = IroFactory()
    mine = ChildFactory(iro=iro)
    ChildFactory()
    assert list(child_visible_to(user=iro)) == [mine]


def test_a_manager_sees_the_children_of_escalations_addressed_to_them_only():
    escalation = raise_escalation()
    ChildFactory()
    assert list(child_visible_to(user=escalation.current_addressee)) == list(escalation.children.all())


def test_a_manager_with_no_escalations_sees_no_child():
    ChildFactory()
    assert list(child_visible_to(user=ManagerFactory())) == []


def test_the_service_manager_sees_every_child():
    ChildFactory(), ChildFactory()
    assert child_visible_to(user=ServiceManagerFactory()).count() == 2


def test_a_report_viewer_sees_no_child():
    ChildFactory()
    assert list(child_visible_to(user=UserFactory(role=Role.REPORT_VIEWER))) == []


def test_siblings_are_the_rest_of_the_group_that_the_person_may_see():
    iro = IroFactory()
    group = SiblingGroupFactory()
    child, sister = ChildFactory(iro=iro, sibling_group=group), ChildFactory(iro=iro, sibling_group=group)
    ChildFactory(sibling_group=group)  # on another IRO's caseload
    assert list(child_siblings(child=child, user=iro)) == [sister]


def test_the_caseload_counts_open_escalations_and_the_soonest_due_time():
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    open_one = raise_escalation(iro=iro, children=[child])
    closed = raise_escalation(iro=iro, children=[child])
    services.escalation_resolve(escalation=closed, by=iro, outcome=outcome("resolved"), reason="The plan was agreed.")
    row = child_caseload(iro=iro).get()
    assert (row.open_escalations, row.next_due_at) == (1, open_one.next_due_at)
