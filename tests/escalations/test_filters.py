"""The service manager's filters for All escalations (escalations.filters)."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from escalations import services
from escalations.filters import AllEscalationsFilter, all_escalations_query
from escalations.models import Escalation
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    TeamFactory,
    outcome,
    raise_escalation,
    stage,
    theme,
)

pytestmark = pytest.mark.django_db


def _filtered(query: str) -> set:
    filterset = AllEscalationsFilter(QueryDict(query), queryset=Escalation.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs)


def _errors(query: str) -> dict:
    filterset = AllEscalationsFilter(QueryDict(query), queryset=Escalation.objects.all())
    assert not filterset.is_valid()
    return filterset.errors


def _london(year, month, day, hour=12, minute=0):
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


# --- each filter narrows the list ------------------------------------------------------------------


def test_no_filters_give_every_escalation():
    escalations = {raise_escalation(), raise_escalation()}
    assert _filtered("") == escalations


def test_status_keeps_open_or_closed_escalations():
    open_one, closed = raise_escalation(), raise_escalation()
    services.escalation_resolve(
        escalation=closed, by=closed.iro, outcome=outcome("resolved"), reason="The plan was agreed."
    )
    assert (_filtered("status=open"), _filtered("status=closed")) == ({open_one}, {closed})


def test_stage_keeps_escalations_now_at_that_stage():
    raise_escalation(stage_code="team_manager")
    at_head = raise_escalation(stage_code="head_of_service")
    assert _filtered(all_escalations_query(stage=stage("head_of_service"))) == {at_head}


def test_stage_is_the_current_stage_not_the_first():
    escalation = raise_escalation(stage_code="team_manager")
    services.escalation_escalate(
        escalation=escalation,
        by=escalation.iro,
        stage=stage("head_of_service"),
        addressee=ManagerFactory(stage=stage("head_of_service")),
        reason="No reply in time.",
    )
    assert escalation not in _filtered(all_escalations_query(stage=stage("team_manager")))


def test_theme_keeps_escalations_with_that_theme_among_theirs_once_each():
    both = raise_escalation(themes=[theme("drift"), theme("safety")])
    raise_escalation(themes=[theme("health")])
    filterset = AllEscalationsFilter(
        QueryDict(all_escalations_query(theme=theme("drift"))), queryset=Escalation.objects.all()
    )
    assert filterset.is_valid()
    assert list(filterset.qs) == [both]


def test_team_keeps_escalations_about_a_child_of_that_team_once_each():
    north, south = TeamFactory(name="North"), TeamFactory(name="South")
    iro = IroFactory()
    siblings = [ChildFactory(iro=iro, team=north), ChildFactory(iro=iro, team=north), ChildFactory(iro=iro, team=south)]
    mixed = raise_escalation(iro=iro, children=siblings)
    raise_escalation(iro=iro, children=[ChildFactory(iro=iro, team=south)])
    filterset = AllEscalationsFilter(QueryDict(all_escalations_query(team=north)), queryset=Escalation.objects.all())
    assert filterset.is_valid()
    assert list(filterset.qs) == [mixed]


def test_iro_keeps_the_escalations_they_raised():
    mine, other = IroFactory(), IroFactory()
    raised = raise_escalation(iro=mine)
    raise_escalation(iro=other)
    assert _filtered(all_escalations_query(iro=mine)) == {raised}


def test_overdue_keeps_open_escalations_past_their_response_due_time():
    overdue = raise_escalation(raised_at=timezone.now() - dt.timedelta(days=40))
    raise_escalation(raised_at=timezone.now() - dt.timedelta(hours=1))  # not yet due
    assert _filtered("overdue=on") == {overdue}


def test_overdue_leaves_out_answered_escalations():
    answered = raise_escalation(raised_at=timezone.now() - dt.timedelta(days=40))
    services.escalation_respond(escalation=answered, by=answered.current_addressee, response="Done.")
    assert _filtered("overdue=on") == set()


def test_raised_from_includes_the_whole_first_day_in_london():
    # 00:30 on 1 June in London is 23:30 on 31 May in UTC.
    first_thing = raise_escalation(raised_at=_london(2025, 6, 1, 0, 30))
    raise_escalation(raised_at=_london(2025, 5, 31, 23, 30))
    assert _filtered(all_escalations_query(raised_from=dt.date(2025, 6, 1))) == {first_thing}


def test_raised_to_includes_the_whole_last_day_in_london():
    last_thing = raise_escalation(raised_at=_london(2025, 6, 30, 23, 59))
    raise_escalation(raised_at=_london(2025, 7, 1, 0, 1))
    assert _filtered(all_escalations_query(raised_to=dt.date(2025, 6, 30))) == {last_thing}


def test_raised_between_typed_as_day_month_and_year():
    inside = raise_escalation(raised_at=_london(2025, 5, 15))
    raise_escalation(raised_at=_london(2025, 4, 15))
    raise_escalation(raised_at=_london(2025, 6, 15))
    query = "raised_from_0=1&raised_from_1=5&raised_from_2=2025&raised_to_0=31&raised_to_1=05&raised_to_2=2025"
    assert _filtered(query) == {inside}


def test_filters_combine():
    iro = IroFactory()
    wanted = raise_escalation(iro=iro, themes=[theme("drift")])
    raise_escalation(iro=iro, themes=[theme("safety")])
    raise_escalation(themes=[theme("drift")])
    assert _filtered(all_escalations_query(iro=iro, theme=theme("drift"), status="open")) == {wanted}


# --- what was typed is checked ---------------------------------------------------------------------


def test_raised_to_before_raised_from_is_an_error_on_raised_to():
    errors = _errors(all_escalations_query(raised_from=dt.date(2025, 6, 1), raised_to=dt.date(2025, 5, 1)))
    assert errors == {"raised_to": ["The ‘raised to’ date must be the same as or after the ‘raised from’ date"]}


def test_a_date_that_does_not_exist_is_an_error():
    errors = _errors("raised_from_0=31&raised_from_1=2&raised_from_2=2025")
    assert errors == {"raised_from": ["The ‘raised from’ date must be a real date"]}


def test_letters_in_a_date_are_an_error():
    errors = _errors("raised_to_0=1&raised_to_1=June&raised_to_2=2025")
    assert errors == {"raised_to": ["The ‘raised to’ date must be a real date"]}


def test_a_two_digit_year_is_an_error():
    errors = _errors("raised_from_0=1&raised_from_1=6&raised_from_2=25")
    assert errors == {"raised_from": ["The ‘raised from’ date must have a year with 4 numbers"]}


def test_a_date_without_its_month_says_what_is_missing():
    errors = _errors("raised_from_0=1&raised_from_2=2025")
    assert errors == {"raised_from": ["The ‘raised from’ date must include a month"]}


def test_an_unknown_theme_is_an_error():
    assert _errors("theme=999999") == {"theme": ["Select a theme from the list"]}


# --- links into the list ---------------------------------------------------------------------------


def test_the_query_writes_dates_as_the_date_input_sends_them():
    query = all_escalations_query(status="open", raised_from=dt.date(2025, 4, 1), overdue=True)
    assert QueryDict(query) == QueryDict("status=open&overdue=on&raised_from_0=1&raised_from_1=4&raised_from_2=2025")


def test_the_query_refuses_a_name_that_is_not_a_filter():
    with pytest.raises(ValueError):
        all_escalations_query(colour="red")


def test_a_huge_number_in_a_date_filter_is_refused_as_not_a_real_date():
    errors = _errors("raised_from_0=1&raised_from_1=1&raised_from_2=99999999999999999999")
    assert errors == {"raised_from": ["The ‘raised from’ date must be a real date"]}


def test_a_date_filter_before_1900_is_refused():
    errors = _errors("raised_to_0=1&raised_to_1=1&raised_to_2=1899")
    assert errors == {"raised_to": ["The ‘raised to’ date must be between 1900 and 2100"]}


def test_a_nul_in_the_search_box_is_refused():
    errors = _errors("q=ab%00c")
    assert list(errors) == ["q"]
    assert "contains a NUL character at character 3" in errors["q"][0]
