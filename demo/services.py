"""Demo data: a believable council to try the app with.

:func:`demo_data_build` makes the teams, the IROs, responding managers at every active stage of the
ladder, the fixed demo logins, about 500 looked-after children in sibling groups, and two financial
years of escalations in the seed report's theme mix (``/work/shared/seed``): most answered within a
day and resolved within a few working days, about 5% escalated on to a head of service or assistant
director, a couple referred to Cafcass, and some still open today (several overdue).

Every escalation is written through :mod:`escalations.services` with back-dated times, so the
denormalised fields, the due times and the audit trail are exactly as in real use.

Deterministic: names come from Faker (en_GB) and every choice from ``random.Random``, all with fixed
seeds, so every machine gets the same council. Only the dates move: they are relative to today.

Idempotent: users, teams, sibling groups and children are looked up by username, name and case ID
before anything is created; when any demo IRO has already raised an escalation, no escalations are
built.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from children.models import Child, SiblingGroup
from children.services import child_bulk_upsert
from core.errors import DomainError
from escalations import services as esc
from escalations.models import Escalation
from ladder.models import Stage
from people.models import Role, Team, User
from people.services import user_grant_configuration
from themes.models import DriftReason, Outcome, SubTheme, Theme
from workdays.clock import WorkingCalendar, local_date
from workdays.selectors import working_calendar

DEMO_PASSWORD = "demo-password"

# The reasons the demo's IROs give for their moves (the pages ask for one).
ESCALATE_REASONS = (
    "No response within the target.",
    "The response did not address the delay in the plan.",
    "The plan needs a decision at a more senior level.",
)
CLOSE_REASONS = (
    "The plan has been updated and the actions agreed.",
    "The review decisions are now being carried out.",
    "The social worker has been allocated and has visited.",
)
WITHDRAW_REASONS = ("Raised in error: the plan had already been updated.", "The child is no longer looked after.")
SEED = 20150401  # the seed report's year began on 1 April 2015

# The logins printed at the end: one of each kind of user.
FIXED_LOGINS = ("iro1", "iro2", "tm1", "pgl1", "hos1", "sm1", "viewer1", "admin1")

# Username prefix for the responding managers at each seeded stage. A stage a council has added
# gets its code (less underscores) as the prefix.
STAGE_PREFIX = {
    "social_worker": "sw",
    "advanced_practitioner": "ap",
    "team_manager": "tm",
    "practice_group_lead": "pgl",
    "head_of_service": "hos",
    "assistant_director": "ad",
    "director": "dir",
}
SOCIAL_WORKERS_PER_TEAM = 3

TEAM_NAMES = (
    "Children Looked After - North",
    "Children Looked After - South",
    "Children Looked After - East",
    "Children Looked After - West",
)

# The seed report's themes (share of escalations, %). They add up to just under 100: a few
# escalations carry no theme at all, and a few carry two.
THEME_MIX = (
    ("care_plan_not_on_system", 54.0),
    ("drift", 10.0),
    ("safety", 8.0),
    ("sw_visits", 5.0),
    ("family_contact", 5.0),
    ("no_allocated_worker", 4.5),
    ("health", 4.0),
    ("placement", 4.0),
    ("review_decisions_outstanding", 2.5),
    ("staying_put", 2.0),
    ("life_story_work", 0.5),
)
NO_THEME_SHARE = 0.02
TWO_THEMES_SHARE = 0.03
SECOND_THEME = {  # the second issue an escalation most often also raises
    "sw_visits": "no_allocated_worker",
    "no_allocated_worker": "sw_visits",
    "safety": "placement",
    "placement": "safety",
    "health": "placement",
    "family_contact": "drift",
    "drift": "family_contact",
}
SUBTHEME_MIX = {  # (sub-theme codes, weight); () means no sub-theme
    "safety": ((("missing",), 6), (("cse",), 5), (("criminality_gangs",), 5), (("missing", "criminality_gangs"), 2)),
    "no_allocated_worker": ((("sickness",), 3), (("worker_left",), 5)),
    "health": (
        (("emotional_health",), 3),
        (("learning_difficulties",), 1),
        (("complex_health",), 2),
        (("paediatric_assessment",), 1),
    ),
    "placement": (
        (("physical_environment",), 1),
        (("carer_cannot_manage_behaviour",), 1),
        (("needs_stable_placement",), 1),
    ),
}
DRIFT_REASON_WEIGHTS = (
    ("separate_assessments", 3),
    ("housing", 2),
    ("finding_carers", 3),
    ("police_investigation", 2),
    ("difficult_decisions", 2),
    ("other", 1),
)

# Where the first step goes. Most go to the team manager or the social worker.
FIRST_STAGE_WEIGHTS = {
    "default": (
        ("social_worker", 28),
        ("advanced_practitioner", 8),
        ("team_manager", 52),
        ("practice_group_lead", 10),
        ("head_of_service", 2),
    ),
    "care_plan_not_on_system": (
        ("social_worker", 40),
        ("advanced_practitioner", 8),
        ("team_manager", 50),
        ("practice_group_lead", 2),
    ),
    "drift": (("advanced_practitioner", 5), ("team_manager", 40), ("practice_group_lead", 40), ("head_of_service", 15)),
    "safety": (("team_manager", 70), ("practice_group_lead", 25), ("head_of_service", 5)),
}
ESCALATE_ON_SHARE = 0.05  # seed: 9 of 184 went on to a head of service or an assistant director
CAFCASS_PER_FULL_YEAR = 1

# Office hours for back-dated times.
OFFICE_OPENS = dt.time(8, 30)
OFFICE_CLOSES = dt.time(18, 0)


# --- what the build returns ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    password: str = DEMO_PASSWORD


@dataclass
class DemoResult:
    users_created: int = 0
    children_created: int = 0
    escalations_created: int = 0
    escalations_skipped: bool = False
    logins: list[DemoLogin] = field(default_factory=list)


# --- services ------------------------------------------------------------------------------------


def demo_users_set_password(*, users: list[User], password: str = DEMO_PASSWORD) -> None:
    """Give unsaved demo users the demo password (the caller saves them).

    Django's password validators are not run: the demo password is published and deliberately
    simple. It is hashed once and the hash shared, because a hash costs about 0.4 s and the demo
    has some 40 users: the password is the same and public, so distinct salts would protect nothing.
    """
    if not users:
        return
    first = users[0]
    first.set_password(password)
    for user in users[1:]:
        user.password = first.password


@transaction.atomic
def demo_data_build(
    *,
    force: bool = False,
    children: int = 500,
    iros: int = 12,
    teams: int = 4,
    escalations_per_year: int = 184,
) -> DemoResult:
    """Build (or complete) the demo council. Refuses when DEBUG is off unless ``force``."""
    if not settings.DEBUG and not force:
        raise DomainError(
            "The demo data is for development and trying the app out, and DEBUG is off, so nothing was "
            "created. Run with DEBUG=1, or add --force if you really want demo data in this database."
        )
    if iros < 2:
        raise DomainError("The demo needs at least 2 IROs (iro1 and iro2 are demo logins).")
    if teams < 1:
        raise DomainError("The demo needs at least 1 team.")
    if children < 40:
        raise DomainError("The demo needs at least 40 children.")
    if escalations_per_year < 0:
        raise DomainError("The number of escalations a year cannot be negative.")

    try:
        from faker import Faker  # noqa: PLC0415 (a development requirement: needed only to build the demo)
    except ImportError as error:  # Faker comes with the development requirements (factory-boy)
        raise DomainError("The demo data needs the Faker package: pip install -r requirements-dev.txt") from error
    fake = Faker("en_GB")
    fake.seed_instance(SEED)

    result = DemoResult()
    council = _Council(now=timezone.now(), calendar=working_calendar())
    _build_people(council, fake, result, iros=iros, teams=teams)
    _build_children(council, fake, result, n_children=children)
    if Escalation.objects.filter(iro__in=council.iros).exists():
        result.escalations_skipped = True
    else:
        _build_escalations(council, result, per_year=escalations_per_year)
    result.logins = _logins()
    return result


# --- the council ---------------------------------------------------------------------------------


@dataclass
class _Council:
    now: dt.datetime
    calendar: WorkingCalendar
    teams: list[Team] = field(default_factory=list)
    iros: list[User] = field(default_factory=list)
    stages: dict[str, Stage] = field(default_factory=dict)
    managers: dict[str, list[User]] = field(default_factory=lambda: defaultdict(list))
    by_team: dict[tuple[str, int], list[User]] = field(default_factory=lambda: defaultdict(list))
    children: list[Child] = field(default_factory=list)

    @property
    def today(self) -> dt.date:
        return local_date(self.now)

    def team_index(self, team_id: int | None) -> int:
        for index, team in enumerate(self.teams):
            if team.pk == team_id:
                return index
        return 0

    def addressee(self, rng: random.Random, stage_code: str, child: Child) -> User:
        """The manager at ``stage_code`` for the child: their own social worker, their team's managers."""
        if stage_code == "social_worker":
            for sw in self.managers["social_worker"]:
                if sw.get_full_name() == child.social_worker:
                    return sw
        team_managers = self.by_team.get((stage_code, self.team_index(child.team_id)))
        return rng.choice(team_managers or self.managers[stage_code])


