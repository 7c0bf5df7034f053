"""The service manager's All escalations page (escalations.views_oversight)."""

import datetime as dt
import re

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from escalations import services
from people.models import Role
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    UserFactory,
    outcome,
    raise_escalation,
    raised_days_ago,
    stage,
    theme,
)
from tests.querycount import queries_for

pytestmark = pytest.mark.django_db

URL = reverse("escalations:all")


def _references(response) -> list[str]:
    return [escalation.reference for escalation in response.context["rows"]]


# --- who may use it --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.IRO, Role.MANAGER, Role.REPORT_VIEWER])
def test_other_roles_may_not_use_it(client, role):
    client.force_login(ManagerFactory() if role == Role.MANAGER else UserFactory(role=role))
    assert client.get(URL).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("login"))


def test_an_admin_may_use_it(client):
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(URL).status_code == 200


# --- what a row shows ------------------------------------------------------------------------------


def test_a_row_shows_the_children_the_iro_the_themes_and_a_link_to_the_escalation(sm_client):
    iro = IroFactory(first_name="Ines", last_name="Roberts")
    children = [
        ChildFactory(iro=iro, first_name="Ada", case_id="C-001"),
        ChildFactory(iro=iro, first_name="Bo", case_id="C-002"),
    ]
    escalation = raise_escalation(iro=iro, children=children, themes=[theme("drift")])
    body = sm_client.get(URL).content.decode()
    assert f'href="{reverse("escalations:detail", args=[escalation.pk])}">{escalation.reference}</a>' in body
    assert "Ada (C-001), Bo (C-002)" in body
    assert "Ines Roberts" in body
    assert "Drift in care planning" in body


def test_an_overdue_escalation_carries_the_overdue_tag(sm_client):
    raised_days_ago(40)
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in sm_client.get(URL).content.decode()


def test_a_filter_narrows_the_list(sm_client):
    wanted = raised_days_ago(3, themes=[theme("drift")])
    raised_days_ago(2, themes=[theme("safety")])
    response = sm_client.get(URL, {"theme": theme("drift").pk})
    assert _references(response) == [wanted.reference]


def test_with_nothing_matching_the_page_says_so(sm_client):
    raised_days_ago(3, themes=[theme("safety")])
    body = sm_client.get(URL, {"theme": theme("drift").pk}).content.decode()
    assert "No escalations match these filters" in body
    assert "<table" not in body


# --- sorting ---------------------------------------------------------------------------------------


def test_newest_first_by_default(sm_client):
    old, new = raised_days_ago(10), raised_days_ago(2)
    assert _references(sm_client.get(URL)) == [new.reference, old.reference]


def test_sorting_by_reference_either_way(sm_client):
    first, second = raised_days_ago(10), raised_days_ago(2)
    assert _references(sm_client.get(URL, {"sort": "reference"})) == [first.reference, second.reference]
    assert _references(sm_client.get(URL, {"sort": "-reference"})) == [second.reference, first.reference]


def test_sorting_by_iro_goes_by_surname(sm_client):
    zed = raised_days_ago(3, iro=IroFactory(first_name="Amy", last_name="Zed"))
    able = raised_days_ago(2, iro=IroFactory(first_name="Zoe", last_name="Able"))
    assert _references(sm_client.get(URL, {"sort": "iro"})) == [able.reference, zed.reference]


def test_sorting_by_stage_goes_up_the_ladder(sm_client):
    head = raised_days_ago(3, stage_code="head_of_service")
    team = raised_days_ago(2, stage_code="team_manager")
    assert _references(sm_client.get(URL, {"sort": "stage"})) == [team.reference, head.reference]


def test_sorting_by_due_puts_soonest_first_and_those_not_due_last(sm_client):
    answered = raised_days_ago(30)
    services.escalation_respond(escalation=answered, by=answered.current_addressee, response="Done.")
    later, sooner = raised_days_ago(1), raised_days_ago(20)
    assert _references(sm_client.get(URL, {"sort": "due"})) == [sooner.reference, later.reference, answered.reference]


def test_an_unknown_sort_falls_back_to_newest_first(sm_client):
    old, new = raised_days_ago(10), raised_days_ago(2)
    assert _references(sm_client.get(URL, {"sort": "password"})) == [new.reference, old.reference]


def test_the_sorted_column_carries_aria_sort_and_a_link_the_other_way(sm_client):
    raised_days_ago(2, themes=[theme("drift")])
    body = sm_client.get(URL, {"sort": "reference", "theme": theme("drift").pk}).content.decode()
    header = re.search(
        r'<th scope="col" class="govuk-table__header" aria-sort="ascending">\s*<a [^>]*href="([^"]+)"', body
    )
    assert header is not None
    assert QueryDict(header.group(1).replace("&amp;", "&").lstrip("?")) == QueryDict(
        f"theme={theme('drift').pk}&sort=-reference"
    )
    assert body.count('aria-sort="none"') == 4


def test_sort_links_keep_the_filters_and_go_back_to_page_1(sm_client):
    raised_days_ago(2, themes=[theme("drift")])
    body = sm_client.get(URL, {"theme": theme("drift").pk, "page": "1"}).content.decode()
    assert f'href="?theme={theme("drift").pk}&amp;sort=iro"' in body


