"""The committee report's computation, piece by piece (the seed's whole year is in test_seed_year)."""

import datetime as dt

import pytest

from drift.services import drift_refresh
from escalations import services
from escalations.models import Escalation
from reports.models import ReportSettings
from reports.periods import Period
from reports.selectors import report_build
from tests.factories import (
    ChildFactory,
    EpisodeFactory,
    IroFactory,
    ManagerFactory,
    ReviewFactory,
    drift_tables_imported,
    london,
    outcome,
    raise_escalation,
    stage,
    theme,
)

pytestmark = pytest.mark.django_db
YEAR = Period.financial_year("2015-16")


@pytest.fixture(autouse=True)
def _every_number_shown(every_number_shown):
    """The computation, with small-number suppression off (the tests at the end switch it on)."""


def _report(period=YEAR, **kwargs):
    return report_build(period=period, **kwargs)


def _rows(report, key):
    return {row["code"]: row["escalations"] for row in report[key]}


def test_an_escalation_belongs_to_the_period_it_was_raised_in():
    raise_escalation(raised_at=london(2016, 3, 31, 23, 30))  # still 2015-16 in London
    raise_escalation(raised_at=london(2016, 4, 1, 0, 10))  # 2016-17
    assert _report()["escalations"] == 1
    assert _report(Period.financial_year("2016-17"))["escalations"] == 1


def test_children_are_counted_once_however_many_escalations_they_have():
    iro = IroFactory()
    child, sibling = ChildFactory(iro=iro), ChildFactory(iro=iro)
    raise_escalation(iro=iro, children=[child, sibling], raised_at=london(2015, 6, 1, 10, 0))
    raise_escalation(iro=iro, children=[child], raised_at=london(2015, 7, 1, 10, 0))
    report = _report()
    assert (report["escalations"], report["children"]) == (2, 2)


def test_informal_and_formal_by_the_highest_stage_reached():
    raise_escalation(stage_code="social_worker", raised_at=london(2015, 6, 1, 10, 0))
    raise_escalation(stage_code="team_manager", raised_at=london(2015, 6, 1, 10, 0))
    report = _report()
    assert (report["informal"], report["formal"]) == (1, 1)


def test_cafcass_referrals_are_counted():
    esc = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    services.escalation_refer_to_cafcass(escalation=esc, by=esc.iro, referred_on=dt.date(2015, 6, 10), reason="Stalled")
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    assert _report()["cafcass_referrals"] == 1


def test_outcomes_are_as_they_stood_at_the_end_of_the_period():
    closed_in_year = raise_escalation(raised_at=london(2016, 3, 1, 10, 0))
    services.escalation_resolve(
        escalation=closed_in_year,
        by=closed_in_year.iro,
        outcome=outcome("not_resolved"),
        at=london(2016, 3, 2, 10, 0),
        reason="The plan was agreed.",
    )
    closed_later = raise_escalation(raised_at=london(2016, 3, 1, 10, 0))
    services.escalation_resolve(
        escalation=closed_later,
        by=closed_later.iro,
        outcome=outcome("resolved"),
        at=london(2016, 4, 5, 10, 0),
        reason="The plan was agreed.",
    )
    assert _rows(_report(), "outcomes") == {"resolved": 0, "not_resolved": 1, "withdrawn": 0, "open_at_end": 1}


def test_first_responses_judged_on_dates_alone_are_counted():
    esc = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    services.escalation_first_response(escalation=esc, by=esc.current_addressee, at=london(2015, 6, 2, 15, 0))
    Escalation.objects.filter(pk=esc.pk).update(raised_date_only=True)
    timeliness = _report()["timeliness"]
    assert timeliness["first_response_judged_on_dates_alone"] == 1
    assert timeliness["first_response_within_24h"] == 1  # next calendar day counts on dates alone


def test_responses_within_each_stages_target():
    on_time = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))  # Monday; due end of Thursday
    services.escalation_respond(
        escalation=on_time, by=on_time.current_addressee, response="Yes", at=london(2015, 6, 4, 16, 0)
    )
    late = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    services.escalation_respond(escalation=late, by=late.current_addressee, response="Yes", at=london(2015, 6, 5, 9, 0))
    row = next(r for r in _report()["timeliness"]["stage_targets"] if r["code"] == "team_manager")
    assert (row["responses"], row["within_target"], row["percent"]) == (2, 1, 50.0)


