import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_looked_after_within_the_period():
    child = ChildFactory(looked_after_from=D(2015, 1, 5), looked_after_to=D(2016, 2, 1))
    assert child.was_looked_after_on(D(2015, 1, 5)) is True
    assert child.was_looked_after_on(D(2016, 2, 1)) is True


def test_not_looked_after_before_or_after_the_period():
    child = ChildFactory(looked_after_from=D(2015, 1, 5), looked_after_to=D(2016, 2, 1))
    assert child.was_looked_after_on(D(2015, 1, 4)) is False
    assert child.was_looked_after_on(D(2016, 2, 2)) is False


def test_unknown_when_the_start_date_is_missing():
    assert ChildFactory(looked_after_from=None).was_looked_after_on(D(2016, 1, 1)) is None


def test_the_period_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildFactory(looked_after_from=D(2016, 1, 1), looked_after_to=D(2015, 1, 1))


def test_case_ids_are_unique():
    ChildFactory(case_id="123456")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildFactory(case_id="123456")
