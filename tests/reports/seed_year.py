"""The seed report's year (2015-16), rebuilt through the services.

``../shared/seed/000_8130af04dcb09b76.txt``: 184 escalations about 178 children, mostly one child
each, with 6 children escalated twice; theme counts 99, 18, 15, 9, 9, 8, 7, 7, 4, 3 and 1 (180
mentions: 6 escalations carry two themes and 10 carry none); the safety sub-themes missing 6,
CSE 5 and criminality 6 (two escalations have two of them); the worker sub-themes sickness 3 and
worker left 5; 9 escalations reached head of service (6) or assistant director (3); the 18 drift
escalations include two large families of 7 and 5 children.
"""

import datetime as dt
import itertools

from django.utils import timezone

from children.models import SiblingGroup
from escalations import services
from tests.factories import ChildFactory, IroFactory, ManagerFactory, outcome, stage, subtheme, theme
from themes.models import DriftReason
from workdays.clock import WorkingCalendar

TWO_THEMES = [
    ("care_plan_not_on_system", "sw_visits"),
    ("care_plan_not_on_system", "sw_visits"),
    ("safety", "placement"),
    ("safety", "placement"),
    ("no_allocated_worker", "sw_visits"),
    ("health", "placement"),
]
ONE_THEME = {
    "care_plan_not_on_system": 97,
    "drift": 18,
    "safety": 13,
    "sw_visits": 6,
    "family_contact": 9,
    "no_allocated_worker": 7,
    "health": 6,
    "placement": 4,
    "review_decisions_outstanding": 4,
    "staying_put": 3,
    "life_story_work": 1,
}
NO_THEME = 10
SAFETY_SUBTHEMES = (
    [("missing", "cse"), ("missing", "criminality_gangs")]
    + [("missing",)] * 4
    + [("cse",)] * 4
    + [("criminality_gangs",)] * 5
)
WORKER_SUBTHEMES = [("sickness",)] * 3 + [("worker_left",)] * 5
DRIFT_REASONS = ["separate_assessments", "housing", "finding_carers", "police_investigation", "difficult_decisions"]
# Highest stage reached, by escalation number (the rest stay with the team manager).
SENIOR = {
    10: "head_of_service",
    30: "head_of_service",
    50: "head_of_service",
    70: "head_of_service",
    90: "head_of_service",
    110: "head_of_service",
    130: "assistant_director",
    150: "assistant_director",
    170: "assistant_director",
}
PRACTICE_GROUP_LEAD = {5, 25, 45, 65, 85, 105, 125, 145}
SOCIAL_WORKER = {15, 35, 55, 75}
ADVANCED_PRACTITIONER = {95}
SLOW_FIRST_RESPONSE = {3, 23, 43, 63, 83, 103, 123, 143, 163, 183}  # after 30 hours


def _theme_plan():
    plan = [list(pair) for pair in TWO_THEMES]
    for code, count in ONE_THEME.items():
        plan += [[code]] * count
    plan += [[]] * NO_THEME
    return plan


def _working_days(start: dt.date, count: int) -> list[dt.date]:
    calendar = WorkingCalendar()
    days = []
    day = start
    while len(days) < count:
        if calendar.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def build_seed_year():
    """Build the seed's 2015-16 through the services. Returns the escalations in the order raised."""
    iro = IroFactory(username="seed-iro")
    managers = {
        code: ManagerFactory(username=f"seed-{code}", stage=stage(code))
        for code in [
            "social_worker",
            "advanced_practitioner",
            "team_manager",
            "practice_group_lead",
            "head_of_service",
            "assistant_director",
        ]
    }
    families = [SiblingGroup.objects.create(name="seed-family-a"), SiblingGroup.objects.create(name="seed-family-b")]
    drift_children = [ChildFactory(iro=iro, sibling_group=families[0]) for _ in range(7)]
    drift_children += [ChildFactory(iro=iro, sibling_group=families[1]) for _ in range(5)]
    drift_children += [ChildFactory(iro=iro) for _ in range(6)]
    other_children = [ChildFactory(iro=iro) for _ in range(178 - 18)]
    twice = other_children[:6]  # the six children escalated twice

    plan = _theme_plan()
    days = _working_days(dt.date(2015, 4, 1), 250)
    safety_subs = iter(SAFETY_SUBTHEMES)
    worker_subs = iter(WORKER_SUBTHEMES)
    drift_kids = iter(drift_children)
    reasons = itertools.cycle(DRIFT_REASONS)
    others = iter(other_children + twice)
    escalations = []
    for number, codes in enumerate(plan, start=1):
        raised_at = timezone.make_aware(dt.datetime.combine(days[number - 1], dt.time(10, 0)))
        subs = []
        if "safety" in codes:
            subs += [subtheme("safety", code) for code in next(safety_subs)]
        if "no_allocated_worker" in codes:
            subs += [subtheme("no_allocated_worker", code) for code in next(worker_subs)]
        child = next(drift_kids) if "drift" in codes else next(others)
        first_stage = (
            "social_worker"
            if number in SOCIAL_WORKER
            else "advanced_practitioner"
            if number in ADVANCED_PRACTITIONER
            else "practice_group_lead"
            if number in PRACTICE_GROUP_LEAD
            else "team_manager"
        )
        esc = services.escalation_raise(
            by=iro,
            children=[child],
            stage=stage(first_stage),
            addressee=managers[first_stage],
            concern="The plan is not progressing.",
            themes=[theme(code) for code in codes],
            subthemes=subs,
            drift_reasons=[DriftReason.objects.get(code=next(reasons))] if "drift" in codes else [],
            raised_at=raised_at,
        )
        replied = raised_at + (dt.timedelta(hours=30) if number in SLOW_FIRST_RESPONSE else dt.timedelta(hours=3))
        esc = services.escalation_respond(escalation=esc, by=managers[first_stage], response="Agreed.", at=replied)
        closed_at = replied + dt.timedelta(hours=2)
        if number in SENIOR:
            senior = SENIOR[number]
            esc = services.escalation_escalate(
                escalation=esc,
                by=iro,
                stage=stage(senior),
                addressee=managers[senior],
                at=closed_at,
                reason="No reply in time.",
            )
            esc = services.escalation_respond(
                escalation=esc, by=managers[senior], response="Agreed.", at=closed_at + dt.timedelta(hours=4)
            )
            closed_at += dt.timedelta(days=1)
        esc = services.escalation_resolve(
            escalation=esc, by=iro, outcome=outcome("resolved"), at=closed_at, reason="The plan was agreed."
        )
        escalations.append(esc)
    return escalations
