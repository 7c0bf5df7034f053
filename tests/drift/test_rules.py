"""The drift watch's rules (drift-watch.md), on England's real holiday calendar: every rule on both
sides of each boundary, and each worked example."""

import datetime as dt

import pytest

from drift.rules import (
    DUE_SOON,
    FLAG,
    MISSING_NOW,
    NO_ALLOCATED_WORKER,
    ON_TRACK,
    R4_CARE_PLAN,
    R28_VISIT,
    R33_FIRST,
    R33_LATER,
    R33_SECOND,
    RULES,
    STAYING_PUT,
    Allocation,
    CarePlan,
    ChildRecord,
    Episode,
    MissingEpisode,
    Review,
    Visit,
    add_months,
    assess,
    periods_of_care,
    review_timeliness,
)
from workdays.clock import WorkingCalendar

D = dt.date
ENGLAND = WorkingCalendar()
DAY = dt.timedelta(days=1)


def episode(start, rne="S", ls="C2", place="U4", end=None, rec=""):
    return Episode(start=start, rne=rne, legal_status=ls, placement_type=place, end=end, reason_ended=rec)


CHILD_DOB = D(2012, 5, 1)


def child(*episodes, dob=CHILD_DOB, reviews=(), visits=(), plans=(), allocations=(), missing=()):
    return ChildRecord(
        case_id="C1",
        date_of_birth=dob,
        episodes=tuple(episodes),
        reviews=tuple(Review(r, "PN1") if isinstance(r, dt.date) else r for r in reviews),
        visits=tuple(Visit(v) if isinstance(v, dt.date) else v for v in visits),
        care_plans=tuple(plans),
        allocations=tuple(allocations),
        missing=tuple(missing),
    )


def clock(record, as_of, rule):
    return assess(record, as_of=as_of, calendar=ENGLAND).clocks.get(rule)


def state(record, as_of, rule):
    found = clock(record, as_of, rule)
    return found.state if found else None


def flag_rules(record, as_of, rules=RULES):
    return [f.rule for f in assess(record, as_of=as_of, calendar=ENGLAND, rules=rules).flags]


# A child looked after from Monday 1 December 2025, visited, with a plan and a worker, so that
# only the rule under test can flag.
START = D(2025, 12, 1)


def settled(*episodes, **kwargs):
    kwargs.setdefault("plans", [CarePlan(START)])
    kwargs.setdefault("allocations", [Allocation("Sam", START)])
    return child(*(episodes or (episode(START),)), **kwargs)


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 8, 31), 3, D(2025, 11, 30)),  # the spec's example
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # a leap year
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2025, 11, 15), 3, D(2026, 2, 15)),  # across a year
        (D(2026, 1, 15), 3, D(2026, 4, 15)),
    ],
)
def test_n_months_after_is_the_same_day_or_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


# ----------------------------------------------------------------------------- periods and placements


def test_a_period_runs_through_x1_episodes_and_ends_at_another_reason():
    periods = periods_of_care(
        [
            episode(D(2024, 1, 1), end=D(2024, 3, 1), rec="X1"),
            episode(D(2024, 3, 1), rne="P", end=D(2024, 6, 1), rec="E11"),
            episode(D(2025, 1, 1)),
        ]
    )

    assert [(p.start, p.end, p.start_known) for p in periods] == [
        (D(2024, 1, 1), D(2024, 6, 1), True),
        (D(2025, 1, 1), None, True),
    ]


def test_a_period_whose_earliest_episode_is_not_s_starts_there_with_its_start_not_known():
    (period,) = periods_of_care([episode(D(2024, 1, 1), rne="P")])

    assert (period.start, period.start_known) == (D(2024, 1, 1), False)


def test_an_open_episode_keeps_the_period_open_whatever_its_reason_ended():
    (period,) = periods_of_care([episode(D(2024, 1, 1), rec="E11")])

    assert period.end is None


def test_placements_start_with_s_p_b_t_u_and_l_episodes_carry_the_type():
    (period,) = periods_of_care(
        [
            episode(D(2024, 1, 1), place="U6", end=D(2024, 2, 1), rec="X1"),
            episode(D(2024, 2, 1), rne="L", ls="C1", place="U6", end=D(2024, 3, 1), rec="X1"),
            episode(D(2024, 3, 1), rne="P", place="R1"),
        ]
    )

    assert [(p.start, p.end, p.placement_type) for p in period.placements] == [
        (D(2024, 1, 1), D(2024, 3, 1), "U6"),
        (D(2024, 3, 1), None, "R1"),
    ]


