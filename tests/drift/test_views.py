import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from drift.models import DriftRun, RuleTheme
from tests.factories import (
    ChildFactory,
    DriftFlagFactory,
    EpisodeFactory,
    IroFactory,
    ServiceManagerFactory,
    TeamFactory,
    VisitFactory,
    drift_tables_imported,
    raise_escalation,
    subtheme,
    theme,
)
from tests.querycount import assert_same_queries

pytestmark = pytest.mark.django_db
D = dt.date


def today():
    return timezone.localdate()


def signed_in(client, user):
    client.force_login(user)
    return client


def ran(as_of=None):
    now = timezone.now()
    return DriftRun.objects.create(
        as_of=as_of or today(),
        started_at=now,
        finished_at=now,
        children=0,
        created=0,
        cleared=0,
        updated=0,
        open=0,
        not_evaluated=[],
    )


# ----------------------------------------------------------------------------- the IRO's drift watch


def test_an_iro_sees_their_caseloads_flags_and_not_anothers(client):
    iro = IroFactory()
    DriftFlagFactory(child__iro=iro, child__first_name="Ada")
    DriftFlagFactory(child__first_name="Zebedee")
    ran()

    body = signed_in(client, iro).get(reverse("drift:mine")).content.decode()

    assert "Ada" in body
    assert "Zebedee" not in body


def test_flags_are_listed_most_overdue_first_with_their_days_overdue(client):
    iro = IroFactory()
    ran(D(2026, 3, 31))
    DriftFlagFactory(child__iro=iro, child__first_name="Ottoline", due=D(2026, 3, 1))
    DriftFlagFactory(child__iro=iro, child__first_name="Persephone", due=D(2025, 12, 31))

    body = signed_in(client, iro).get(reverse("drift:mine")).content.decode()

    assert body.index("Persephone") < body.index("Ottoline")
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">90</td>' in body


def test_each_flag_links_to_raise_an_escalation_with_its_theme_and_the_flag(client):
    iro = IroFactory()
    flag = DriftFlagFactory(child__iro=iro, rule="missing-now")

    body = signed_in(client, iro).get(reverse("drift:mine")).content.decode()

    safety, missing = theme("safety"), subtheme("safety", "missing")
    link = (
        f"/escalations/raise/?child={flag.child_id}&amp;theme={safety.pk}&amp;subtheme={missing.pk}&amp;flag={flag.pk}"
    )
    assert link in body


def test_the_rule_to_theme_map_is_the_admins_to_change(client):
    iro = IroFactory()
    flag = DriftFlagFactory(child__iro=iro, rule="R28-visit")
    RuleTheme.objects.filter(rule="R28-visit").update(theme=theme("placement"))

    body = signed_in(client, iro).get(reverse("drift:mine")).content.decode()

    assert f"theme={theme('placement').pk}&amp;flag={flag.pk}" in body


def test_a_flag_escalated_links_to_its_escalation_instead(client):
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    escalation = raise_escalation(iro=iro, children=[child])
    DriftFlagFactory(child=child, escalation=escalation)

    body = signed_in(client, iro).get(reverse("drift:mine")).content.decode()

    assert escalation.reference in body
    assert "Raise an escalation<span" not in body


def test_cleared_flags_are_listed_as_cleared(client):
    iro = IroFactory()
    DriftFlagFactory(child__iro=iro, child__first_name="Ada", cleared_on=today())

    body = signed_in(client, iro).get(reverse("drift:mine")).content.decode()

    assert 'id="cleared-table"' in body
    assert "Cleared</strong>" in body


def test_due_soon_lists_the_visits_and_reviews_due_in_the_next_ten_working_days(client):
    drift_tables_imported()
    iro = IroFactory()
    child = ChildFactory(iro=iro, first_name="Ada")
    EpisodeFactory(child=child, start=today() - dt.timedelta(days=5))  # the first visit is due in 2 days

    body = signed_in(client, iro).get(reverse("drift:mine")).content.decode()

    assert 'id="due-soon-table"' in body
    assert "Social worker visit" in body


