"""The service manager's dashboard page (dashboard.views)."""

import html
import re

import pytest
from django.urls import reverse

from escalations import services
from people.models import Role
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    UserFactory,
    outcome,
    raised_days_ago,
    stage,
    theme,
)
from tests.querycount import queries_for

pytestmark = pytest.mark.django_db

URL = reverse("dashboard")
# A count linking to All escalations: "<a … href="/escalations/all/?…">12" or "…">View the 12 …".
COUNT_LINK = re.compile(r'href="(' + re.escape(reverse("escalations:all")) + r'\?[^"]*)">(?:View the )?(\d+)')


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


def test_every_count_links_to_a_list_of_that_many_escalations(sm_client):
    iro = IroFactory()
    raised_days_ago(40, iro=iro, themes=[theme("drift"), theme("safety")])  # overdue
    raised_days_ago(2, iro=iro, themes=[theme("drift")], stage_code="head_of_service")
    raised_days_ago(1, iro=iro)  # no theme
    closed = raised_days_ago(20, iro=iro, themes=[theme("safety")])
    services.escalation_resolve(escalation=closed, by=iro, outcome=outcome("resolved"), reason="The plan was agreed.")
    raised_days_ago(400, iro=iro, themes=[theme("health")])  # outside this year and the trend
    links = COUNT_LINK.findall(sm_client.get(URL).content.decode())
    assert len(links) > 20  # open, overdue, every stage, the year, every theme, every month
    for href, count in links:
        listed = sm_client.get(html.unescape(href)).context["page"].paginator.count
        assert (href, listed) == (href, int(count))


def test_the_open_and_overdue_totals_are_shown(sm_client):
    raised_days_ago(40)
    raised_days_ago(1)
    body = sm_client.get(URL).content.decode()
    assert '<p class="govuk-heading-xl govuk-!-margin-bottom-2" id="open-total">2</p>' in body
    assert '<p class="govuk-heading-xl govuk-!-margin-bottom-2" id="overdue-total">1</p>' in body


def test_the_trend_chart_is_an_svg_labelled_by_its_title_and_numbers(sm_client):
    body = sm_client.get(URL).content.decode()
    assert '<svg role="img" aria-labelledby="monthly-chart-title monthly-chart-desc"' in body
    assert re.search(
        r'<desc id="monthly-chart-desc">Bar chart of the number of escalations raised each month\. '
        r"\w+ \d{4}: 0;",
        body,
    )


def test_the_trend_s_numbers_are_also_in_a_table(sm_client):
    raised_days_ago(1)
    response = sm_client.get(URL)
    body = response.content.decode()
    table = body[body.index('<table class="govuk-table" id="monthly">') :]
    table = table[: table.index("</table>")]
    assert '<caption class="govuk-table__caption govuk-table__caption--s">Escalations by month</caption>' in table
    assert table.count('<th scope="row"') == 12


def test_the_dashboard_runs_the_same_queries_with_1_or_50_escalations(sm_client, django_assert_num_queries):
    iro = IroFactory()

    def busy():
        children = [ChildFactory(iro=iro) for _ in range(3)]
        escalation = raised_days_ago(30, iro=iro, children=children, themes=[theme("drift"), theme("safety")])
        for code in ("practice_group_lead", "head_of_service"):
            services.escalation_escalate(
                escalation=escalation,
                by=iro,
                stage=stage(code),
                addressee=ManagerFactory(stage=stage(code)),
                reason="No reply in time.",
            )
            escalation.refresh_from_db()

    busy()
    queries = len(queries_for(sm_client, URL))
    for _ in range(49):
        busy()
    with django_assert_num_queries(queries):
        sm_client.get(URL)


def test_the_dashboard_shows_the_drift_watchs_impact_this_year(sm_client):
    body = sm_client.get(URL).content.decode()

    assert 'id="drift-impact"' in body
    assert "Flags raised" in body
    assert "PN7: Child does not attend nor are their views conveyed to the review" in body


def chart_of(body: str) -> str:
    return body[body.index('<svg role="img"') : body.index("</svg>") + len("</svg>")]


def test_the_trend_chart_is_drawn_once_for_the_same_numbers(sm_client, draws):
    raised_days_ago(3)
    first = chart_of(sm_client.get(URL).content.decode())
    again = chart_of(sm_client.get(URL).content.decode())
    assert (len(draws), again) == (1, first)


def test_the_trend_chart_is_drawn_again_when_its_numbers_change(sm_client, draws):
    raised_days_ago(3)
    first = chart_of(sm_client.get(URL).content.decode())
    raised_days_ago(3)
    assert chart_of(sm_client.get(URL).content.decode()) != first and len(draws) == 2