def test_looked_after_from_the_start_day_and_not_the_day_before():
    record = settled(episode(START))

    assert flag_rules(record, START - DAY) == []
    assert assess(record, as_of=START, calendar=ENGLAND).looked_after
    assert not assess(record, as_of=START - DAY, calendar=ENGLAND).looked_after


def test_not_looked_after_on_the_periods_end_day_and_looked_after_the_day_before():
    record = child(episode(D(2025, 1, 1), end=D(2026, 3, 31), rec="E11"))

    assert assess(record, as_of=D(2026, 3, 30), calendar=ENGLAND).looked_after
    assert not assess(record, as_of=D(2026, 3, 31), calendar=ENGLAND).looked_after
    assert flag_rules(record, D(2026, 3, 31)) == []


def test_a_period_of_short_breaks_only_gets_no_flags():
    record = child(episode(D(2025, 1, 1), ls="V3", end=D(2025, 2, 1), rec="X1"), episode(D(2025, 2, 1), "L", ls="V4"))

    assert flag_rules(record, D(2026, 3, 31)) == []
    assert not assess(record, as_of=D(2026, 3, 31), calendar=ENGLAND).looked_after


def test_a_period_with_one_episode_not_a_short_break_gets_flags():
    record = child(episode(D(2025, 1, 1), ls="V3", end=D(2025, 2, 1), rec="X1"), episode(D(2025, 2, 1), "L", ls="V2"))

    assert R33_FIRST in flag_rules(record, D(2026, 3, 31))


# ----------------------------------------------------------------------------- R33-first


def test_r33_first_is_due_on_the_20th_working_day_after_the_start():
    # Worked example 1: the 20th working day after Mon 1 Dec 2025, skipping Christmas and Boxing Day.
    assert clock(settled(), D(2026, 3, 31), R33_FIRST).due == D(2025, 12, 31)


def test_r33_first_on_the_due_day_is_not_a_flag_and_the_day_after_is():
    due = D(2025, 12, 31)

    assert state(settled(), due, R33_FIRST) == DUE_SOON
    found = clock(settled(), due + DAY, R33_FIRST)
    assert (found.state, found.days_overdue) == (FLAG, 1)


def test_r33_first_is_not_a_flag_with_a_review_in_the_period():
    record = settled(reviews=[D(2026, 2, 1)])

    assert R33_FIRST not in assess(record, as_of=D(2026, 3, 31), calendar=ENGLAND).clocks


def test_r33_first_counts_a_review_on_the_periods_start_day_but_not_the_day_before():
    assert state(settled(reviews=[START]), D(2026, 1, 5), R33_FIRST) is None
    assert state(settled(reviews=[START - DAY]), D(2026, 1, 5), R33_FIRST) == FLAG


def test_r33_first_counts_a_review_on_d_but_not_one_after_d():
    as_of = D(2026, 1, 5)

    assert state(settled(reviews=[as_of]), as_of, R33_FIRST) is None
    assert state(settled(reviews=[as_of + DAY]), as_of, R33_FIRST) == FLAG


def test_worked_example_1_r33_first_90_days_overdue():
    (flag,) = [f for f in assess(settled(), as_of=D(2026, 3, 31), calendar=ENGLAND).flags if f.rule == R33_FIRST]

    assert (flag.due, flag.days_overdue) == (D(2025, 12, 31), 90)


# ----------------------------------------------------------------------------- R33-second and R33-later


def test_worked_example_2_a_late_first_review_makes_the_second_due_soon_not_a_flag():
    record = settled(reviews=[D(2026, 1, 15)])

    found = clock(record, D(2026, 3, 31), R33_SECOND)
    assert (found.due, found.state) == (D(2026, 4, 15), DUE_SOON)
    assert R33_FIRST not in flag_rules(record, D(2026, 3, 31))


