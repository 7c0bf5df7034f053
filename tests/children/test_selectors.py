"""Who may see which child, and an IRO's caseload (children.selectors)."""

import pytest

from children.selectors import child_caseload, child_siblings, child_visible_to, child_with_open_escalations
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
    [row] = child_with_open_escalations(child_caseload(iro=iro))
    assert (row.open_escalations, row.next_due_at) == (1, open_one.next_due_at)


def test_a_child_with_no_open_escalation_has_none_and_nothing_due():
    iro = IroFactory()
    ChildFactory(iro=iro)
    [row] = child_with_open_escalations(child_caseload(iro=iro))
    assert (row.open_escalations, row.next_due_at) == (0, None)


def test_the_page_figures_take_one_query_however_many_children(django_assert_num_queries):
    iro = IroFactory()
    children = [ChildFactory(iro=iro) for _ in range(3)]
    for child in children:
        raise_escalation(iro=iro, children=[child])
    rows = list(child_caseload(iro=iro))
    with django_assert_num_queries(1):
        figured = child_with_open_escalations(rows)
    assert [row.open_escalations for row in figured] == [1, 1, 1]