def test_median_and_p90_response_in_working_days():
    for replied in [london(2015, 6, 1, 15, 0), london(2015, 6, 2, 9, 0), london(2015, 6, 5, 9, 0)]:
        esc = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
        services.escalation_respond(escalation=esc, by=esc.current_addressee, response="Yes", at=replied)
    timeliness = _report()["timeliness"]
    assert timeliness["median_response_working_days"] == 1
    assert timeliness["p90_response_working_days"] == 4


def test_the_whole_process_within_the_cap():
    quick = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    services.escalation_resolve(
        escalation=quick,
        by=quick.iro,
        outcome=outcome("resolved"),
        at=london(2015, 6, 5, 10, 0),
        reason="The plan was agreed.",
    )
    slow = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    services.escalation_resolve(
        escalation=slow,
        by=slow.iro,
        outcome=outcome("resolved"),
        at=london(2015, 7, 1, 10, 0),
        reason="The plan was agreed.",
    )
    timeliness = _report()["timeliness"]
    assert (timeliness["closed_formal"], timeliness["closed_within_cap"]) == (2, 1)


def test_data_quality_warnings():
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))  # no theme, no response, open past the cap
    themed = raise_escalation(raised_at=london(2016, 3, 28, 10, 0), themes=[theme("health")])
    services.escalation_first_response(escalation=themed, by=themed.current_addressee, at=london(2016, 3, 29, 9, 0))
    warnings = _rows(_report(), "data_quality")
    assert warnings == {"no_theme": 1, "no_first_response": 1, "open_past_cap": 1, "dates_alone": 0}


def test_the_comparison_with_the_previous_year():
    raise_escalation(raised_at=london(2014, 6, 1, 10, 0), themes=[theme("health")])
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0), themes=[theme("health")])
    raise_escalation(raised_at=london(2015, 7, 1, 10, 0), themes=[theme("drift")])
    comparison = _report()["comparison"]
    measures = {m["code"]: (m["current"], m["previous"], m["change"]) for m in comparison["measures"]}
    assert comparison["period"]["label"] == "2014-15"
    assert measures["escalations"] == (2, 1, 1)
    assert measures["theme:health"] == (1, 1, 0)
    assert measures["theme:drift"] == (1, 0, 1)


def test_the_monthly_trend_has_every_month():
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    raise_escalation(raised_at=london(2015, 6, 30, 23, 30))  # 22:30 UTC, still June in London
    monthly = _report()["monthly"]
    assert len(monthly) == 12
    assert {row["month"]: row["escalations"] for row in monthly}["2015-06"] == 2
    assert monthly[0] == {"month": "2015-04", "label": "April 2015", "escalations": 0}


def test_escalating_to_the_assistant_director_counts_as_reaching_head_of_service_or_above():
    esc = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    services.escalation_escalate(
        escalation=esc,
        by=esc.iro,
        stage=stage("assistant_director"),
        addressee=ManagerFactory(stage=stage("assistant_director")),
        at=london(2015, 6, 5, 10, 0),
        reason="No reply in time.",
    )
    report = _report()
    assert report["reached_head_of_service_or_above"] == 1
    assert _rows(report, "stages")["assistant_director"] == 1


def _theme_row(report, code):
    return next(row for row in report["themes"] if row["code"] == code)


def _small_year():
    """15 escalations in June 2015: 8 about family contact, 6 about health, 1 about drift."""
    for code, n in [("family_contact", 8), ("health", 6), ("drift", 1)]:
        for _ in range(n):
            raise_escalation(raised_at=london(2015, 6, 1, 10, 0), themes=[theme(code)])


def test_small_numbers_are_suppressed_in_open_reports_when_switched_on():
    ReportSettings.objects.update(suppress_small_numbers=True, small_number_threshold=5)
    _small_year()
    report = _report()
    drift = _theme_row(report, "drift")
    assert drift["escalations"] is None and drift["percent"] is None and drift["suppressed"] is True
    assert set(drift["suppressed_fields"]) == {"escalations", "percent", "children"}
    assert report["escalations"] == 15
    assert report["small_numbers"] == {"suppressed_below": 5, "method": "primary and secondary"}


def test_the_next_smallest_theme_is_hidden_too_so_the_total_gives_nothing_away():
    ReportSettings.objects.update(suppress_small_numbers=True, small_number_threshold=5)
    _small_year()
    report = _report()
    assert _theme_row(report, "health")["escalations"] is None  # 6: hidden, or 15 - 8 - 0 would give drift's 1
    assert (_theme_row(report, "family_contact")["escalations"], _theme_row(report, "family_contact")["percent"]) == (
        8,
        53.3,
    )


