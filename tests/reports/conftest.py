"""The committee report tests' shared reports: one small year (2015-16) and the year before, built
through the services inside a transaction that is rolled back, computed once per module."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from escalations import services
from reports import services as report_services
from reports.models import ReportSettings
from reports.outputs import report_document
from reports.periods import Period
from reports.selectors import report_build
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    london,
    outcome,
    raise_escalation,
    reseed_vocabularies,
    subtheme,
    theme,
)
from tests.reports.seed_year import build_seed_year
from themes.models import DriftReason

PERIOD = Period.financial_year("2015-16")

# (raised, themes, sub-themes, drift reasons) for 2015-16: 8 escalations, 5 about care plans.
THIS_YEAR = [
    ((2015, 5, 12), ["care_plan_not_on_system"], [], []),
    ((2015, 5, 13), ["care_plan_not_on_system"], [], []),
    ((2015, 5, 14), ["care_plan_not_on_system"], [], []),
    ((2015, 6, 9), ["care_plan_not_on_system"], [], []),
    ((2015, 6, 10), ["care_plan_not_on_system"], [], []),
    ((2015, 9, 15), ["drift", "safety"], [("safety", "missing")], ["housing"]),
    ((2015, 9, 16), ["drift"], [], ["police_investigation"]),
    ((2016, 1, 12), [], [], []),
]
LAST_YEAR = [
    ((2014, 6, 10), ["care_plan_not_on_system"], [], []),
    ((2014, 6, 11), ["care_plan_not_on_system"], [], []),
    ((2014, 7, 8), ["family_contact"], [], []),
    ((2014, 7, 9), ["family_contact"], [], []),
]


def build_escalations():
    """Both years, through the services: raised, answered within 3 hours, resolved the next day."""
    reseed_vocabularies()
    iro = IroFactory()
    manager = ManagerFactory()
    escalations = []
    for day, themes, subthemes, reasons in THIS_YEAR + LAST_YEAR:
        raised_at = london(*day, 10, 0)
        esc = raise_escalation(
            iro=iro,
            children=[ChildFactory(iro=iro)],
            addressee=manager,
            raised_at=raised_at,
            themes=[theme(code) for code in themes],
            subthemes=[subtheme(*codes) for codes in subthemes],
            drift_reasons=[DriftReason.objects.get(code=code) for code in reasons],
        )
        esc = services.escalation_respond(
            escalation=esc, by=manager, response="Agreed.", at=raised_at + dt.timedelta(hours=3)
        )
        esc = services.escalation_resolve(
            escalation=esc,
            by=iro,
            outcome=outcome("resolved"),
            at=raised_at + dt.timedelta(days=1),
            reason="The plan was agreed.",
        )
        escalations.append(esc)
    report_services.story_include(escalation=escalations[0], by=ServiceManagerFactory())
    return escalations


def build_reports() -> dict:
    """The 2015-16 report with every number shown (small-number suppression off), then as an Open
    report is published by default, with suppression on."""
    with transaction.atomic():
        build_escalations()
        ReportSettings.objects.update_or_create(
            id=ReportSettings.SINGLETON_ID, defaults={"classification": "open", "suppress_small_numbers": False}
        )
        plain = report_build(period=PERIOD)
        ReportSettings.objects.update_or_create(
            id=ReportSettings.SINGLETON_ID,
            defaults={"classification": "open", "suppress_small_numbers": True, "small_number_threshold": 5},
        )
        suppressed = report_build(period=PERIOD)
        transaction.set_rollback(True)
    return {"plain": plain, "suppressed": suppressed}


@pytest.fixture(scope="module")
def reports(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return build_reports()


@pytest.fixture(scope="module")
def report(reports):
    return reports["plain"]


@pytest.fixture(scope="module")
def suppressed(reports):
    return reports["suppressed"]


@pytest.fixture
def every_number_shown(db):
    """Small-number suppression off, for tests of something else that count one or two escalations
    (Open reports hide counts from 1 to 4 by default)."""
    ReportSettings.objects.update_or_create(
        id=ReportSettings.SINGLETON_ID, defaults={"classification": "open", "suppress_small_numbers": False}
    )


@pytest.fixture(scope="module")
def seed_year_reports(django_db_setup, django_db_blocker):
    """The seed's year (tests/reports/seed_year.py) built once for the module (it takes a few
    seconds), then rolled back: its report and paper with every number shown (Closed), and as an
    Open report is published by default (small numbers hidden).

    Module fixtures can run after a transactional test has emptied the tables, so the seeded
    vocabularies are put back first (inside the same rolled-back transaction)."""
    period = Period.financial_year("2015-16")
    with django_db_blocker.unblock(), transaction.atomic():
        reseed_vocabularies()
        build_seed_year()
        ReportSettings.objects.update_or_create(id=ReportSettings.SINGLETON_ID, defaults={"classification": "closed"})
        closed = report_document(period=period)
        ReportSettings.objects.update_or_create(
            id=ReportSettings.SINGLETON_ID, defaults={"classification": "open", "suppress_small_numbers": True}
        )
        open_ = report_document(period=period)
        transaction.set_rollback(True)
    return {"closed": closed, "open": open_}
