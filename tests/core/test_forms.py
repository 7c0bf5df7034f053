import datetime as dt

import pytest
from django import forms

from core.forms import GovukDateField


class DateForm(forms.Form):
    day = GovukDateField(what="the date of the referral")


def _errors(day, month, year):
    form = DateForm({"day_0": day, "day_1": month, "day_2": year})
    return form.errors.get("day"), form.cleaned_data.get("day") if form.is_valid() else None


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("x", "", "2026"), "The date of the referral must include a month"),
        (("", "", "2026"), "The date of the referral must include a day and a month"),
        (("31", "2", "2026"), "The date of the referral must be a real date"),
        (("1", "1", "26"), "The date of the referral must have a year with 4 numbers"),
        (("1", "1", "99999999999999999999"), "The date of the referral must be a real date"),
        (("1", "1", "2101"), "The date of the referral must be between 1900 and 2100"),
        (("", "", ""), "Enter the date of the referral"),
    ],
)
def test_a_bad_date_gets_one_message_naming_the_question(parts, message):
    errors, _ = _errors(*parts)
    assert list(errors) == [message]


def test_a_real_date_is_taken():
    assert _errors("27", "3", "2026") == (None, dt.date(2026, 3, 27))
