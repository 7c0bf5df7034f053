import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drift import selectors
from drift.rules import R33_FIRST
from drift.services import drift_refresh
from tests.factories import (
    ChildFactory,
    DriftFlagFactory,
    EpisodeFactory,
    IroFactory,
    ManagerFactory,
    ReviewFactory,
    ServiceManagerFactory,
    TeamFactory,
    UserFactory,
    VisitFactory,
    drift_tables_imported,
    london,
    raise_escalation,
)
from workdays.clock import WorkingCalendar

pytestmark = pytest.mark.django_db
D = dt.date
ENGLAND = WorkingCalendar()


# ----------------------------------------------------------------------------- which rules


def test_a_rule_is_evaluated_once_its_table_and_the_episodes_were_imported():
    drift_tables_imported(ssda903=("Episodes", "Reviews"), extract=("visits",))

    evaluated, not_evaluated = selectors.drift_rules_evaluated()

    assert evaluated == ["R33-first", "R33-second", "R33-later", "R28-visit", "staying-put"]
    assert not_evaluated == ["R4-care-plan", "no-allocated-worker", "missing-now"]


def test_without_the_episodes_no_rule_is_evaluated():
    drift_tables_imported(ssda903=("Reviews", "Missing"))

    assert selectors.drift_rules_evaluated()[0] == []


# ----------------------------------------------------------------------------- the records


def test_the_records_carry_each_childs_data_and_only_the_latest_visit_seen():
    child = ChildFactory(case_id="1001", date_of_birth=D(2010, 1, 2))
    EpisodeFactory(child=child, start=D(2025, 12, 1))
    ReviewFactory(child=child, date=D(2025, 12, 20))
    VisitFactory(child=child, date=D(2026, 1, 5))
    VisitFactory(child=child, date=D(2026, 2, 5), seen=False)
    VisitFactory(child=child, date=D(2026, 4, 5))  # after the day

    ((found, record),) = selectors.drift_child_records(as_of=D(2026, 3, 1))

    assert found == child
    assert (record.case_id, record.date_of_birth) == ("1001", D(2010, 1, 2))
    assert [e.start for e in record.episodes] == [D(2025, 12, 1)]
    assert [r.date for r in record.reviews] == [D(2025, 12, 20)]
    assert [v.date for v in record.visits] == [D(2026, 1, 5)]


def test_children_whose_episodes_start_after_the_day_are_left_out():
    EpisodeFactory(start=D(2026, 5, 1))

    assert list(selectors.drift_child_records(as_of=D(2026, 3, 1))) == []


def test_the_records_are_read_in_a_fixed_number_of_queries_per_chunk():
    def queries():
        with CaptureQueriesContext(connection) as captured:
            list(selectors.drift_child_records(as_of=D(2026, 3, 1)))
        return len(captured.captured_queries)

    EpisodeFactory(start=D(2025, 12, 1))
    one = queries()
    for _ in range(20):
        child = EpisodeFactory(start=D(2025, 12, 1)).child
        ReviewFactory(child=child)
        VisitFactory(child=child)
    assert queries() == one


# ----------------------------------------------------------------------------- who sees which flags


def test_an_iro_sees_only_their_caseloads_flags():
    iro = IroFactory()
    mine = DriftFlagFactory(child__iro=iro)
    DriftFlagFactory()

    assert list(selectors.drift_flags_open_for(user=iro)) == [mine]


def test_the_service_manager_sees_every_flag_and_a_report_viewer_none():
    DriftFlagFactory()
    DriftFlagFactory()

    assert selectors.drift_flags_open_for(user=ServiceManagerFactory()).count() == 2
    assert selectors.drift_flags_open_for(user=UserFactory(role="report_viewer")).count() == 0


def test_a_manager_sees_the_flags_of_the_children_of_escalations_sent_to_them():
    manager = ManagerFactory()
    flag = DriftFlagFactory()
    DriftFlagFactory()
    raise_escalation(iro=flag.child.iro, children=[flag.child], addressee=manager)

    assert list(selectors.drift_flags_open_for(user=manager)) == [flag]


