"""The working-day clock, on England's real bank-holiday calendar (the ``holidays`` package)."""

import datetime as dt
import random

import pytest

from tests.factories import london
from workdays.clock import WorkingCalendar, end_of_day, is_bank_holiday, local_moment

D = dt.date
ENGLAND = WorkingCalendar()


def test_christmas_2015_bank_holidays_are_not_working_days():
    # Christmas Day was a Friday; Boxing Day a Saturday, so its holiday moved to Monday 28th.
    assert not ENGLAND.is_working_day(D(2015, 12, 25))
    assert not ENGLAND.is_working_day(D(2015, 12, 28))
    assert not ENGLAND.is_working_day(D(2016, 1, 1))
    assert ENGLAND.is_working_day(D(2015, 12, 29))


def test_step_sent_on_christmas_eve_2015_skips_the_holidays():
    # Day 0 Thu 24 Dec; 1 = Tue 29, 2 = Wed 30, 3 = Thu 31.
    assert ENGLAND.add_working_days(D(2015, 12, 24), 3) == D(2015, 12, 31)


def test_step_sent_on_christmas_eve_2015_with_four_days_skips_new_year():
    assert ENGLAND.add_working_days(D(2015, 12, 24), 4) == D(2016, 1, 4)


def test_easter_2016_skips_good_friday_and_easter_monday():
    # Day 0 Thu 24 Mar 2016; Fri 25 and Mon 28 are bank holidays: 1 = Tue 29, 2 = Wed 30.
    assert ENGLAND.add_working_days(D(2016, 3, 24), 2) == D(2016, 3, 30)


def test_state_funeral_2022_is_a_bank_holiday():
    assert is_bank_holiday(D(2022, 9, 19))
    # Day 0 Fri 16 Sep 2022; Mon 19 is the state funeral: 1 = Tue 20, 2 = Wed 21, 3 = Thu 22.
    assert ENGLAND.add_working_days(D(2022, 9, 16), 3) == D(2022, 9, 22)


def test_step_sent_on_a_saturday_counts_from_monday():
    # Sat 5 Mar 2016: day 0 is Mon 7, so 3 working days later is Thu 10.
    assert ENGLAND.add_working_days(D(2016, 3, 5), 3) == D(2016, 3, 10)


def test_step_sent_on_a_bank_holiday_counts_from_the_next_working_day():
    # Sent on Easter Monday 2016: day 0 is Tue 29 Mar.
    assert ENGLAND.add_working_days(D(2016, 3, 28), 0) == D(2016, 3, 29)
    assert ENGLAND.add_working_days(D(2016, 3, 28), 2) == D(2016, 3, 31)


def test_local_closure_day_is_not_a_working_day():
    calendar = WorkingCalendar([D(2015, 12, 29)])
    assert not calendar.is_working_day(D(2015, 12, 29))
    # Without Tue 29 Dec: 1 = Wed 30, 2 = Thu 31, 3 = Mon 4 Jan.
    assert calendar.add_working_days(D(2015, 12, 24), 3) == D(2016, 1, 4)


def test_due_time_is_local_midnight_at_the_end_of_the_due_day_in_summer_time():
    # 30 Mar 2016 is in British Summer Time: the day ends at 23:00 UTC.
    assert end_of_day(D(2016, 3, 30)) == dt.datetime(2016, 3, 30, 23, 0, tzinfo=dt.UTC)


def test_due_time_is_local_midnight_at_the_end_of_the_due_day_in_winter():
    assert end_of_day(D(2015, 12, 31)) == dt.datetime(2016, 1, 1, 0, 0, tzinfo=dt.UTC)


def test_due_on_uses_the_local_date_of_a_late_evening_send():
    # 23:30 on Fri 24 Jun 2016 in London is 22:30 UTC; the local day is Friday.
    sent = london(2016, 6, 24, 23, 30)
    assert ENGLAND.due_on(sent, 1) == D(2016, 6, 27)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (london(2016, 3, 24, 9, 0), london(2016, 3, 24, 17, 0), 0),  # same day
        (london(2016, 3, 24, 9, 0), london(2016, 3, 29, 9, 0), 1),  # across Easter
        (london(2016, 3, 24, 9, 0), london(2016, 3, 30, 9, 0), 2),
        (london(2016, 3, 5, 9, 0), london(2016, 3, 7, 9, 0), 0),  # Saturday send, Monday reply
    ],
)
def test_working_days_between(start, end, expected):
    assert ENGLAND.working_days_between(start, end) == expected


def test_negative_target_is_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        ENGLAND.add_working_days(D(2016, 3, 24), -1)