def test_r33_second_is_on_time_three_months_after_and_a_flag_the_day_after():
    record = settled(reviews=[D(2025, 12, 10)])

    assert state(record, D(2026, 3, 10), R33_SECOND) == DUE_SOON
    found = clock(record, D(2026, 3, 11), R33_SECOND)
    assert (found.due, found.state, found.days_overdue) == (D(2026, 3, 10), FLAG, 1)


def test_r33_later_is_on_time_six_months_after_the_last_and_a_flag_the_day_after():
    record = settled(reviews=[D(2025, 12, 10), D(2026, 3, 1)])

    assert state(record, D(2026, 9, 1), R33_LATER) == DUE_SOON
    found = clock(record, D(2026, 9, 2), R33_LATER)
    assert (found.due, found.state, found.days_overdue) == (D(2026, 9, 1), FLAG, 1)
    assert R33_SECOND not in assess(record, as_of=D(2026, 9, 2), calendar=ENGLAND).clocks


def test_r33_later_runs_from_the_last_review_not_the_first():
    record = settled(reviews=[D(2025, 12, 10), D(2026, 3, 1), D(2026, 8, 20)])

    assert clock(record, D(2026, 9, 2), R33_LATER).due == D(2027, 2, 20)


def test_a_review_after_d_does_not_count():
    record = settled(reviews=[D(2025, 12, 10), D(2026, 3, 20)])

    assert clock(record, D(2026, 3, 19), R33_SECOND).due == D(2026, 3, 10)


def test_reviews_of_an_earlier_period_do_not_count():
    record = settled(
        episode(D(2024, 1, 1), end=D(2024, 6, 1), rec="E11"),
        episode(START),
        reviews=[D(2024, 1, 20), D(2024, 4, 1)],
    )

    assert state(record, D(2026, 1, 5), R33_FIRST) == FLAG


def test_with_the_start_not_known_no_review_rule_applies_before_the_first_known_review():
    record = settled(episode(START, rne="P"))

    assert not set(assess(record, as_of=D(2026, 9, 1), calendar=ENGLAND).clocks) & {R33_FIRST, R33_SECOND, R33_LATER}


def test_with_the_start_not_known_the_first_known_review_makes_the_next_due_six_months_later():
    record = settled(episode(START, rne="P"), reviews=[D(2026, 1, 10)])

    assert state(record, D(2026, 7, 10), R33_LATER) == DUE_SOON
    found = clock(record, D(2026, 7, 11), R33_LATER)
    assert (found.due, found.state) == (D(2026, 7, 10), FLAG)
    assert R33_SECOND not in assess(record, as_of=D(2026, 7, 11), calendar=ENGLAND).clocks


# ----------------------------------------------------------------------------- due soon


def test_due_soon_runs_from_d_to_the_10th_working_day_after_it_both_included():
    # D = Tue 31 Mar 2026: the 10th working day after it, skipping Good Friday and Easter Monday,
    # is Thu 16 Apr. A second review due on 16 Apr is due soon; one due on 17 Apr is not.
    as_of = D(2026, 3, 31)

    assert state(settled(reviews=[D(2026, 1, 16)]), as_of, R33_SECOND) == DUE_SOON
    assert state(settled(reviews=[D(2026, 1, 17)]), as_of, R33_SECOND) == ON_TRACK
    assert state(settled(reviews=[D(2025, 12, 31)]), as_of, R33_SECOND) == DUE_SOON  # due on D itself


def test_due_soon_is_not_a_flag():
    record = settled(reviews=[D(2026, 1, 15)], visits=[D(2026, 3, 1)])

    assert flag_rules(record, D(2026, 3, 31)) == []


# ----------------------------------------------------------------------------- R28-visit


def test_r28_the_first_visit_is_due_7_days_after_the_placement_starts():
    record = settled(reviews=[START])

    assert state(record, START + 7 * DAY, R28_VISIT) == DUE_SOON
    found = clock(record, START + 8 * DAY, R28_VISIT)
    assert (found.due, found.state, found.days_overdue) == (START + 7 * DAY, FLAG, 1)


def test_r28_a_visit_in_the_first_year_makes_the_next_due_42_days_later():
    record = settled(reviews=[START], visits=[D(2026, 1, 10)])

    assert state(record, D(2026, 2, 21), R28_VISIT) == DUE_SOON
    found = clock(record, D(2026, 2, 22), R28_VISIT)
    assert (found.due, found.state) == (D(2026, 2, 21), FLAG)