def _new_user(username: str, **fields) -> User:
    return User(username=username, email=f"{username}@example.org", **fields)


def _build_people(council: _Council, fake, result: DemoResult, *, iros: int, teams: int) -> None:
    for index in range(teams):
        name = TEAM_NAMES[index] if index < len(TEAM_NAMES) else f"Children Looked After - {index + 1}"
        team, _ = Team.objects.get_or_create(name=name)
        council.teams.append(team)

    # (username, fields, team index or None). Names are drawn for every user, new or not, so the
    # Faker sequence (and so every name) is the same on every run.
    wanted: list[tuple[str, dict, int | None]] = []
    for n in range(1, iros + 1):
        wanted.append((f"iro{n}", {"role": Role.IRO}, None))
    stages = list(Stage.objects.filter(active=True).order_by("order"))
    if not stages:
        raise DomainError("The ladder has no active stages: set one up in the admin first.")
    for stage in stages:
        council.stages[stage.code] = stage
        prefix = STAGE_PREFIX.get(stage.code, stage.code.replace("_", ""))
        if stage.code == "social_worker":
            slots = [t for t in range(teams) for _ in range(SOCIAL_WORKERS_PER_TEAM)]
        elif stage.code == "team_manager":
            slots = list(range(teams))
        elif stage.code in ("advanced_practitioner", "practice_group_lead"):
            slots = list(range(math.ceil(teams / 2)))  # each covers two teams
        else:
            slots = [None]
        for n, slot in enumerate(slots, start=1):
            wanted.append((f"{prefix}{n}", {"role": Role.MANAGER, "stage": stage}, slot))
    wanted += [
        ("sm1", {"role": Role.SERVICE_MANAGER}, None),
        ("viewer1", {"role": Role.REPORT_VIEWER}, None),
        ("admin1", {"role": Role.ADMIN, "is_staff": True, "is_superuser": True}, None),
    ]

    usernames = [username for username, _, _ in wanted]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("stage")}
    new_users = []
    users = []
    for username, fields, slot in wanted:
        first_name, last_name = fake.first_name(), fake.last_name()
        user = existing.get(username)
        if user is None:
            stage = fields.get("stage")
            team = None
            if slot is not None and stage is not None and stage.code in ("social_worker", "team_manager"):
                team = council.teams[slot]
            user = _new_user(username, first_name=first_name, last_name=last_name, team=team, **fields)
            new_users.append(user)
        users.append((user, slot))
    demo_users_set_password(users=new_users)
    for user in new_users:
        user.save()
    result.users_created = len(new_users)
    for user in new_users:
        if user.role == Role.SERVICE_MANAGER:
            user_grant_configuration(user=user)

    for user, slot in users:
        if user.role == Role.IRO:
            council.iros.append(user)
        elif user.role == Role.MANAGER and user.stage_id and user.is_active:
            code = user.stage.code
            council.managers[code].append(user)
            if slot is not None:
                if code in ("advanced_practitioner", "practice_group_lead"):
                    for team_index in (2 * slot, 2 * slot + 1):
                        council.by_team[(code, team_index)].append(user)
                else:
                    council.by_team[(code, slot)].append(user)