def _counted_day_by_day(calendar, start, end):
    """The definition, slowly: working days after day 0, up to and including the end's date."""
    day, last, count = calendar.day_zero(start.date()), end.date(), 0
    while True:
        day = calendar.next_working_day(day)
        if day > last:
            return count
        count += 1


def test_working_days_between_agrees_with_counting_day_by_day():
    rng = random.Random(903)
    calendar = WorkingCalendar([D(2016, 3, 29), D(2022, 12, 23)])
    for _ in range(2000):
        start = london(2014, 1, 1, 9, 0) + dt.timedelta(days=rng.randrange(3500), hours=rng.randrange(24))
        end = start + dt.timedelta(days=rng.randrange(60), hours=rng.randrange(24))
        assert calendar.working_days_between(start, end) == _counted_day_by_day(calendar, start, end), (start, end)


def test_working_days_from_local_dates_agrees_with_counting_day_by_day_across_years():
    rng = random.Random(15)
    calendar = WorkingCalendar([D(2016, 3, 29), D(2022, 12, 23), D(2023, 1, 3)])
    for _ in range(500):
        start = london(2014, 1, 1, 9, 0) + dt.timedelta(days=rng.randrange(3500))
        end = start + dt.timedelta(days=rng.randrange(-5, 800))
        assert calendar.working_days_from(start.date(), end.date()) == _counted_day_by_day(calendar, start, end)


def test_the_working_day_before_easter_tuesday_2016_is_the_thursday_before_good_friday():
    assert WorkingCalendar().previous_working_day(dt.date(2016, 3, 29)) == dt.date(2016, 3, 24)


def test_the_working_day_before_a_closure_day_monday_is_the_friday():
    calendar = WorkingCalendar(closure_days=[dt.date(2026, 6, 8)])
    assert calendar.previous_working_day(dt.date(2026, 6, 9)) == dt.date(2026, 6, 5)


def test_a_local_moment_is_london_time_in_summer_and_winter():
    assert local_moment(dt.date(2026, 7, 1), dt.time(9, 0)).utcoffset() == dt.timedelta(hours=1)
    assert local_moment(dt.date(2026, 12, 1), dt.time(9, 0)).utcoffset() == dt.timedelta(0)


# --- the drift watch's "Nth working day after X" (drift-watch.md): X never counts ---------------


def test_nth_working_day_after_a_monday_counts_from_the_tuesday():
    # Mon 2 Mar 2026: the 1st working day after it is Tue 3, the 5th is Mon 9.
    assert ENGLAND.nth_working_day_after(D(2026, 3, 2), 1) == D(2026, 3, 3)
    assert ENGLAND.nth_working_day_after(D(2026, 3, 2), 5) == D(2026, 3, 9)


def test_nth_working_day_after_a_saturday_makes_the_monday_the_first():
    # Sat 7 Mar 2026: Mon 9 is the 1st (the steps' clock would make it day 0, and the 1st Tue 10).
    assert ENGLAND.nth_working_day_after(D(2026, 3, 7), 1) == D(2026, 3, 9)
    assert ENGLAND.add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 10)


def test_nth_working_day_after_a_bank_holiday_does_not_count_the_holiday():
    # Good Friday 3 Apr 2026 and Easter Monday 6 Apr: the 1st working day after Good Friday is Tue 7.
    assert ENGLAND.nth_working_day_after(D(2026, 4, 3), 1) == D(2026, 4, 7)


def test_the_twentieth_working_day_after_1_december_2025_skips_christmas():
    # drift-watch.md worked example 1: Christmas Day and Boxing Day skipped.
    assert ENGLAND.nth_working_day_after(D(2025, 12, 1), 20) == D(2025, 12, 31)


def test_the_tenth_working_day_after_31_march_2026_skips_easter():
    # drift-watch.md worked example 2: Good Friday 3 April and Easter Monday 6 April skipped.
    assert ENGLAND.nth_working_day_after(D(2026, 3, 31), 10) == D(2026, 4, 16)


def test_nth_working_day_after_skips_local_closure_days():
    calendar = WorkingCalendar([D(2026, 3, 3)])
    assert calendar.nth_working_day_after(D(2026, 3, 2), 1) == D(2026, 3, 4)


def test_zeroth_working_day_after_is_the_day_itself_and_negative_is_refused():
    assert ENGLAND.nth_working_day_after(D(2026, 3, 7), 0) == D(2026, 3, 7)
    with pytest.raises(ValueError):
        ENGLAND.nth_working_day_after(D(2026, 3, 7), -1)