def test_the_page_says_which_rules_are_not_evaluated(client):
    drift_tables_imported(extract=())

    body = signed_in(client, IroFactory()).get(reverse("drift:mine")).content.decode()

    assert "Not evaluated, because their data has never been imported" in body
    assert "<li>Social worker visit</li>" in body


def test_the_iros_page_runs_the_same_queries_for_one_child_as_for_many(client):
    drift_tables_imported()
    iro = IroFactory()
    ran()

    def add(n):
        child = ChildFactory(iro=iro)
        EpisodeFactory(child=child, start=today() - dt.timedelta(days=5))
        VisitFactory(child=child, date=today() - dt.timedelta(days=2))
        DriftFlagFactory(child=child)
        DriftFlagFactory(child=child, rule="R28-visit", cleared_on=today())

    add(0)
    signed_in(client, iro)
    assert_same_queries(client, reverse("drift:mine"), lambda: [add(n) for n in range(1, 8)])


# ----------------------------------------------------------------------------- the service manager's list


def test_the_service_manager_sees_every_flag(client):
    DriftFlagFactory(child__first_name="Ada")
    DriftFlagFactory(child__first_name="Zebedee")

    body = signed_in(client, ServiceManagerFactory()).get(reverse("drift:all")).content.decode()

    assert "Ada" in body and "Zebedee" in body
    assert "2 flags" in body


def test_the_list_filters_by_rule_team_iro_and_status(client):
    team, iro = TeamFactory(name="Team North"), IroFactory()
    DriftFlagFactory(child__first_name="Ada", child__team=team, child__iro=iro)
    DriftFlagFactory(child__first_name="Bea", rule="R28-visit")
    DriftFlagFactory(child__first_name="Cy", cleared_on=today())
    sm_client = signed_in(client, ServiceManagerFactory())

    def names(**query):
        body = sm_client.get(reverse("drift:all"), query).content.decode()
        return {name for name in ("Ada", "Bea", "Cy") if f">{name} " in body}

    assert names() == {"Ada", "Bea"}
    assert names(rule="R28-visit") == {"Bea"}
    assert names(team=team.pk) == {"Ada"}
    assert names(iro=iro.pk) == {"Ada"}
    assert names(status="cleared") == {"Cy"}
    assert names(status="any") == {"Ada", "Bea", "Cy"}


def test_the_list_filters_by_how_long_a_flag_has_been_open(client):
    DriftFlagFactory(child__first_name="Ada", first_seen=today() - dt.timedelta(days=30))
    DriftFlagFactory(child__first_name="Bea", first_seen=today() - dt.timedelta(days=2))

    body = signed_in(client, ServiceManagerFactory()).get(reverse("drift:all"), {"open_for": "28"}).content.decode()

    assert ">Ada " in body and ">Bea " not in body


def test_a_bad_filter_is_shown_with_the_error_summary(client):
    response = signed_in(client, ServiceManagerFactory()).get(reverse("drift:all"), {"rule": "R99"})

    assert response.status_code == 400
    assert "Select a rule from the list" in response.content.decode()


def test_the_list_is_paginated_25_to_a_page(client):
    for _ in range(26):
        DriftFlagFactory()

    body = signed_in(client, ServiceManagerFactory()).get(reverse("drift:all")).content.decode()

    assert "Showing 1 to 25" in body
    assert 'rel="next"' in body


def test_the_list_runs_the_same_queries_for_one_flag_as_for_many(client):
    def grow():
        for n in range(10):
            escalation = raise_escalation() if n % 3 == 0 else None
            DriftFlagFactory(child__team=TeamFactory(), escalation=escalation, cleared_on=today() if n % 2 else None)

    DriftFlagFactory(child__team=TeamFactory())
    signed_in(client, ServiceManagerFactory())
    assert_same_queries(client, reverse("drift:all") + "?status=any", grow)