# --- children ------------------------------------------------------------------------------------

# Ages of looked-after children (weights by age in years, 0-17): more teenagers than infants.
AGE_WEIGHTS = (5, 4, 4, 4, 4, 4, 4, 4, 5, 5, 6, 7, 8, 9, 10, 11, 10, 9)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age_on(dob: dt.date, day: dt.date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _family_sizes(rng: random.Random, n_children: int) -> list[int]:
    """Many singletons, some groups of 2-4, and two large families of 5-7."""
    sizes = [rng.randint(5, 7), rng.randint(5, 7)] if n_children >= 100 else [5]
    while sum(sizes) < n_children:
        sizes.append(rng.choices((1, 2, 3, 4), weights=(80, 12, 6, 2))[0])
    sizes[-1] -= sum(sizes) - n_children
    sizes = [s for s in sizes if s > 0]
    rng.shuffle(sizes)
    return sizes


def _case_ids(n_children: int) -> list[str]:
    """Six-digit case IDs, rising as a case management system issues them (siblings close together).

    They are the children's keys, so they come from their own generator: they must not depend on
    the date the demo is built.
    """
    rng = random.Random(SEED + 3)
    step = max(2, min(1500, (999_999 - 250_000) // max(n_children, 1)))
    number = 200_000 + rng.randrange(50_000)
    ids = []
    for _ in range(n_children):
        number += rng.randint(1, step)
        ids.append(f"{number:06d}")
    return ids


def _build_children(council: _Council, fake, result: DemoResult, *, n_children: int) -> None:
    rng = random.Random(SEED + 1)
    today = council.today
    demo_start = _financial_year_start(today) - dt.timedelta(days=365)
    sizes = _family_sizes(rng, n_children)

    # Caseloads: every family goes to one IRO. iro1 gets a small sibling group first (the demo
    # login must show one), then families go, largest first, to the IRO with the fewest children.
    family_iro: dict[int, int] = {}
    load = [0] * len(council.iros)
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    first_group = next(i for i in order if 2 <= sizes[i] <= 4) if any(2 <= s <= 4 for s in sizes) else order[0]
    family_iro[first_group] = 0
    load[0] += sizes[first_group]
    for family in order:
        if family in family_iro:
            continue
        iro = min(range(len(load)), key=lambda i: (load[i], i))
        family_iro[family] = iro
        load[iro] += sizes[family]

    case_ids = iter(_case_ids(n_children))
    specs = []
    group_number = 0
    for family, size in enumerate(sizes):
        team_index = rng.randrange(len(council.teams))
        social_workers = council.by_team.get(("social_worker", team_index)) or council.managers.get("social_worker")
        sw_name = rng.choice(social_workers).get_full_name() if social_workers else fake.name()
        family_name = fake.last_name()
        oldest = rng.choices(range(18), weights=AGE_WEIGHTS)[0] if size == 1 else rng.randint(min(17, 2 * size - 1), 17)
        ages, age = [], oldest
        for _ in range(size):
            ages.append(max(age, 0))
            age -= rng.randint(1, 2 if size >= 5 else 3)
        dobs = [_years_before(today, a) - dt.timedelta(days=rng.randint(0, 364)) for a in ages]
        youngest_dob = max(dobs)
        if rng.random() < 0.7 and youngest_dob < demo_start - dt.timedelta(days=60):
            # In care since before the demo's first year.
            earliest = max(youngest_dob + dt.timedelta(days=3), demo_start - dt.timedelta(days=8 * 365))
            la_from = _random_day(rng, earliest, demo_start - dt.timedelta(days=30))
            recent = False
        else:
            la_from = _random_day(
                rng, max(youngest_dob + dt.timedelta(days=3), demo_start), today - dt.timedelta(days=21)
            )
            la_from = min(la_from, today)
            recent = (today - la_from).days < 270
        if recent and rng.random() < 0.6:
            legal_status = "C1"
        elif _age_on(youngest_dob, today) <= 6 and not recent and rng.random() < 0.35:
            legal_status = "E1"
        elif oldest >= 14 and rng.random() < 0.45:
            legal_status = "V2"
        else:
            legal_status = rng.choices(("C2", "V2"), weights=(85, 15))[0]
        group_name = None
        if size > 1:
            group_number += 1
            group_name = f"Demo group {group_number:03d}"
        for dob in dobs:
            sex = rng.choices(("1", "2"), weights=(56, 44))[0]
            first_name = fake.first_name_male() if sex == "1" else fake.first_name_female()
            last_name = family_name if rng.random() < 0.85 or size == 1 else fake.last_name()
            specs.append(
                {
                    "case_id": next(case_ids),
                    "first_name": first_name,
                    "last_name": last_name,
                    "date_of_birth": dob,
                    "sex": sex,
                    "legal_status": legal_status,
                    "looked_after_from": la_from,
                    "social_worker": sw_name,
                    "team": council.teams[team_index],
                    "iro": council.iros[family_iro[family]],
                    "group_name": group_name,
                }
            )

    groups = {}
    for name in sorted({s["group_name"] for s in specs if s["group_name"]}):
        groups[name], _ = SiblingGroup.objects.get_or_create(name=name)
    values = {}
    for spec in specs:
        case_id, group_name = spec.pop("case_id"), spec.pop("group_name")
        values[case_id] = {**spec, "sibling_group": groups.get(group_name)}
    done = child_bulk_upsert(values=values, update=False, reason="Demo data")
    result.children_created += done.created
    council.children.extend(done.children.values())


# --- escalations ---------------------------------------------------------------------------------


def _pick(reasons: tuple[str, ...], event) -> str:
    """One of ``reasons``, the same each time for the same event."""
    return reasons[event.at.toordinal() % len(reasons)]


def _financial_year_start(day: dt.date) -> dt.date:
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


@dataclass
class _Event:
    kind: str  # first_response | respond | escalate | reassign | resolve | withdraw | cafcass
    at: dt.datetime
    by: User
    data: dict = field(default_factory=dict)


@dataclass
class _Plan:
    raised_at: dt.datetime
    iro: User
    children: list[Child]
    stage: Stage
    addressee: User
    theme_codes: list[str]
    subtheme_codes: list[tuple[str, str]] = field(default_factory=list)
    drift_reason_codes: list[str] = field(default_factory=list)
    events: list[_Event] = field(default_factory=list)
    concern: str = ""
    desired_outcome: str = ""


class _Vocab:
    def __init__(self):
        self.themes = {t.code: t for t in Theme.objects.filter(active=True)}
        subthemes = SubTheme.objects.filter(active=True).select_related("theme")
        self.subthemes = {(s.theme.code, s.code): s for s in subthemes}
        self.reasons = {r.code: r for r in DriftReason.objects.filter(active=True)}
        self.outcomes = {o.code: o for o in Outcome.objects.all()}


def _build_escalations(council: _Council, result: DemoResult, *, per_year: int) -> None:
    if not council.managers:
        return
    rng = random.Random(SEED + 2)
    vocab = _Vocab()
    today = council.today
    current_start = _financial_year_start(today)
    previous_start = dt.date(current_start.year - 1, 4, 1)
    next_start = dt.date(current_start.year + 1, 4, 1)
    elapsed = ((today - current_start).days + 1) / (next_start - current_start).days
    n_previous = per_year
    n_current = round(per_year * elapsed)

    open_plans = _plan_open(council, rng, vocab) if per_year else []
    # The open ones count towards the year they were raised in.
    open_in_current = sum(1 for p in open_plans if local_date(p.raised_at) >= current_start)
    open_in_previous = len(open_plans) - open_in_current
    # Closed escalations are raised at least two weeks ago, so their whole story fits before now.
    closed_until = today - dt.timedelta(days=14)
    used: set[int] = {c.pk for p in open_plans for c in p.children}
    closed_plans = []
    for start, end, n in (
        (previous_start, min(current_start - dt.timedelta(days=1), closed_until), n_previous - open_in_previous),
        (current_start, closed_until, n_current - open_in_current),
    ):
        if n > 0 and end >= start:
            closed_plans += _plan_year(council, rng, vocab, start, end, n, used, full_year=(end - start).days > 300)

    for plan in sorted(closed_plans + open_plans, key=lambda p: p.raised_at):
        _execute(plan, vocab)
        result.escalations_created += 1


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs)
    return rng.choices(values, weights=weights)[0]


def _theme_quota(rng: random.Random, n: int) -> list[list[str]]:
    """The themes of ``n`` escalations, in the seed's proportions (largest remainder), shuffled."""
    n_none = round(n * NO_THEME_SHARE) if n >= 30 else 0
    themed = n - n_none
    total = sum(w for _, w in THEME_MIX)
    exact = [(code, themed * w / total) for code, w in THEME_MIX]
    counts = {code: int(x) for code, x in exact}
    by_remainder = sorted(exact, key=lambda cx: cx[1] - int(cx[1]), reverse=True)
    for code, _ in by_remainder[: themed - sum(counts.values())]:
        counts[code] += 1
    themes = [[code] for code, count in counts.items() for _ in range(count)] + [[] for _ in range(n_none)]
    rng.shuffle(themes)
    pairable = [t for t in themes if t and t[0] in SECOND_THEME]
    for t in rng.sample(pairable, min(len(pairable), round(n * TWO_THEMES_SHARE))):
        t.append(SECOND_THEME[t[0]])
    return themes


def _subthemes_for(rng: random.Random, theme_codes: list[str]) -> list[tuple[str, str]]:
    subs = []
    for code in theme_codes:
        if code in SUBTHEME_MIX:
            subs += [(code, sub) for sub in _weighted(rng, SUBTHEME_MIX[code])]
    return subs


def _drift_reasons_for(rng: random.Random, children: list[Child]) -> list[str]:
    if len(children) >= 4:  # the seed's large families: police investigations, difficult decisions
        return rng.sample(["police_investigation", "difficult_decisions", "separate_assessments"], k=2)
    reasons = [_weighted(rng, DRIFT_REASON_WEIGHTS)]
    if rng.random() < 0.3:
        second = _weighted(rng, DRIFT_REASON_WEIGHTS)
        if second != reasons[0]:
            reasons.append(second)
    return reasons


def _siblings(council: _Council) -> dict[int, list[Child]]:
    groups = defaultdict(list)
    for child in council.children:
        if child.sibling_group_id:
            groups[child.sibling_group_id].append(child)
    return groups


def _looked_after(child: Child, day: dt.date) -> bool:
    return child.was_looked_after_on(day) is True and child.iro_id is not None


def _pick_children(
    council: _Council, rng: random.Random, themes: list[str], day: dt.date, used: set[int], featured: set[int]
) -> list[Child]:
    eligible = [c for c in council.children if _looked_after(c, day)]
    if not eligible:
        return []
    primary = themes[0] if themes else None
    groups = [g for g in _siblings(council).values() if len(g) > 1 and all(_looked_after(c, day) for c in g)]
    large = [g for g in groups if len(g) >= 5 and g[0].sibling_group_id not in featured]
    if primary == "drift" and large:
        # As in the seed, each year's drift escalations include the large families in proceedings.
        featured.add(large[0][0].sibling_group_id)
        return large[0]
    if primary == "drift" and groups and rng.random() < 0.6:
        # Drift is often about a whole sibling group; bigger families more so.
        return rng.choices(groups, weights=[len(g) ** 2 for g in groups])[0]
    if primary == "family_contact" and groups and rng.random() < 0.4:
        group = rng.choice(groups)
        return rng.sample(group, k=min(2, len(group)))
    if primary not in ("drift", "family_contact", "staying_put") and groups and rng.random() < 0.06:
        small = [g for g in groups if len(g) <= 3] or groups
        return rng.choice(small)

    def fits(child: Child) -> bool:
        age = _age_on(child.date_of_birth, day) if child.date_of_birth else 10
        if primary == "staying_put":
            return age >= 16
        if primary == "life_story_work":
            return age <= 10
        if primary == "safety":
            return age >= 11
        if primary == "drift":
            return age <= 12
        return True

    candidates = [c for c in eligible if fits(c)] or eligible
    child = rng.choice(candidates)
    if child.pk in used and rng.random() < 0.9:  # 184 escalations concerned 178 children
        child = rng.choice(candidates)
    return [child]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _office_hours(rng: random.Random, calendar: WorkingCalendar, moment: dt.datetime) -> dt.datetime:
    """``moment``, or the next time the office is open after it (never earlier)."""
    local = timezone.localtime(moment)
    day = local.date()
    if calendar.is_working_day(day) and OFFICE_OPENS <= local.time() <= OFFICE_CLOSES:
        return moment
    if not (calendar.is_working_day(day) and local.time() < OFFICE_OPENS):
        day = calendar.next_working_day(day)
    return _at(day, OFFICE_OPENS.hour, OFFICE_OPENS.minute) + dt.timedelta(minutes=rng.randint(0, 90))


def _after(rng: random.Random, calendar: WorkingCalendar, moment: dt.datetime, lo: float, hi: float) -> dt.datetime:
    """A time ``lo``-``hi`` hours after ``moment``, moved into office hours."""
    return _office_hours(rng, calendar, moment + dt.timedelta(hours=rng.uniform(lo, hi)))


def _raise_time(rng: random.Random, day: dt.date) -> dt.datetime:
    return _at(day, 9) + dt.timedelta(minutes=rng.randint(0, 8 * 60 - 30))


def _reply(
    rng: random.Random,
    calendar: WorkingCalendar,
    sent_at: dt.datetime,
    manager: User,
    theme: str | None,
    *,
    quick: bool = False,
) -> tuple[list[_Event], dt.datetime]:
    """A manager's reply to a step: an acknowledgement and a response, or a response straight away."""
    mode = "direct" if quick else _weighted(rng, (("ack", 35), ("direct", 57), ("slow", 8)))
    events = []
    if mode == "ack":
        ack = _after(rng, calendar, sent_at, 0.3, 8)
        events.append(_Event("first_response", ack, manager))
        responded = _after(rng, calendar, ack, 2, 50)
    elif mode == "direct":
        responded = _after(rng, calendar, sent_at, 0.5, 6 if quick else 10)
    else:  # a slower first reply
        ack = _after(rng, calendar, sent_at, 26, 60)
        events.append(_Event("first_response", ack, manager))
        responded = _after(rng, calendar, ack, 1, 30)
    response, action = rng.choice(RESPONSES.get(theme or "", DEFAULT_RESPONSES))
    action_due = local_date(responded) + dt.timedelta(days=rng.randint(3, 15))
    events.append(
        _Event(
            "respond", responded, manager, {"response": response, "action_agreed": action, "action_due_on": action_due}
        )
    )
    return events, responded


def _senior(council: _Council, code: str, above: Stage) -> Stage | None:
    stage = council.stages.get(code)
    if stage is not None and stage.order > above.order and council.managers.get(code):
        return stage
    return None


def _plan_year(
    council: _Council,
    rng: random.Random,
    vocab: _Vocab,
    start: dt.date,
    end: dt.date,
    n: int,
    used: set[int],
    *,
    full_year: bool,
) -> list[_Plan]:
    calendar = council.calendar
    days = []
    day = start
    while day <= end:
        if calendar.is_working_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    if not days:
        return []
    raise_days = sorted(rng.choice(days) for _ in range(n))
    themes = _theme_quota(rng, n)
    n_up = round(n * ESCALATE_ON_SHARE)
    up = set(rng.sample(range(n), min(n, n_up)))
    n_cafcass = CAFCASS_PER_FULL_YEAR if full_year else (1 if n >= 60 else 0)
    cafcass = set(rng.sample(sorted(up), min(len(up), n_cafcass)))

    plans = []
    featured: set[int] = set()  # the large families already escalated for drift this year
    for index, (day, theme_codes) in enumerate(zip(raise_days, themes)):
        plan = _plan_closed(
            council, rng, vocab, day, theme_codes, used, featured, up=index in up, cafcass=index in cafcass
        )
        if plan is not None:
            plans.append(plan)
    return plans


def _new_plan(
    council: _Council,
    rng: random.Random,
    vocab: _Vocab,
    raised_at: dt.datetime,
    theme_codes: list[str],
    children: list[Child],
    stage: Stage,
    addressee: User | None = None,
) -> _Plan:
    theme_codes = [c for c in theme_codes if c in vocab.themes]
    subs = [s for s in _subthemes_for(rng, theme_codes) if s in vocab.subthemes]
    reasons = [r for r in _drift_reasons_for(rng, children) if r in vocab.reasons] if "drift" in theme_codes else []
    plan = _Plan(
        raised_at=raised_at,
        iro=children[0].iro,
        children=children,
        stage=stage,
        addressee=addressee or council.addressee(rng, stage.code, children[0]),
        theme_codes=theme_codes,
        subtheme_codes=subs,
        drift_reason_codes=reasons,
    )
    plan.concern, plan.desired_outcome = _concern_text(rng, theme_codes, subs, children, raised_at)
    return plan


def _first_stage(council: _Council, rng: random.Random, theme_codes: list[str]) -> Stage:
    weights = FIRST_STAGE_WEIGHTS.get(theme_codes[0] if theme_codes else "default", FIRST_STAGE_WEIGHTS["default"])
    usable = [(code, w) for code, w in weights if code in council.stages and council.managers.get(code)]
    if not usable:
        usable = [(code, 1) for code in council.stages if council.managers.get(code)]
    return council.stages[_weighted(rng, usable)]


def _plan_closed(
    council: _Council,
    rng: random.Random,
    vocab: _Vocab,
    day: dt.date,
    theme_codes: list[str],
    used: set[int],
    featured: set[int],
    *,
    up: bool,
    cafcass: bool,
) -> _Plan | None:
    calendar = council.calendar
    children = _pick_children(council, rng, theme_codes, day, used, featured)
    if not children:
        return None
    used.update(c.pk for c in children)
    raised_at = _raise_time(rng, day)
    stage = _first_stage(council, rng, theme_codes)
    if up and stage.code in ("head_of_service", "assistant_director", "director"):
        stage = council.stages.get("team_manager", stage)
    plan = _new_plan(council, rng, vocab, raised_at, theme_codes, children, stage)
    theme = theme_codes[0] if theme_codes else None
    latest = council.now - dt.timedelta(minutes=10)

    for attempt in range(2):
        events: list[_Event] = []
        manager = plan.addressee
        sent_at = raised_at
        current = stage
        outcome = _weighted(rng, (("resolved", 92), ("not_resolved", 4), ("withdrawn", 4)))
        if up:
            outcome = _weighted(rng, (("resolved", 85), ("not_resolved", 15)))
        if attempt:  # the first story ran past now: a short one instead
            up = cafcass = False
            outcome = "resolved"
        if not up and not attempt and rng.random() < 0.02:
            # No reply, the manager is away: the IRO sends it to a colleague at the same stage.
            others = [m for m in council.managers[current.code] if m.pk != manager.pk]
            if others:
                colleague = rng.choice(others)
                sent_at = _after(rng, calendar, raised_at, 24, 48)
                events.append(_Event("reassign", sent_at, plan.iro, {"addressee": colleague}))
                manager = colleague
        if outcome == "withdrawn" and rng.random() < 0.5:
            events.append(_Event("withdraw", _after(rng, calendar, sent_at, 2, 30), plan.iro))
        else:
            reply, last = _reply(rng, calendar, sent_at, manager, theme, quick=bool(attempt))
            events += reply
            if up:
                targets = []
                choice = _weighted(rng, (("head_of_service", 65), ("assistant_director", 35)))
                first_up = _senior(council, choice, current)
                first_up = (
                    first_up
                    or _senior(council, "head_of_service", current)
                    or _senior(council, "assistant_director", current)
                )
                if first_up is not None:
                    targets.append(first_up)
                    if first_up.code == "head_of_service" and rng.random() < 0.33:
                        further = _senior(council, "assistant_director", first_up)
                        if further is not None:
                            targets.append(further)
                for target in targets:
                    if rng.random() < 0.5 and events[-1].kind == "respond":
                        # The response did not satisfy the IRO.
                        escalated_at = _after(rng, calendar, last, 3, 60)
                    else:
                        # No substantive response by the due day: drop the response, escalate.
                        events = [e for e in events if not (e.kind == "respond" and e.by == manager)]
                        due = calendar.due_on(sent_at, current.target_working_days)
                        escalated_at = _office_hours(rng, calendar, _at(calendar.next_working_day(due), 9))
                        last = max([sent_at] + [e.at for e in events])
                        escalated_at = max(escalated_at, last)
                    senior = rng.choice(council.managers[target.code])
                    events.append(_Event("escalate", escalated_at, plan.iro, {"stage": target, "addressee": senior}))
                    reply, last = _reply(rng, calendar, escalated_at, senior, theme, quick=True)
                    events += reply
                    sent_at, current, manager = escalated_at, target, senior
                if cafcass:
                    outcome = "not_resolved"
            closed_at = _after(rng, calendar, last, 1, 50)
            if cafcass:
                events.append(_Event("cafcass", closed_at, plan.iro, {"reason": _cafcass_reason(rng, children)}))
            events.append(
                _Event("withdraw" if outcome == "withdrawn" else "resolve", closed_at, plan.iro, {"outcome": outcome})
            )
        if max(e.at for e in events) <= latest:
            plan.events = events
            return plan
    return None


def _working_days_ago(calendar: WorkingCalendar, today: dt.date, n: int) -> dt.date:
    day = today
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    for _ in range(n):
        day -= dt.timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
    return day


# Escalations still open today: (IRO, addressee, stage, working days ago raised, state, theme).
# IRO "iro1"/"iro2" or None (another IRO); addressee a username, "group" (iro1's sibling group,
# to the practice group lead) or None (the child's own manager at that stage).
OPEN_SCENARIOS = (
    ("iro1", "tm1", "team_manager", 7, "awaiting", "care_plan_not_on_system"),
    ("iro1", "tm1", "team_manager", 5, "acknowledged", "review_decisions_outstanding"),
    ("iro1", "tm1", "team_manager", 2, "awaiting", "sw_visits"),
    ("iro1", None, "social_worker", 9, "acknowledged", "care_plan_not_on_system"),
    ("iro1", None, "practice_group_lead", 3, "responded", "placement"),
    ("iro1", "group", "practice_group_lead", 6, "awaiting", "drift"),
    ("iro2", "tm1", "team_manager", 4, "responded", "health"),
    ("iro2", "tm1", "team_manager", 6, "awaiting", "care_plan_not_on_system"),
    ("iro2", None, "advanced_practitioner", 1, "acknowledged", "family_contact"),
    (None, "tm1", "team_manager", 1, "awaiting", "care_plan_not_on_system"),
    (None, None, "team_manager", 8, "awaiting", "no_allocated_worker"),
    (None, None, "advanced_practitioner", 5, "awaiting", "care_plan_not_on_system"),
    (None, None, "social_worker", 3, "awaiting", "care_plan_not_on_system"),
    (None, None, "team_manager", 10, "escalated", "safety"),
    (None, None, "team_manager", 4, "responded", "care_plan_not_on_system"),
    (None, None, "head_of_service", 7, "awaiting", "staying_put"),
)


def _plan_open(council: _Council, rng: random.Random, vocab: _Vocab) -> list[_Plan]:
    calendar = council.calendar
    latest = council.now - dt.timedelta(minutes=10)
    iros = {u.username: u for u in council.iros}
    managers = {m.username: m for ms in council.managers.values() for m in ms}
    taken: set[int] = set()
    plans = []
    for iro_name, addressee_name, stage_code, days_ago, state, theme in OPEN_SCENARIOS:
        stage = council.stages.get(stage_code)
        if stage is None or not council.managers.get(stage_code):
            continue
        day = _working_days_ago(calendar, council.today, days_ago)
        raised_at = min(_raise_time(rng, day), latest - dt.timedelta(minutes=rng.randint(20, 90)))
        raised_on = local_date(raised_at)
        others = [u for u in council.iros if u.username not in ("iro1", "iro2")] or council.iros
        caseload = {u.pk for u in ([iros[iro_name]] if iro_name in iros else others)}
        pool = [
            c for c in council.children if c.iro_id in caseload and c.pk not in taken and _looked_after(c, raised_on)
        ]
        if theme == "staying_put":
            pool = [c for c in pool if c.date_of_birth and _age_on(c.date_of_birth, raised_on) >= 16] or pool
        if addressee_name == "group":
            groups = [
                g
                for g in _siblings(council).values()
                if len(g) > 1 and g[0].iro_id in caseload and all(c in pool for c in g)
            ]
            if not groups:
                continue
            children = groups[0]
            addressee = council.addressee(rng, stage_code, children[0])
        else:
            if addressee_name in managers and managers[addressee_name].team_id:
                pool = [c for c in pool if c.team_id == managers[addressee_name].team_id] or pool
            if not pool:
                continue
            children = [rng.choice(pool)]
            addressee = managers.get(addressee_name) or council.addressee(rng, stage_code, children[0])
        if addressee.stage_id != stage.pk:
            continue
        taken.update(c.pk for c in children)
        plan = _new_plan(council, rng, vocab, raised_at, [theme], children, stage, addressee)

        def clamp(moment: dt.datetime, after: dt.datetime) -> dt.datetime:
            return max(min(moment, latest), after)

        if state == "acknowledged":
            plan.events.append(
                _Event("first_response", clamp(_after(rng, calendar, raised_at, 0.5, 6), raised_at), addressee)
            )
        elif state == "responded":
            reply, _ = _reply(rng, calendar, raised_at, addressee, theme, quick=True)
            previous = raised_at
            for event in reply:
                event.at = previous = clamp(event.at, previous)
            plan.events += reply
        elif state == "escalated":
            reply, last = _reply(rng, calendar, raised_at, addressee, theme, quick=True)
            senior_stage = _senior(council, "head_of_service", stage)
            if senior_stage is not None:
                escalated_at = clamp(_raise_time(rng, _working_days_ago(calendar, council.today, 2)), last)
                senior = rng.choice(council.managers[senior_stage.code])
                ack = clamp(_after(rng, calendar, escalated_at, 0.5, 4), escalated_at)
                plan.events += reply + [
                    _Event("escalate", escalated_at, plan.iro, {"stage": senior_stage, "addressee": senior}),
                    _Event("first_response", ack, senior),
                ]
        plans.append(plan)
    return plans


def _execute(plan: _Plan, vocab: _Vocab) -> Escalation:
    escalation = esc.escalation_raise(
        by=plan.iro,
        children=plan.children,
        stage=plan.stage,
        addressee=plan.addressee,
        concern=plan.concern,
        desired_outcome=plan.desired_outcome,
        themes=[vocab.themes[c] for c in plan.theme_codes],
        subthemes=[vocab.subthemes[s] for s in plan.subtheme_codes],
        drift_reasons=[vocab.reasons[r] for r in plan.drift_reason_codes],
        raised_at=plan.raised_at,
    )
    for event in plan.events:
        common = {"escalation": escalation, "by": event.by}
        if event.kind == "first_response":
            escalation = esc.escalation_first_response(**common, at=event.at)
        elif event.kind == "respond":
            escalation = esc.escalation_respond(**common, at=event.at, **event.data)
        elif event.kind == "escalate":
            reason = _pick(ESCALATE_REASONS, event)
            escalation = esc.escalation_escalate(**common, at=event.at, reason=reason, **event.data)
        elif event.kind == "reassign":
            escalation = esc.escalation_reassign(**common, at=event.at, **event.data)
        elif event.kind == "resolve":
            escalation = esc.escalation_resolve(
                **common, at=event.at, outcome=vocab.outcomes[event.data["outcome"]], reason=_pick(CLOSE_REASONS, event)
            )
        elif event.kind == "withdraw":
            escalation = esc.escalation_withdraw(**common, at=event.at, reason=_pick(WITHDRAW_REASONS, event))
        elif event.kind == "cafcass":
            escalation = esc.escalation_refer_to_cafcass(
                **common, referred_on=local_date(event.at), reason=event.data["reason"]
            )
        else:  # pragma: no cover
            raise ValueError(event.kind)
    return escalation


# --- words ---------------------------------------------------------------------------------------


def _names(children: list[Child]) -> str:
    names = [c.first_name or c.case_id for c in children]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


CONCERNS = {
    "care_plan_not_on_system": (
        "The LAC review for {names} was held on {review}, but the care plan has still not been completed "
        "and signed off on the system, so the review record cannot be written up.",
        "The pathway plan for {names} has not been updated on the system since the last review. The review "
        "minutes are held up until it is completed.",
        "The care plan for {names} is still in draft on the system and has not been authorised ahead of the "
        "review on {review}.",
    ),
    "drift": (
        "The plan for {names} is not progressing. The assessments agreed at the review on {review} have not "
        "started and there is no timescale for permanence.",
        "I am concerned about delay in care planning for {names}: the decision about long-term care has been "
        "deferred at two reviews.",
        "The plan of rehabilitation home for {names} is not moving forward; nothing has happened since the "
        "review on {review}.",
    ),
    "safety": {
        "missing": "{names} has had repeated missing episodes since the review on {review}. Return interviews "
        "have not been done and the safety plan has not been updated.",
        "cse": "There are concerns about child sexual exploitation for {names}. No strategy meeting has been "
        "held and the risk assessment is out of date.",
        "criminality_gangs": "{names} is believed to have links to a local gang and has been arrested since the "
        "review on {review}. The care plan does not address this risk.",
        "": "There are new concerns about the safety of {names} which the care plan does not address.",
    },
    "sw_visits": (
        "{names} has not been visited by a social worker since before the review on {review}. Statutory visits "
        "are overdue since the case was transferred.",
    ),
    "family_contact": (
        "The sibling contact for {names} agreed at the review on {review} has not been arranged.",
        "The level of parental contact for {names} needs to be looked at again, as agreed at the review on {review}.",
    ),
    "no_allocated_worker": {
        "sickness": "The social worker for {names} has been off sick for some weeks and no one is covering the "
        "case; visits and the care plan are falling behind.",
        "worker_left": "The social worker for {names} has left and the case has not yet been reallocated.",
        "": "{names} has no allocated social worker.",
    },
    "health": {
        "emotional_health": "The emotional health of {names} has got worse; the CAMHS referral agreed at the "
        "review on {review} has not been made.",
        "learning_difficulties": "The assessment of learning needs for {names} agreed at the review has not "
        "been requested.",
        "complex_health": "The health care plan for {names}, who has a complex health condition, has not been "
        "updated and the carers have not been trained.",
        "paediatric_assessment": "The review on {review} asked for a full paediatric assessment for {names}; "
        "it has not been requested.",
        "": "The review health assessment for {names} is overdue.",
    },
    "placement": {
        "physical_environment": "Concerns about the physical environment of the placement of {names}, raised "
        "at the review on {review}, have not been addressed.",
        "carer_cannot_manage_behaviour": "The carers of {names} are struggling to manage behaviour and have "
        "asked for support; no placement support meeting has been held.",
        "needs_stable_placement": "{names} needs a more stable placement; the search agreed at the review on "
        "{review} has not started.",
        "": "There are concerns about the placement of {names}.",
    },
    "review_decisions_outstanding": (
        "Several decisions from the review on {review} for {names} are still outstanding, including the "
        "education plan.",
    ),
    "staying_put": (
        "{names} will be 18 soon and the staying put arrangements with the foster carers have not been confirmed.",
    ),
    "life_story_work": ("Life story work for {names} was agreed at the review on {review} but has not started.",),
    "": ("I would like an update on the actions for {names} agreed at the review on {review}.",),
}

DESIRED = {
    "care_plan_not_on_system": "Care plan completed and authorised on the system within 5 working days, so the "
    "review record can be finalised.",
    "drift": "A clear plan with timescales for permanence, agreed with the IRO.",
    "safety": "A strategy discussion and an updated safety plan.",
    "sw_visits": "Statutory visit completed and a visiting plan in place.",
    "family_contact": "Contact arrangements agreed and started.",
    "no_allocated_worker": "A named social worker allocated and introduced to the child.",
    "health": "The health actions from the review completed.",
    "placement": "A placement planning meeting and a plan to support or move the placement.",
    "review_decisions_outstanding": "The outstanding review decisions completed.",
    "staying_put": "Staying put arrangements confirmed in the pathway plan.",
    "life_story_work": "Life story work allocated and started.",
    "": "An update on the review actions.",
}

RESPONSES = {
    "care_plan_not_on_system": (
        (
            "I have spoken with the social worker. The care plan will be completed on the system this week and I "
            "will authorise it.",
            "Care plan completed and authorised on the system",
        ),
        (
            "Apologies for the delay: the forms were stuck in the workflow. The plan is now with me for sign-off.",
            "Care plan signed off",
        ),
    ),
    "drift": (
        (
            "Agreed. A permanence planning meeting has been booked and the assessments are being commissioned.",
            "Permanence planning meeting held and assessments commissioned",
        ),
        (
            "I have reviewed the case with the team. Legal planning meeting arranged to consider proceedings.",
            "Legal planning meeting held",
        ),
    ),
}
DEFAULT_RESPONSES = (
    (
        "Thank you for raising this. I have discussed it with the social worker and agreed the actions below.",
        "Actions from the review completed",
    ),
    (
        "Noted. The team will pick this up straight away and I will confirm when it is done.",
        "Outstanding actions completed and confirmed to the IRO",
    ),
    (
        "I have looked into this and agree. The social worker will update the plan and contact the carers.",
        "Plan updated and carers contacted",
    ),
)


def _concern_text(
    rng: random.Random,
    theme_codes: list[str],
    subs: list[tuple[str, str]],
    children: list[Child],
    raised_at: dt.datetime,
) -> tuple[str, str]:
    theme = theme_codes[0] if theme_codes else ""
    options = CONCERNS.get(theme, CONCERNS[""])
    if isinstance(options, dict):
        sub = next((code for t, code in subs if t == theme), "")
        template = options.get(sub, options[""])
    else:
        template = rng.choice(options)
    review = local_date(raised_at) - dt.timedelta(days=rng.randint(5, 30))
    concern = template.format(names=_names(children), review=f"{review.day} {review:%B %Y}")
    concern = concern[0].upper() + concern[1:]
    return concern, DESIRED.get(theme, DESIRED[""])


def _cafcass_reason(rng: random.Random, children: list[Child]) -> str:
    return rng.choice(
        (
            f"The plan for {_names(children)} has still not progressed after escalation to senior managers. "
            "Referred to Cafcass to consider the children's interests.",
            f"No agreed plan for {_names(children)} after the dispute resolution process. Referred to Cafcass.",
        )
    )


# --- the logins ----------------------------------------------------------------------------------

ROLE_WORDS = {
    Role.IRO: "IRO",
    Role.SERVICE_MANAGER: "IRO service manager",
    Role.REPORT_VIEWER: "Report viewer",
    Role.ADMIN: "Admin (and the Django admin)",
}


def _logins() -> list[DemoLogin]:
    users = {u.username: u for u in User.objects.filter(username__in=FIXED_LOGINS).select_related("stage")}
    logins = []
    for username in FIXED_LOGINS:
        user = users.get(username)
        if user is None:
            continue
        role = (
            f"Manager: {user.stage.label}"
            if user.role == Role.MANAGER and user.stage
            else ROLE_WORDS.get(user.role, user.get_role_display())
        )
        logins.append(DemoLogin(username=username, name=user.get_full_name() or username, role=role))
    return logins
