import datetime as dt

import pytest

from workdays.models import ClosureDay
from workdays.selectors import working_calendar

pytestmark = pytest.mark.django_db


def test_working_calendar_includes_the_councils_closure_days():
    ClosureDay.objects.create(date=dt.date(2016, 3, 29), reason="Office move")
    calendar = working_calendar()
    assert not calendar.is_working_day(dt.date(2016, 3, 29))
    assert calendar.add_working_days(dt.date(2016, 3, 24), 1) == dt.date(2016, 3, 30)