def test_worked_example_3_long_term_fostering_after_the_first_year_is_due_3_months_later():
    record = child(episode(D(2024, 3, 1), place="U4"), visits=[D(2026, 1, 10)])

    found = clock(record, D(2026, 3, 31), R28_VISIT)
    assert found.due == D(2026, 4, 10)
    assert found.state != FLAG


def test_worked_example_3_with_u6_is_due_42_days_later_and_38_days_overdue():
    record = child(episode(D(2024, 3, 1), place="U6"), visits=[D(2026, 1, 10)])

    found = clock(record, D(2026, 3, 31), R28_VISIT)
    assert (found.due, found.state, found.days_overdue) == (D(2026, 2, 21), FLAG, 38)


def test_r28_long_term_fostering_three_months_boundary():
    record = child(episode(D(2024, 3, 1), place="U1"), visits=[D(2025, 11, 30)])

    assert clock(record, D(2026, 2, 28), R28_VISIT).state == DUE_SOON  # due 28 Feb (30 Nov + 3 months)
    assert clock(record, D(2026, 3, 1), R28_VISIT).state == FLAG


def test_r28_a_visit_on_the_last_day_of_the_first_year_keeps_42_days_and_on_the_anniversary_not():
    placed = D(2024, 3, 1)
    last_day_of_first_year = D(2025, 2, 28)

    in_first_year = child(episode(placed, place="U4"), visits=[last_day_of_first_year])
    on_anniversary = child(episode(placed, place="U4"), visits=[D(2025, 3, 1)])

    assert clock(in_first_year, D(2025, 3, 10), R28_VISIT).due == last_day_of_first_year + 42 * DAY
    assert clock(on_anniversary, D(2025, 3, 10), R28_VISIT).due == D(2025, 6, 1)


def test_r28_a_visit_before_the_placement_started_does_not_count():
    record = child(
        episode(D(2025, 1, 1), place="U6", end=D(2026, 1, 1), rec="X1"),
        episode(D(2026, 1, 1), rne="P", place="U6"),
        visits=[D(2025, 12, 31)],
    )

    found = clock(record, D(2026, 1, 10), R28_VISIT)
    assert (found.due, found.state) == (D(2026, 1, 8), FLAG)


def test_r28_a_visit_on_the_placements_first_day_counts():
    record = child(episode(D(2025, 1, 1), place="U6", end=D(2026, 1, 1), rec="X1"), episode(D(2026, 1, 1), "P"))

    assert clock(settled_visit(record, D(2026, 1, 1)), D(2026, 1, 10), R28_VISIT).due == D(2026, 2, 12)


def settled_visit(record, day):
    return ChildRecord(case_id=record.case_id, episodes=record.episodes, visits=(Visit(day),))


def test_r28_a_visit_after_d_does_not_count():
    record = settled(visits=[D(2026, 1, 10)])

    assert clock(record, D(2026, 1, 9), R28_VISIT).due == START + 7 * DAY


def test_r28_a_visit_where_the_child_was_not_seen_does_not_count_and_not_recorded_does():
    not_seen = settled(visits=[Visit(D(2025, 12, 5), seen=False)])
    not_recorded = settled(visits=[Visit(D(2025, 12, 5), seen=None)])

    assert clock(not_seen, D(2025, 12, 20), R28_VISIT).due == D(2025, 12, 8)
    assert clock(not_recorded, D(2025, 12, 20), R28_VISIT).due == D(2026, 1, 16)


def test_r28_placed_with_parents_is_weekly_until_the_first_review():
    record = settled(episode(START, place="P1"), visits=[D(2025, 12, 5)])

    assert state(record, D(2025, 12, 12), R28_VISIT) == DUE_SOON
    found = clock(record, D(2025, 12, 13), R28_VISIT)
    assert (found.due, found.state) == (D(2025, 12, 12), FLAG)


def test_r28_placed_with_parents_a_review_within_the_week_makes_it_42_days_and_one_day_later_not():
    within = settled(episode(START, place="P1"), visits=[D(2025, 12, 5)], reviews=[D(2025, 12, 12)])
    after = settled(episode(START, place="P1"), visits=[D(2025, 12, 5)], reviews=[D(2025, 12, 13)])

    assert clock(within, D(2025, 12, 20), R28_VISIT).due == D(2026, 1, 16)
    assert clock(after, D(2025, 12, 20), R28_VISIT).due == D(2025, 12, 12)


