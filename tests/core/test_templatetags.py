"""GOV.UK dates in templates (core.templatetags.govuk)."""

import datetime as dt

from core.templatetags.govuk import due_day, govuk_date, govuk_datetime
from tests.factories import london
from workdays.clock import end_of_day


def test_a_due_time_reads_as_the_day_it_ends():
    assert due_day(end_of_day(dt.date(2026, 3, 28))) == "28 March 2026"  # the night the clocks go forward


def test_dates_and_times_are_written_the_govuk_way():
    assert (govuk_date(dt.date(2026, 1, 5)), govuk_datetime(london(2026, 7, 1, 14, 5))) == (
        "5 January 2026",
        "1 July 2026 at 2:05pm",
    )