def test_open_flags_are_most_overdue_first():
    iro = IroFactory()
    later = DriftFlagFactory(child__iro=iro, due=D(2026, 3, 1))
    earlier = DriftFlagFactory(child__iro=iro, due=D(2026, 1, 1))
    DriftFlagFactory(child__iro=iro, due=D(2025, 1, 1), cleared_on=D(2026, 1, 1))

    assert list(selectors.drift_flags_open_for(user=iro)) == [earlier, later]


def test_the_digest_counts_each_iros_new_open_flags_by_rule():
    iro, other = IroFactory(), IroFactory()
    DriftFlagFactory(child__iro=iro, first_seen=D(2026, 3, 2))
    DriftFlagFactory(child__iro=iro, rule="R28-visit", first_seen=D(2026, 3, 3))
    DriftFlagFactory(child__iro=iro, rule="R28-visit", first_seen=D(2026, 3, 3))
    DriftFlagFactory(child__iro=iro, first_seen=D(2026, 3, 1))  # before
    DriftFlagFactory(child__iro=iro, first_seen=D(2026, 3, 3), cleared_on=D(2026, 3, 4))  # cleared
    DriftFlagFactory(child__iro=other, rule="R4-care-plan", first_seen=D(2026, 3, 2))

    counts = selectors.drift_digest_counts(since=D(2026, 3, 2))

    assert counts == {iro: [(R33_FIRST, 1), ("R28-visit", 2)], other: [("R4-care-plan", 1)]}


def test_the_digest_leaves_out_inactive_iros():
    DriftFlagFactory(child__iro=IroFactory(is_active=False), first_seen=D(2026, 3, 2))

    assert selectors.drift_digest_counts(since=D(2026, 3, 2)) == {}


def test_the_search_filters_by_rule_team_iro_and_how_long_open():
    sm = ServiceManagerFactory()
    team, iro = TeamFactory(), IroFactory()
    today = D(2026, 3, 31)
    old = DriftFlagFactory(child__team=team, child__iro=iro, first_seen=D(2026, 3, 1))
    recent = DriftFlagFactory(child__team=team, rule="R28-visit", first_seen=D(2026, 3, 30))
    cleared_long = DriftFlagFactory(first_seen=D(2026, 1, 1), cleared_on=D(2026, 2, 1))
    cleared_quick = DriftFlagFactory(first_seen=D(2026, 1, 1), cleared_on=D(2026, 1, 3))

    def search(**kwargs):
        return set(selectors.drift_flag_search(user=sm, today=today, **kwargs))

    assert search() == {old, recent}
    assert search(status="cleared") == {cleared_long, cleared_quick}
    assert search(status="any") == {old, recent, cleared_long, cleared_quick}
    assert search(rule=R33_FIRST) == {old}
    assert search(team=team) == {old, recent}
    assert search(iro=iro) == {old}
    assert search(open_days=30) == {old}
    assert search(open_days=31) == set()
    assert search(status="any", open_days=28) == {old, cleared_long}


# ----------------------------------------------------------------------------- impact


def test_impact_counts_the_flags_raised_escalated_and_cleared_in_the_period():
    iro = IroFactory()
    escalation = raise_escalation(iro=iro, raised_at=london(2026, 1, 5, 10, 0))  # Monday
    DriftFlagFactory(first_seen=D(2026, 1, 2), escalation=escalation, cleared_on=D(2026, 1, 12))  # Monday after
    DriftFlagFactory(first_seen=D(2026, 1, 3), cleared_on=D(2026, 2, 1))
    DriftFlagFactory(first_seen=D(2026, 1, 4))
    DriftFlagFactory(first_seen=D(2025, 12, 31), cleared_on=D(2026, 1, 5))  # raised before the period

    impact = selectors.drift_impact(start=D(2026, 1, 1), end=D(2026, 1, 31), calendar=ENGLAND)

    assert (impact.flags_raised, impact.escalated, impact.cleared) == (3, 1, 1)
    assert (impact.median_working_days_to_clear, impact.escalated_and_cleared) == (5, 1)


