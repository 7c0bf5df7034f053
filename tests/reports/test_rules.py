from reports.rules import first_response_within
from tests.factories import london
from workdays.clock import local_date


def test_first_response_within_24_hours_is_elapsed_time():
    assert _within(london(2016, 3, 24, 10, 0), london(2016, 3, 25, 10, 0))
    assert not _within(london(2016, 3, 24, 10, 0), london(2016, 3, 25, 10, 1))


def test_first_response_across_the_clock_change_is_real_elapsed_time():
    # 26 Mar 2016 12:00 GMT to 27 Mar 12:00 BST is only 23 hours.
    assert _within(london(2016, 3, 26, 12, 0), london(2016, 3, 27, 12, 30))


def test_on_dates_alone_the_next_calendar_day_counts():
    assert _within(london(2016, 3, 24, 0, 0), london(2016, 3, 25, 0, 0), dates_alone=True)
    assert not _within(london(2016, 3, 24, 0, 0), london(2016, 3, 26, 0, 0), dates_alone=True)


def test_no_first_response_is_not_within():
    assert not _within(london(2016, 3, 24, 10, 0), None)


def _within(raised, replied, dates_alone=False):
    return first_response_within(
        raised_at=raised, first_response_at=replied, dates_alone=dates_alone, hours=24, local_date=local_date
    )