# --- pages -----------------------------------------------------------------------------------------


def test_page_2_holds_the_26th_escalation_in_the_chosen_order(sm_client):
    iro = IroFactory()
    escalations = [raised_days_ago(days, iro=iro) for days in range(1, 27)]
    response = sm_client.get(URL, {"sort": "raised", "page": 2})
    assert _references(response) == [escalations[0].reference]  # raised 1 day ago: the newest, so last
    assert response.context["page"].paginator.count == 26


def test_pagination_links_keep_the_filters_and_the_order(sm_client):
    iro = IroFactory()
    for days in range(1, 27):
        raised_days_ago(days, iro=iro)
    body = sm_client.get(URL, {"iro": iro.pk, "sort": "due"}).content.decode()
    assert f'href="?iro={iro.pk}&amp;sort=due&amp;page=2" rel="next"' in body


# --- what was typed is checked ---------------------------------------------------------------------


def test_bad_dates_show_the_error_summary_and_keep_what_was_typed(sm_client):
    raised_days_ago(2)
    response = sm_client.get(URL, {"raised_from_0": "31", "raised_from_1": "2", "raised_from_2": "2025"})
    body = response.content.decode()
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in body
    assert '<a href="#id_raised_from_0">The ‘raised from’ date must be a real date</a>' in body
    assert 'name="raised_from_0" value="31"' in body
    assert "<title>Error: All escalations" in body
    assert "Correct the filters to see the escalations." in body
    assert list(response.context["rows"]) == []


def test_raised_to_before_raised_from_is_shown_on_raised_to(sm_client):
    response = sm_client.get(
        URL,
        {
            "raised_from_0": "1",
            "raised_from_1": "6",
            "raised_from_2": "2025",
            "raised_to_0": "1",
            "raised_to_1": "5",
            "raised_to_2": "2025",
        },
    )
    assert response.context["errors"] == [
        {
            "message": "The ‘raised to’ date must be the same as or after the ‘raised from’ date",
            "anchor": "id_raised_to_0",
        }
    ]


# --- queries ---------------------------------------------------------------------------------------


def _busy_escalation(iro):
    """An escalation with three children, two themes and three steps."""
    children = [ChildFactory(iro=iro) for _ in range(3)]
    escalation = raise_escalation(
        iro=iro,
        children=children,
        themes=[theme("drift"), theme("safety")],
        raised_at=timezone.now() - dt.timedelta(days=30),
    )
    for code in ("practice_group_lead", "head_of_service"):
        services.escalation_escalate(
            escalation=escalation,
            by=iro,
            stage=stage(code),
            addressee=ManagerFactory(stage=stage(code)),
            reason="No reply in time.",
        )
        escalation.refresh_from_db()
    return escalation


def test_the_list_runs_the_same_queries_with_1_or_50_rows(sm_client, django_assert_num_queries):
    iro = IroFactory()
    _busy_escalation(iro)
    url = f"{URL}?status=open&theme={theme('drift').pk}&sort=iro"
    queries = len(queries_for(sm_client, url))
    for _ in range(49):
        _busy_escalation(iro)
    with django_assert_num_queries(queries):
        response = sm_client.get(url)
    assert len(response.context["rows"]) == 25


def test_a_closed_escalation_shows_its_outcome(sm_client):
    closed = raised_days_ago(3)
    services.escalation_resolve(
        escalation=closed, by=closed.iro, outcome=outcome("resolved"), reason="The plan was agreed."
    )
    assert "Closed: Resolved" in sm_client.get(URL).content.decode()


def test_the_search_finds_children_by_name_and_case_id_and_escalations_by_reference(sm_client):
    child = ChildFactory(first_name="Ada", last_name="Okafor", case_id="566910")
    escalation = raise_escalation(children=[child], iro=child.iro)
    other = raise_escalation()
    by_name = sm_client.get(reverse("escalations:search") + "?q=ada oka").content.decode()
    assert "Ada Okafor" in by_name and escalation.reference in by_name and other.reference not in by_name
    by_id = sm_client.get(reverse("escalations:search") + "?q=566910").content.decode()
    assert "Ada Okafor" in by_id
    by_reference = sm_client.get(reverse("escalations:search") + f"?q={other.reference.lower()}").content.decode()
    assert other.reference in by_reference and escalation.reference not in by_reference


def test_all_escalations_searches_by_reference_or_child(sm_client):
    child = ChildFactory(first_name="Bea", last_name="Nwosu")
    mine = raise_escalation(children=[child], iro=child.iro)
    raise_escalation()
    rows = sm_client.get(reverse("escalations:all") + "?q=nwosu").context["rows"]
    assert [e.pk for e in rows] == [mine.pk]


def test_the_search_runs_the_same_queries_for_1_or_20_matches(sm_client):
    def one():
        child = ChildFactory(last_name="Quennell")
        raise_escalation(children=[child, ChildFactory(iro=child.iro)], iro=child.iro)

    one()
    url = reverse("escalations:search") + "?q=quennell"
    before = len(queries_for(sm_client, url))
    for _ in range(19):
        one()
    assert len(queries_for(sm_client, url)) == before
