import datetime as dt

import pytest

from core.errors import DomainError
from reports.periods import Period


def test_a_financial_year_runs_april_to_march():
    period = Period.financial_year("2015-16")
    assert (period.start, period.end) == (dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    assert period.label == "2015-16"


def test_a_financial_year_may_be_written_in_full():
    assert Period.financial_year("2015-2016") == Period.financial_year("2015-16")


@pytest.mark.parametrize("text", ["2015", "2015-17", "15-16", "2015/16", "next year"])
def test_a_malformed_financial_year_is_refused_with_an_example(text):
    with pytest.raises(DomainError, match="2015-16|like"):
        Period.financial_year(text)


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(DomainError, match="before it starts"):
        Period.between(dt.date(2016, 1, 2), dt.date(2016, 1, 1))


def test_the_previous_financial_year():
    assert Period.financial_year("2015-16").previous() == Period.financial_year("2014-15")


def test_the_previous_period_of_a_range_is_the_same_dates_a_year_earlier():
    period = Period.between(dt.date(2016, 1, 1), dt.date(2016, 3, 31))
    assert period.previous() == Period.between(dt.date(2015, 1, 1), dt.date(2015, 3, 31))


def test_29_february_a_year_earlier_is_28_february():
    period = Period.between(dt.date(2016, 2, 1), dt.date(2016, 2, 29))
    assert period.previous() == Period.between(dt.date(2015, 2, 1), dt.date(2015, 2, 28))


def test_a_period_so_far_ends_today():
    period = Period.financial_year("2026-27")
    assert period.so_far(dt.date(2026, 11, 14)) == Period.between(dt.date(2026, 4, 1), dt.date(2026, 11, 14))
    assert not period.is_complete_on(dt.date(2026, 11, 14))
    assert Period.financial_year("2025-26").so_far(dt.date(2026, 11, 14)) == Period.financial_year("2025-26")


def test_a_period_ends_at_local_midnight_after_its_last_day():
    period = Period.financial_year("2015-16")
    assert period.ends_at == dt.datetime(2016, 3, 31, 23, 0, tzinfo=dt.UTC)  # BST began on 27 March


def test_the_months_of_a_financial_year():
    months = Period.financial_year("2015-16").months()
    assert len(months) == 12
    assert (months[0], months[-1]) == (dt.date(2015, 4, 1), dt.date(2016, 3, 1))