def test_open_reports_suppress_small_numbers_by_default():
    ReportSettings.objects.all().delete()
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0), themes=[theme("drift")])
    assert _theme_row(_report(), "drift")["escalations"] is None


def test_small_numbers_are_shown_in_closed_reports():
    ReportSettings.objects.update(classification="closed", suppress_small_numbers=True)
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0), themes=[theme("drift")])
    drift = next(row for row in _report()["themes"] if row["code"] == "drift")
    assert drift["escalations"] == 1
    assert "suppressed" not in drift


def test_retired_themes_with_escalations_still_appear():
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0), themes=[theme("life_story_work")])
    life_story = theme("life_story_work")
    life_story.active = False
    life_story.save()
    assert _rows(_report(), "themes")["life_story_work"] == 1


def test_drift_outcomes_are_as_they_stood_at_the_end_of_the_period_too():
    esc = raise_escalation(raised_at=london(2016, 3, 1, 10, 0), themes=[theme("drift")])
    services.escalation_resolve(
        escalation=esc,
        by=esc.iro,
        outcome=outcome("resolved"),
        at=london(2016, 4, 5, 10, 0),
        reason="The plan was agreed.",
    )
    report = _report()
    assert _rows(report["drift"], "outcomes") == _rows(report, "outcomes")
    assert _rows(report["drift"], "outcomes")["open_at_end"] == 1


# --- honest comparisons --------------------------------------------------------------------------


def _measures(report):
    return {m["code"]: (m["current"], m["previous"], m["change"]) for m in report["comparison"]["measures"]}


def test_a_year_with_no_records_before_it_is_compared_with_nothing():
    raise_escalation(raised_at=london(2025, 6, 1, 10, 0), themes=[theme("health")])
    comparison = _report(Period.financial_year("2025-26"))["comparison"]
    assert comparison["available"] is False
    assert comparison["note"] == "No records for 2024-25, so there is nothing to compare with."
    assert {m["code"]: (m["previous"], m["change"]) for m in comparison["measures"]}["escalations"] == (None, None)
    assert all(m["change"] is None for m in comparison["measures"])


def test_a_year_not_yet_ended_is_compared_with_the_same_part_of_the_year_before():
    now = london(2026, 11, 14, 12, 0)
    raise_escalation(raised_at=london(2025, 5, 1, 10, 0))  # 2025-26, before 14 November
    raise_escalation(raised_at=london(2025, 12, 1, 10, 0))  # 2025-26, after 14 November: not comparable
    raise_escalation(raised_at=london(2026, 5, 1, 10, 0))
    raise_escalation(raised_at=london(2026, 6, 1, 10, 0))
    report = _report(Period.financial_year("2026-27"), now=now)
    comparison = report["comparison"]
    assert comparison["basis"] == "same_part_of_previous_year"
    assert comparison["period"] == {
        "label": "1 April 2025 to 14 November 2025",
        "start": "2025-04-01",
        "end": "2025-11-14",
    }
    assert comparison["current_period"]["label"] == "1 April 2026 to 14 November 2026"
    assert _measures(report)["escalations"] == (2, 1, 1)
    assert "2026-27 has not ended" in comparison["note"]
    assert (report["period"]["complete"], report["period"]["figures_to"]) == (False, "2026-11-14")


def test_a_custom_range_is_compared_with_the_same_dates_a_year_earlier():
    raise_escalation(raised_at=london(2015, 2, 2, 10, 0))  # January-March 2015: compared
    raise_escalation(raised_at=london(2015, 11, 2, 10, 0))  # October-December 2015: not the comparison
    raise_escalation(raised_at=london(2016, 2, 1, 10, 0))
    report = _report(Period.between(dt.date(2016, 1, 1), dt.date(2016, 3, 31)))
    comparison = report["comparison"]
    assert comparison["basis"] == "same_dates_a_year_earlier"
    assert (comparison["period"]["start"], comparison["period"]["end"]) == ("2015-01-01", "2015-03-31")
    assert _measures(report)["escalations"] == (1, 1, 0)


def test_outcomes_of_a_period_not_yet_ended_are_so_far():
    now = london(2026, 11, 14, 12, 0)
    closed = raise_escalation(raised_at=london(2026, 5, 1, 10, 0))
    services.escalation_resolve(
        escalation=closed,
        by=closed.iro,
        outcome=outcome("resolved"),
        at=london(2026, 6, 1, 9, 0),
        reason="The plan was agreed.",
    )
    raise_escalation(raised_at=london(2026, 6, 1, 10, 0))
    outcomes = _report(Period.financial_year("2026-27"), now=now)["outcomes"]
    assert {row["code"]: row["escalations"] for row in outcomes} == {
        "resolved": 1,
        "not_resolved": 0,
        "withdrawn": 0,
        "open_at_end": 1,
    }
    assert outcomes[-1]["label"] == "Still open (so far)"


