"""The caseload and a child's page (children.views)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from people.models import Role
from ssda903.models import Episode, Review
from ssda903.selectors import age_on
from tests.factories import (
    AllocationFactory,
    ChildFactory,
    EpisodeFactory,
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    SiblingGroupFactory,
    UserFactory,
    drift_tables_imported,
    raise_escalation,
)
from tests.querycount import assert_same_queries

pytestmark = pytest.mark.django_db


def test_my_children_lists_the_caseload_only(client):
    iro = IroFactory()
    mine = ChildFactory(iro=iro)
    ChildFactory()
    client.force_login(iro)
    response = client.get(reverse("children:list"))
    assert list(response.context["page"].object_list) == [mine]


def test_an_empty_caseload_says_so(client):
    client.force_login(IroFactory())
    assert "There are no children on your caseload." in client.get(reverse("children:list")).content.decode()


def test_a_manager_may_not_use_the_children_list(client):
    client.force_login(ManagerFactory())
    assert client.get(reverse("children:list")).status_code == 403


def test_the_child_page_shows_siblings_and_escalations(client):
    iro = IroFactory()
    group = SiblingGroupFactory()
    child = ChildFactory(iro=iro, sibling_group=group)
    sister = ChildFactory(iro=iro, sibling_group=group, first_name="Imogen")
    escalation = raise_escalation(iro=iro, children=[child, sister])
    client.force_login(iro)
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "Imogen" in body and escalation.reference in body


def test_opening_a_child_page_is_written_to_the_access_log(client):
    child = ChildFactory()
    client.force_login(child.iro)
    client.get(reverse("children:detail", args=[child.pk]))
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.child, entry.path) == (child.iro, child, reverse("children:detail", args=[child.pk]))


def test_a_child_on_another_caseload_is_not_found_and_not_logged(client):
    child = ChildFactory(first_name="Zebedee")
    client.force_login(IroFactory())
    response = client.get(reverse("children:detail", args=[child.pk]))
    assert response.status_code == 404
    assert "Zebedee" not in response.content.decode()
    assert not AccessLogEntry.objects.exists()


def test_a_report_viewer_may_not_open_a_child_page(client):
    client.force_login(UserFactory(role=Role.REPORT_VIEWER))
    assert client.get(reverse("children:detail", args=[ChildFactory().pk])).status_code == 403


def test_the_iro_may_raise_from_their_childs_page_and_the_manager_may_not(client):
    escalation = raise_escalation()
    child = escalation.children.get()
    client.force_login(child.iro)
    assert client.get(reverse("children:detail", args=[child.pk])).context["can_raise"] is True
    client.force_login(escalation.current_addressee)
    assert client.get(reverse("children:detail", args=[child.pk])).context["can_raise"] is False


def test_the_child_page_runs_the_same_queries_with_1_or_50_escalations(client):
    iro = IroFactory()
    group = SiblingGroupFactory()
    child = ChildFactory(iro=iro, sibling_group=group)
    raise_escalation(iro=iro, children=[child])

    def grow():
        for _ in range(49):
            raise_escalation(iro=iro, children=[child, ChildFactory(iro=iro, sibling_group=group)])

    client.force_login(iro)
    assert_same_queries(client, reverse("children:detail", args=[child.pk]), grow)


def test_the_service_manager_sees_every_child_in_the_list(client):
    ChildFactory(), ChildFactory()
    client.force_login(ServiceManagerFactory())
    assert client.get(reverse("children:list")).context["page"].paginator.count == 2


def test_my_children_searches_the_caseload_by_name_or_case_id(client):
    iro = IroFactory()
    ada = ChildFactory(iro=iro, first_name="Ada", last_name="Okafor", case_id="A-1")
    ChildFactory(iro=iro, first_name="Bea", last_name="Nwosu", case_id="B-2")
    client.force_login(iro)
    assert [c for c, _ in client.get(reverse("children:list") + "?q=okafor").context["rows"]] == [ada]
    assert [c for c, _ in client.get(reverse("children:list") + "?q=a-1").context["rows"]] == [ada]


def test_a_child_with_no_name_is_listed_after_the_named_with_their_case_id(client):
    iro = IroFactory()
    unnamed = ChildFactory(iro=iro, first_name="", last_name="", case_id="566910")
    named = ChildFactory(iro=iro, first_name="Zed", last_name="Zulu")
    client.force_login(iro)
    response = client.get(reverse("children:list"))
    assert [c for c, _ in response.context["rows"]] == [named, unnamed]
    assert ">Name not recorded (case ID 566910)</a>" in response.content.decode()


def test_the_childs_page_shows_their_age_legal_status_placement_and_last_review(client):
    child = ChildFactory(date_of_birth=dt.date(2012, 6, 1))
    Episode.objects.create(
        child=child, start=dt.date(2020, 1, 6), reason_new_episode="S", legal_status="C2", placement_type="U4"
    )
    Review.objects.create(child=child, date=dt.date(2025, 9, 3), participation="PN1")
    client.force_login(child.iro)
    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "C2: Full care order" in body and "U4: " in body and "since 6 January 2020" in body
    assert "3 September 2025" in body and f"(aged {age_on(child.date_of_birth, timezone.localdate())})" in body


# --- the child's statutory clocks (drift watch) --------------------------------------------------


def test_the_childs_page_shows_their_clocks(client):
    drift_tables_imported()
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    start = timezone.localdate() - dt.timedelta(days=5)
    EpisodeFactory(child=child, start=start)
    AllocationFactory(child=child, worker="Sam Worker", role="SW", team="Team North", start=start)
    client.force_login(iro)

    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()

    assert "Statutory clocks" in body
    assert "No review in this period of care" in body
    assert "No visit in this placement" in body
    assert "Due soon</strong>" in body  # the first visit, due 7 days after the placement began
    assert "Sam Worker (SW), Team North" in body


def test_the_childs_page_says_when_they_are_not_looked_after(client):
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    client.force_login(iro)

    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()

    assert "Not looked after today" in body


def test_the_childs_page_says_which_clocks_are_not_evaluated(client):
    drift_tables_imported(extract=())
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    EpisodeFactory(child=child, start=timezone.localdate() - dt.timedelta(days=5))
    client.force_login(iro)

    body = client.get(reverse("children:detail", args=[child.pk])).content.decode()

    assert body.count("Not evaluated: this data has never been imported.") == 3