def test_impact_median_of_several():
    escalation = raise_escalation(raised_at=london(2026, 1, 5, 10, 0))
    for cleared in (D(2026, 1, 6), D(2026, 1, 8), D(2026, 1, 12), D(2026, 1, 13)):
        DriftFlagFactory(first_seen=D(2026, 1, 2), escalation=escalation, cleared_on=cleared)

    impact = selectors.drift_impact(start=D(2026, 1, 1), end=D(2026, 1, 31), calendar=ENGLAND)

    assert impact.median_working_days_to_clear == 4  # 1, 3, 5, 6 working days


def test_impact_review_timeliness_and_participation():
    child = ChildFactory()
    EpisodeFactory(child=child, start=D(2025, 12, 1))
    ReviewFactory(child=child, date=D(2025, 12, 31), participation="PN1")  # first: due 31 Dec, on time
    ReviewFactory(child=child, date=D(2026, 4, 1), participation="PN1")  # second: due 31 Mar, late
    unknown = ChildFactory()
    EpisodeFactory(child=unknown, start=D(2025, 6, 1), reason_new_episode="P")
    ReviewFactory(child=unknown, date=D(2026, 1, 10), participation="PN7")  # first known: not judged

    impact = selectors.drift_impact(start=D(2025, 12, 1), end=D(2026, 11, 30), calendar=ENGLAND)

    assert (impact.reviews_held, impact.reviews_judged, impact.reviews_on_time, impact.reviews_not_judged) == (
        3,
        2,
        1,
        1,
    )
    assert impact.percent_on_time == 50.0
    rows = {row.code: (row.reviews, row.percent) for row in impact.participation}
    assert rows["PN1"] == (2, 66.7)
    assert rows["PN7"] == (1, 33.3)
    assert rows["PN0"] == (0, 0.0)
    assert list(rows) == ["PN0", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"]


def test_impact_with_nothing_gives_no_percentages():
    impact = selectors.drift_impact(start=D(2026, 1, 1), end=D(2026, 1, 31), calendar=ENGLAND)

    assert (impact.flags_raised, impact.percent_on_time, impact.median_working_days_to_clear) == (0, None, None)
    assert all(row.percent is None for row in impact.participation)


def test_the_impact_survives_being_stored_as_json():
    child = ChildFactory()
    EpisodeFactory(child=child, start=D(2025, 12, 1))
    ReviewFactory(child=child, date=D(2025, 12, 31), participation="PN3")
    DriftFlagFactory(first_seen=D(2026, 1, 2))
    impact = selectors.drift_impact(start=D(2025, 4, 1), end=D(2026, 3, 31), calendar=ENGLAND)

    assert selectors.impact_from_json(json.loads(json.dumps(selectors.impact_as_json(impact)))) == impact


def test_the_latest_impact_is_the_nightly_refreshs_for_its_year_and_computed_otherwise():
    drift_tables_imported()
    drift_refresh(as_of=D(2026, 1, 10))
    DriftFlagFactory(first_seen=D(2026, 1, 11))  # after the refresh

    stored = selectors.drift_impact_latest(start=D(2025, 4, 1), end=D(2026, 3, 31), calendar=ENGLAND)
    computed = selectors.drift_impact_latest(start=D(2026, 1, 1), end=D(2026, 3, 31), calendar=ENGLAND)

    assert (stored.flags_raised, computed.flags_raised) == (0, 1)


def test_the_reporting_year_runs_from_april_to_march():
    assert selectors.financial_year_of(D(2026, 3, 31)) == (D(2025, 4, 1), D(2026, 3, 31))
    assert selectors.financial_year_of(D(2026, 4, 1)) == (D(2026, 4, 1), D(2027, 3, 31))
