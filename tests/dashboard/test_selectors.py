"""The dashboard's numbers (dashboard.selectors)."""

import datetime as dt

import pytest
from django.utils import timezone

from dashboard.selectors import dashboard_build, dashboard_monthly_report, reporting_year, trend_period
from escalations import services
from tests.factories import ServiceManagerFactory, outcome, raise_escalation, theme

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2025, 6, 15, 12, 0))


def _london(year, month, day, hour=12, minute=0):
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def _board():
    return dashboard_build(user=ServiceManagerFactory(), now=NOW)


# --- periods ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today, label",
    [
        (dt.date(2025, 6, 15), "2025-26"),
        (dt.date(2026, 3, 31), "2025-26"),
        (dt.date(2026, 4, 1), "2026-27"),
    ],
)
def test_the_reporting_year_runs_from_april_to_march(today, label):
    assert reporting_year(today=today).label == label


def test_the_trend_covers_12_calendar_months_to_today():
    period = trend_period(today=dt.date(2025, 6, 15))
    assert (period.start, period.end, len(period.months())) == (dt.date(2024, 7, 1), dt.date(2025, 6, 15), 12)


# --- open escalations ------------------------------------------------------------------------------


def test_open_escalations_are_counted_at_their_current_stage():
    raise_escalation(stage_code="team_manager", raised_at=_london(2025, 6, 1))
    raise_escalation(stage_code="team_manager", raised_at=_london(2025, 6, 2))
    raise_escalation(stage_code="head_of_service", raised_at=_london(2025, 6, 3))
    counts = {row.stage.code: row.escalations for row in _board().open_by_stage}
    assert (counts["team_manager"], counts["head_of_service"], counts["director"]) == (2, 1, 0)


def test_closed_escalations_are_not_open():
    closed = raise_escalation(raised_at=_london(2025, 6, 1))
    services.escalation_resolve(
        escalation=closed, by=closed.iro, outcome=outcome("resolved"), reason="The plan was agreed."
    )
    raise_escalation(raised_at=_london(2025, 6, 2))
    assert _board().open_total == 1


def test_overdue_counts_open_escalations_past_due_at_that_moment():
    raise_escalation(raised_at=_london(2025, 5, 1))  # due in May
    raise_escalation(raised_at=_london(2025, 6, 14))  # due after 15 June
    assert _board().overdue == 1


# --- this reporting year by theme ------------------------------------------------------------------


@pytest.fixture
def year_of_escalations():
    raise_escalation(raised_at=_london(2025, 5, 1), themes=[theme("drift"), theme("safety")])
    raise_escalation(raised_at=_london(2025, 6, 1), themes=[theme("drift")])
    raise_escalation(raised_at=_london(2025, 6, 2))
    raise_escalation(raised_at=_london(2025, 3, 31, 23, 30), themes=[theme("drift")])  # the year before


def test_the_year_counts_escalations_raised_since_1_april(year_of_escalations):
    assert _board().year_total == 3


def test_each_theme_counts_its_escalations_in_the_year_with_a_percentage(year_of_escalations):
    rows = {row.label: (row.escalations, row.percent) for row in _board().themes}
    assert rows["Drift in care planning"] == (2, 66.7)
    assert rows["Concerns about the young person's safety"] == (1, 33.3)


def test_the_biggest_theme_comes_first(year_of_escalations):
    assert _board().themes[0].label == "Drift in care planning"


def test_escalations_without_a_theme_have_their_own_last_row(year_of_escalations):
    last = _board().themes[-1]
    assert (last.theme, last.label, last.escalations, last.percent) == (None, "No theme recorded", 1, 33.3)


# --- the monthly trend -----------------------------------------------------------------------------


def test_each_month_counts_the_escalations_raised_in_it_in_london_time():
    raise_escalation(raised_at=_london(2025, 5, 31, 23, 30))  # 22:30 UTC: still May in London
    raise_escalation(raised_at=_london(2025, 6, 1, 0, 30))  # 23:30 UTC on 31 May: June in London
    raise_escalation(raised_at=_london(2025, 6, 10))
    raise_escalation(raised_at=_london(2024, 6, 10))  # 12 months ago is outside the trend
    months = {month.label: month.escalations for month in _board().months}
    assert (len(months), months["May 2025"], months["June 2025"], months["July 2024"]) == (12, 1, 2, 0)


def test_the_trend_starts_at_midnight_in_london_on_the_first_month_s_first_day():
    raise_escalation(raised_at=_london(2024, 6, 30, 23, 30))  # 22:30 UTC: June in London, before the trend
    raise_escalation(raised_at=_london(2024, 7, 1, 0, 30))  # 23:30 UTC on 30 June: July in London
    months = _board().months
    assert (months[0].label, months[0].escalations, sum(month.escalations for month in months)) == ("July 2024", 1, 1)


def test_the_trend_is_given_to_the_chart_in_the_committee_report_s_shape():
    raise_escalation(raised_at=_london(2025, 6, 10))
    report = dashboard_monthly_report(_board())
    assert report["period"]["label"] == "July 2024 to June 2025"
    assert report["monthly"][-1] == {"month": "2025-06", "label": "June 2025", "escalations": 1}


# --- queries ---------------------------------------------------------------------------------------


def test_the_dashboard_is_built_in_a_fixed_number_of_queries(django_assert_num_queries):
    user = ServiceManagerFactory()
    raise_escalation(raised_at=_london(2025, 6, 1), themes=[theme("drift")])
    with django_assert_num_queries(8):
        dashboard_build(user=user, now=NOW)
