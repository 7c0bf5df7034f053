import pytest

from core.numbers import median, percent, percentile_nearest_rank


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