def test_r28_placed_with_parents_a_review_before_the_placement_started_does_not_end_the_weekly_visits():
    record = child(
        episode(D(2025, 6, 1), place="U6", end=START, rec="X1"),
        episode(START, rne="P", place="P1"),
        reviews=[D(2025, 6, 20)],
        visits=[D(2025, 12, 5)],
    )

    assert clock(record, D(2025, 12, 20), R28_VISIT).due == D(2025, 12, 12)


def test_r28_placed_with_parents_the_first_visit_is_due_in_7_days_too():
    record = settled(episode(START, place="P1"))

    assert clock(record, D(2025, 12, 20), R28_VISIT).due == START + 7 * DAY


# ----------------------------------------------------------------------------- R4-care-plan


def test_r4_is_due_on_the_10th_working_day_after_the_start():
    record = settled(plans=[])

    # Mon 1 Dec 2025: the 10th working day after it is Mon 15 Dec.
    assert state(record, D(2025, 12, 15), R4_CARE_PLAN) == ON_TRACK
    found = clock(record, D(2025, 12, 16), R4_CARE_PLAN)
    assert (found.due, found.state, found.days_overdue) == (D(2025, 12, 15), FLAG, 1)


def test_r4_a_plan_starting_on_d_counts_and_one_starting_the_day_after_does_not():
    as_of = D(2026, 1, 5)

    assert state(settled(plans=[CarePlan(as_of)]), as_of, R4_CARE_PLAN) == ON_TRACK
    assert state(settled(plans=[CarePlan(as_of + DAY)]), as_of, R4_CARE_PLAN) == FLAG


def test_r4_a_plan_ending_on_the_periods_start_counts_and_one_ending_the_day_before_does_not():
    as_of = D(2026, 1, 5)

    assert state(settled(plans=[CarePlan(D(2025, 6, 1), START)]), as_of, R4_CARE_PLAN) == ON_TRACK
    assert state(settled(plans=[CarePlan(D(2025, 6, 1), START - DAY)]), as_of, R4_CARE_PLAN) == FLAG


def test_r4_a_plan_that_ended_within_the_period_still_counts():
    assert state(settled(plans=[CarePlan(START, D(2025, 12, 20))]), D(2026, 3, 1), R4_CARE_PLAN) == ON_TRACK


def test_r4_is_not_evaluated_when_the_periods_start_is_not_known():
    assert (
        R4_CARE_PLAN
        not in assess(settled(episode(START, rne="T"), plans=[]), as_of=D(2026, 3, 1), calendar=ENGLAND).clocks
    )


# ----------------------------------------------------------------------------- no-allocated-worker


def test_no_allocated_worker_an_allocation_ending_on_d_is_open_and_the_day_before_not():
    as_of = D(2026, 3, 2)
    ends_on_d = assess(settled(allocations=[Allocation("Sam", START, as_of)]), as_of=as_of, calendar=ENGLAND)
    ended_before = assess(settled(allocations=[Allocation("Sam", START, as_of - DAY)]), as_of=as_of, calendar=ENGLAND)

    assert ends_on_d.allocation.worker == "Sam"
    assert ends_on_d.clocks[NO_ALLOCATED_WORKER].due is None
    assert ended_before.allocation is None
    # Ended Sun 1 Mar 2026: due on the 5th working day after it, Fri 6 Mar.
    assert ended_before.clocks[NO_ALLOCATED_WORKER].due == D(2026, 3, 6)


def test_no_allocated_worker_is_due_the_5th_working_day_after_the_last_allocation_ended():
    # Ended Fri 27 Mar 2026: Mon 30, Tue 31, Wed 1 and Thu 2 Apr, then Good Friday and Easter Monday
    # are skipped: the 5th working day after it is Tue 7 Apr.
    record = settled(allocations=[Allocation("Sam", START, D(2026, 3, 27))])

    assert clock(record, D(2026, 4, 7), NO_ALLOCATED_WORKER).due == D(2026, 4, 7)
    assert state(record, D(2026, 4, 7), NO_ALLOCATED_WORKER) == ON_TRACK
    found = clock(record, D(2026, 4, 8), NO_ALLOCATED_WORKER)
    assert (found.state, found.days_overdue) == (FLAG, 1)