# --- history-true targets ------------------------------------------------------------------------


def _late_against_three_on_time_against_five():
    """Sent on Monday 1 June 2015 to the team manager (target 3: due at the end of Thursday), answered
    on Friday: late against the 3 days it was sent with, on time against 5."""
    esc = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    services.escalation_respond(escalation=esc, by=esc.current_addressee, response="Yes", at=london(2015, 6, 5, 9, 0))


def test_a_step_is_judged_and_shown_against_the_target_it_was_sent_with():
    _late_against_three_on_time_against_five()
    row = next(r for r in _report()["timeliness"]["stage_targets"] if r["code"] == "team_manager")
    assert (row["target_working_days"], row["responses"], row["within_target"]) == (3, 1, 0)


def test_changing_a_stages_target_changes_nothing_in_an_existing_periods_report():
    _late_against_three_on_time_against_five()
    before = _report()
    team_manager = stage("team_manager")
    team_manager.target_working_days = 5
    team_manager.save()
    assert _report() == before


def test_steps_sent_with_different_targets_are_shown_apart():
    _late_against_three_on_time_against_five()
    team_manager = stage("team_manager")
    team_manager.target_working_days = 5
    team_manager.save()
    _late_against_three_on_time_against_five()  # sent with 5 now: on time
    rows = [
        (r["target_working_days"], r["responses"], r["within_target"])
        for r in _report()["timeliness"]["stage_targets"]
        if r["code"] == "team_manager"
    ]
    assert rows == [(3, 1, 0), (5, 1, 1)]


def test_a_stage_with_no_steps_in_the_period_shows_no_target():
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    row = next(r for r in _report()["timeliness"]["stage_targets"] if r["code"] == "director")
    assert (row["target_working_days"], row["responses"]) == (None, 0)


# ----------------------------------------------------------------------------- the drift watch

WATCH_YEAR = Period.financial_year("2025-26")


def test_the_drift_watch_section_says_nothing_is_known_before_the_watch_and_the_903():
    watch = _report(WATCH_YEAR)["drift_watch"]

    assert watch["watched_from"] is None and watch["reviews_recorded"] is False
    assert (watch["flags_raised"], watch["reviews_held"], watch["reviews_on_time_percent"]) == (None, None, None)
    assert watch["participation"] == []


def test_the_drift_watch_section_counts_the_flags_the_refresh_found_and_the_reviews_held():
    drift_tables_imported(ssda903=("Episodes", "Reviews"), extract=())  # the review clocks only
    late = ChildFactory()
    EpisodeFactory(child=late, start=dt.date(2025, 12, 1))  # no review: the first was due by 31 December
    reviewed = ChildFactory()
    EpisodeFactory(child=reviewed, start=dt.date(2025, 12, 1))
    ReviewFactory(child=reviewed, date=dt.date(2025, 12, 20), participation="PN3")
    drift_refresh(as_of=dt.date(2026, 1, 2))
    ReviewFactory(child=late, date=dt.date(2026, 1, 5), participation="PN1")  # late, which clears the flag
    drift_refresh(as_of=dt.date(2026, 1, 9))

    watch = _report(WATCH_YEAR)["drift_watch"]

    assert watch["watched_from"] == "2026-01-02"
    assert (watch["flags_raised"], watch["cleared"], watch["escalated"]) == (1, 1, 0)
    assert (watch["reviews_held"], watch["reviews_judged"], watch["reviews_on_time"]) == (2, 2, 1)
    assert watch["reviews_on_time_percent"] == 50.0
    assert {row["code"]: row["reviews"] for row in watch["participation"]} == {
        "PN0": 0,
        "PN1": 1,
        "PN2": 0,
        "PN3": 1,
        "PN4": 0,
        "PN5": 0,
        "PN6": 0,
        "PN7": 0,
    }


def test_flags_are_not_counted_for_a_period_that_ended_before_the_watch_began():
    drift_tables_imported()
    drift_refresh(as_of=dt.date(2026, 1, 2))

    watch = _report(Period.financial_year("2024-25"))["drift_watch"]

    assert watch["flags_raised"] is None and watch["reviews_held"] == 0
