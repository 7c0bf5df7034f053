import pytest

from reports.rules import first_response_within, median, percent, percentile_nearest_rank
from tests.factories import london
from workdays.clock import local_date


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [(18, 184, 9.8), (15, 184, 8.2), (99, 184, 53.8), (1, 8, 12.5), (1, 16, 6.3), (3, 8, 37.5), (1, 3, 33.3)],
)
def test_percent_is_half_up_to_one_decimal(count, total, expected):
    assert percent(count, total) == expected


def test_percent_half_up_rounds_a_half_away_from_zero():
    # 1/16 = 6.25%: banker's rounding would give 6.2.
    assert percent(1, 16) == 6.3


def test_percent_of_nothing_is_none():
    assert percent(0, 0) is None


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert median([1, 4, 2, 3]) == 2.5


def test_p90_is_nearest_rank():
    assert percentile_nearest_rank(list(range(1, 11)), 90) == 9
    assert percentile_nearest_rank([5], 90) == 5


def _within(raised, replied, dates_alone=False):
    return first_response_within(
        raised_at=raised, first_response_at=replied, dates_alone=dates_alone, hours=24, local_date=local_date
    )


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