def test_no_allocated_worker_with_none_ever_is_due_the_5th_working_day_after_the_periods_start():
    record = settled(allocations=[])

    # Mon 1 Dec 2025: the 5th working day after it is Mon 8 Dec.
    assert state(record, D(2025, 12, 8), NO_ALLOCATED_WORKER) == ON_TRACK
    found = clock(record, D(2025, 12, 9), NO_ALLOCATED_WORKER)
    assert (found.due, found.state) == (D(2025, 12, 8), FLAG)


def test_no_allocated_worker_an_allocation_ended_before_the_period_runs_from_the_periods_start():
    record = settled(allocations=[Allocation("Sam", D(2025, 1, 1), D(2025, 6, 1))])

    assert clock(record, D(2025, 12, 9), NO_ALLOCATED_WORKER).due == D(2025, 12, 8)


def test_no_allocated_worker_uses_the_latest_ended_allocation():
    record = settled(allocations=[Allocation("A", START, D(2026, 1, 5)), Allocation("B", START, D(2026, 2, 2))])

    # Mon 2 Feb 2026: the 5th working day after it is Mon 9 Feb.
    assert clock(record, D(2026, 3, 1), NO_ALLOCATED_WORKER).due == D(2026, 2, 9)


def test_no_allocated_worker_an_allocation_starting_after_d_is_not_open():
    record = settled(allocations=[Allocation("Sam", D(2026, 1, 6))])

    assert state(record, D(2026, 1, 5), NO_ALLOCATED_WORKER) == FLAG
    assert state(record, D(2026, 1, 6), NO_ALLOCATED_WORKER) == ON_TRACK


# ----------------------------------------------------------------------------- missing-now


def test_missing_now_from_the_day_it_starts_and_not_the_day_before():
    record = settled(missing=[MissingEpisode("M", D(2026, 3, 1))])

    assert state(record, D(2026, 2, 28), MISSING_NOW) is None
    found = clock(record, D(2026, 3, 1), MISSING_NOW)
    assert (found.state, found.due, found.days_overdue) == (FLAG, D(2026, 3, 1), 0)


def test_missing_now_gives_the_days_missing():
    found = clock(settled(missing=[MissingEpisode("M", D(2026, 3, 1))]), D(2026, 3, 31), MISSING_NOW)

    assert (found.due, found.days_overdue) == (D(2026, 3, 1), 30)


def test_missing_now_ending_on_d_is_not_a_flag_and_ending_the_day_after_is():
    as_of = D(2026, 3, 10)

    assert state(settled(missing=[MissingEpisode("M", D(2026, 3, 1), as_of)]), as_of, MISSING_NOW) is None
    assert state(settled(missing=[MissingEpisode("M", D(2026, 3, 1), as_of + DAY)]), as_of, MISSING_NOW) == FLAG


def test_away_without_authorisation_is_not_missing_now():
    assert state(settled(missing=[MissingEpisode("A", D(2026, 3, 1))]), D(2026, 3, 10), MISSING_NOW) is None


def test_missing_now_with_two_open_episodes_gives_the_earliest():
    record = settled(missing=[MissingEpisode("M", D(2026, 3, 5)), MissingEpisode("M", D(2026, 3, 1))])

    assert clock(record, D(2026, 3, 10), MISSING_NOW).due == D(2026, 3, 1)


# ----------------------------------------------------------------------------- staying-put


DOB = D(2008, 9, 15)  # 17 years 6 months on 15 Mar 2026; 18 on 15 Sep 2026


def fostered(place="U4", dob=DOB):
    return settled(episode(D(2024, 1, 1), place=place), dob=dob)


def test_staying_put_from_17_years_6_months_and_not_the_day_before():
    assert state(fostered(), D(2026, 3, 14), STAYING_PUT) is None
    found = clock(fostered(), D(2026, 3, 15), STAYING_PUT)
    assert (found.state, found.due, found.days_overdue) == (FLAG, D(2026, 9, 15), None)


def test_staying_put_until_the_day_before_18_and_not_on_the_18th_birthday():
    assert state(fostered(), D(2026, 9, 14), STAYING_PUT) == FLAG
    assert state(fostered(), D(2026, 9, 15), STAYING_PUT) is None


@pytest.mark.parametrize("place", ["U1", "U2", "U3", "U4", "U5", "U6"])
def test_staying_put_in_every_foster_placement(place):
    assert state(fostered(place), D(2026, 4, 1), STAYING_PUT) == FLAG


@pytest.mark.parametrize("place", ["R1", "K2", "P1", "H5"])
def test_staying_put_not_outside_foster_care(place):
    assert state(fostered(place), D(2026, 4, 1), STAYING_PUT) is None


def test_staying_put_with_a_birthday_on_the_31st_uses_the_months_last_day():
    # Born 31 Aug 2008: 17 years 6 months is 28 Feb 2026 (no 31 Feb).
    assert state(fostered(dob=D(2008, 8, 31)), D(2026, 2, 27), STAYING_PUT) is None
    assert state(fostered(dob=D(2008, 8, 31)), D(2026, 2, 28), STAYING_PUT) == FLAG


def test_staying_put_without_a_date_of_birth_is_not_judged():
    assert state(fostered(dob=None), D(2026, 4, 1), STAYING_PUT) is None


# ----------------------------------------------------------------------------- the rules evaluated


def test_rules_not_evaluated_give_no_clock():
    record = settled(plans=[], allocations=[])

    assert flag_rules(record, D(2026, 3, 31), rules=[R33_FIRST]) == [R33_FIRST]
    assert flag_rules(record, D(2026, 3, 31)) == [R28_VISIT, R33_FIRST, R4_CARE_PLAN, NO_ALLOCATED_WORKER]


def test_a_child_not_looked_after_gets_no_flags_at_all():
    record = child(episode(D(2025, 1, 1), end=D(2025, 6, 1), rec="E11"), missing=[MissingEpisode("M", D(2026, 3, 1))])

    assert flag_rules(record, D(2026, 3, 31)) == []


def test_the_flag_carries_a_sentence_without_names():
    record = settled(visits=[D(2026, 7, 20)], reviews=[D(2026, 2, 1)])

    (flag,) = assess(record, as_of=D(2026, 8, 5), calendar=ENGLAND).flags

    assert flag.detail == "The first review was on 1 February 2026; the second was due by 1 May 2026."


# ----------------------------------------------------------------------------- review timeliness


def test_review_timeliness_judges_each_review_by_the_r33_rules():
    record = settled(
        reviews=[
            D(2025, 12, 31),  # first: due 31 Dec (20th working day): on time
            D(2026, 4, 1),  # second: due 31 Mar: late
            D(2026, 10, 1),  # later: due 1 Oct: on time
        ]
    )

    judged = review_timeliness(record, start=D(2025, 4, 1), end=D(2027, 3, 31), calendar=ENGLAND)

    assert [(j.date, j.due, j.on_time) for j in judged] == [
        (D(2025, 12, 31), D(2025, 12, 31), True),
        (D(2026, 4, 1), D(2026, 3, 31), False),
        (D(2026, 10, 1), D(2026, 10, 1), True),
    ]


def test_review_timeliness_leaves_the_first_known_review_of_an_unknown_start_unjudged():
    record = settled(episode(START, rne="P"), reviews=[D(2026, 1, 10), D(2026, 7, 11)])

    judged = review_timeliness(record, start=D(2025, 4, 1), end=D(2027, 3, 31), calendar=ENGLAND)

    assert [(j.due, j.on_time) for j in judged] == [(None, None), (D(2026, 7, 10), False)]


def test_review_timeliness_counts_only_reviews_in_the_period_asked_and_leaves_short_breaks_out():
    record = child(
        episode(D(2025, 1, 1), ls="V3", end=D(2025, 2, 1), rec="E8"),
        episode(START),
        reviews=[D(2025, 1, 20), D(2025, 12, 20), D(2026, 2, 1)],
    )

    judged = review_timeliness(record, start=D(2025, 1, 1), end=D(2026, 1, 31), calendar=ENGLAND)

    assert [j.date for j in judged] == [D(2025, 12, 20)]
