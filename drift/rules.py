"""The drift watch's rules (``drift-watch.md``): pure functions over plain records, no database.

Everything is judged **as of a date D**. Working days are the project's clock
(:class:`workdays.clock.WorkingCalendar`), and "the Nth working day after X" is
:meth:`~workdays.clock.WorkingCalendar.nth_working_day_after` (X never counts). "N months after X"
is :func:`add_months` (31 August + 3 months = 30 November); "N days" are calendar days.

- **Periods of care** (:func:`periods_of_care`): a period starts with an episode whose RNE is ``S``
  and runs through the episodes after it until one ends with a REC other than ``X1``; its end is
  that episode's DEC, and an open episode keeps it open. When the earliest episode (or the first
  after a period has ended) is not ``S``, the data starts part-way through a period: it starts at
  that episode's DECOM, with its start "not known". A last episode that ended with ``X1`` and has
  nothing after it ends the period at its DEC (no episode says the child is looked after later).
- A child is **looked after on D** when D is in a period (start <= D, and no end or end > D); only
  they get flags. A period whose every episode has legal status V3 or V4 (short breaks) is left out.
- **Placements**: each episode whose RNE is S, P, B, T or U starts one (and so does a period's first
  episode); its type is that episode's PLACE, carried by the following ``L`` episodes.

The rules (``RULES``), each judged by :func:`assess`:

- ``R33-first``: no review in the period, due on the 20th working day after its start (start known).
- ``R33-second``: one review; the second is due 3 months after it.
- ``R33-later``: two or more; the next is due 6 months after the last. When the period's start is
  not known, no review rule applies until the first known review, and then this one does.
- ``R28-visit``, per placement (visits the child was recorded as not seen at do not count): the
  first within 7 days of the placement's start; after a visit made in the placement's first year,
  the next within 42 days; after a visit made later, within 3 months for types U1 and U4, otherwise
  42 days. Placed with parents (P1): within 7 days of the last visit until the first review held on
  or after the placement's start; when that review comes within those 7 days (or came before the
  visit), the next visit is due as for other placements.
- ``R4-care-plan``: no care plan starting on or before D and not ended before the period's start,
  due on the 10th working day after the start (start known).
- ``no-allocated-worker``: no allocation open on D (start <= D, end blank or >= D), due on the 5th
  working day after the end of the last allocation that ended in the period before D, or else after
  the period's start.
- ``missing-now``: an ``M`` missing episode started on or before D, with no end or an end after D
  (the earliest such): due is its start, days overdue the days missing.
- ``staying-put``: aged 17 years 6 months or more and under 18 on D, in a foster placement (U1 to
  U6): due is the 18th birthday (the same day 18 years on, or the month's last day), no days overdue.

A rule flags when its due date is before D (due dates are inclusive: on time on the due date). A
review or visit due between D and the 10th working day after D, both included, is **due soon**:
listed, not a flag. **Days overdue** = D - due in calendar days.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from workdays.clock import WorkingCalendar

R33_FIRST = "R33-first"
R33_SECOND = "R33-second"
R33_LATER = "R33-later"
R28_VISIT = "R28-visit"
R4_CARE_PLAN = "R4-care-plan"
NO_ALLOCATED_WORKER = "no-allocated-worker"
MISSING_NOW = "missing-now"
STAYING_PUT = "staying-put"
RULES = (R33_FIRST, R33_SECOND, R33_LATER, R28_VISIT, R4_CARE_PLAN, NO_ALLOCATED_WORKER, MISSING_NOW, STAYING_PUT)
REVIEW_RULES = (R33_FIRST, R33_SECOND, R33_LATER)
RULE_LABELS = {
    R33_FIRST: "First review",
    R33_SECOND: "Second review",
    R33_LATER: "Later review",
    R28_VISIT: "Social worker visit",
    R4_CARE_PLAN: "Care plan on the system",
    NO_ALLOCATED_WORKER: "No allocated social worker",
    MISSING_NOW: "Missing now",
    STAYING_PUT: "Staying put decision",
}

NEW_PERIOD = "S"
PLACEMENT_STARTS = frozenset("SPBTU")
SAME_DAY_NEW_EPISODE = "X1"
SHORT_BREAKS = frozenset({"V3", "V4"})
LONG_TERM_FOSTERING = frozenset({"U1", "U4"})
PLACED_WITH_PARENTS = "P1"
FOSTER_PLACEMENTS = frozenset({"U1", "U2", "U3", "U4", "U5", "U6"})
MISSING = "M"

FIRST_REVIEW_WORKING_DAYS = 20
CARE_PLAN_WORKING_DAYS = 10
ALLOCATION_WORKING_DAYS = 5
DUE_SOON_WORKING_DAYS = 10
FIRST_VISIT_DAYS = 7
WEEKLY_VISIT_DAYS = 7
VISIT_DAYS = 42
LONG_TERM_VISIT_MONTHS = 3
SECOND_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6
STAYING_PUT_FROM_MONTHS = 17 * 12 + 6
ADULT_MONTHS = 18 * 12

# What a rule found, as of D.
FLAG = "flag"  # due before D
DUE_SOON = "due_soon"  # a review or visit due between D and the 10th working day after it
ON_TRACK = "on_track"


# ----------------------------------------------------------------------------- the records


@dataclass(frozen=True)
class Episode:
    start: dt.date  # DECOM
    rne: str  # reason for new episode
    legal_status: str  # LS
    placement_type: str  # PLACE
    end: dt.date | None = None  # DEC
    reason_ended: str = ""  # REC


@dataclass(frozen=True)
class Review:
    date: dt.date
    participation: str = ""  # REVIEW_CODE, PN0-PN7


@dataclass(frozen=True)
class Visit:
    date: dt.date
    seen: bool | None = None  # None: not recorded, counts as seen


@dataclass(frozen=True)
class CarePlan:
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class Allocation:
    worker: str
    start: dt.date
    end: dt.date | None = None
    team: str = ""
    role: str = ""


@dataclass(frozen=True)
class MissingEpisode:
    kind: str  # M (missing) or A (away without authorisation)
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class ChildRecord:
    """One child's data. Lists in any order. For ``R28-visit`` only the latest visit the child was
    seen at (on or before D) matters, so a caller may pass just that one."""

    case_id: str
    date_of_birth: dt.date | None = None
    episodes: tuple[Episode, ...] = ()
    reviews: tuple[Review, ...] = ()
    visits: tuple[Visit, ...] = ()
    care_plans: tuple[CarePlan, ...] = ()
    allocations: tuple[Allocation, ...] = ()
    missing: tuple[MissingEpisode, ...] = ()


@dataclass(frozen=True)
class Placement:
    start: dt.date
    end: dt.date | None  # the next placement's start, or the period's end
    placement_type: str


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date | None
    start_known: bool
    episodes: tuple[Episode, ...]
    placements: tuple[Placement, ...]

    @property
    def short_breaks(self) -> bool:
        return all(e.legal_status in SHORT_BREAKS for e in self.episodes)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or self.end > day)

    def placement_on(self, day: dt.date) -> Placement:
        return [p for p in self.placements if p.start <= day][-1]


@dataclass(frozen=True)
class Clock:
    """One rule's clock for a child as of D: when it is due, and what that means."""

    rule: str
    due: dt.date | None
    state: str  # FLAG, DUE_SOON or ON_TRACK
    detail: str
    days_overdue: int | None = None
    last: dt.date | None = None  # the event the due date runs from (a review, a visit, ...)


@dataclass(frozen=True)
class Flag:
    child: str  # the case ID
    rule: str
    due: dt.date | None
    days_overdue: int | None
    detail: str


@dataclass
class Assessment:
    """Everything the watch knows about a child as of D: the period and placement, and each rule's
    clock (rules not evaluated, or that do not apply, have none)."""

    case_id: str
    as_of: dt.date
    period: Period | None = None
    placement: Placement | None = None
    clocks: dict[str, Clock] = field(default_factory=dict)
    reviews: list[Review] = field(default_factory=list)  # in the period, up to D
    last_visit: Visit | None = None  # in the placement, up to D
    care_plan: CarePlan | None = None  # the latest counting for R4-care-plan
    allocation: Allocation | None = None  # open on D (the latest started)
    missing: list[MissingEpisode] = field(default_factory=list)  # in the period or open, up to D

    @property
    def looked_after(self) -> bool:
        return self.period is not None

    @property
    def flags(self) -> list[Flag]:
        return [
            Flag(self.case_id, rule, c.due, c.days_overdue, c.detail)
            for rule, c in sorted(self.clocks.items())
            if c.state == FLAG
        ]

    @property
    def due_soon(self) -> list[Clock]:
        return [c for _, c in sorted(self.clocks.items()) if c.state == DUE_SOON]


# ----------------------------------------------------------------------------- dates


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day number ``months`` later, or the last day of that month when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def long_date(day: dt.date) -> str:
    """1 December 2025 (GOV.UK style)."""
    return f"{day.day} {day:%B %Y}"


def due_by(due: dt.date, as_of: dt.date) -> str:
    """ "was due by 31 December 2025" once past, "is due by ..." until then."""
    return f"{'was' if due < as_of else 'is'} due by {long_date(due)}"


# ----------------------------------------------------------------------------- periods and placements


def periods_of_care(episodes: Iterable[Episode]) -> list[Period]:
    """The child's periods of care, earliest first (short breaks included: see Period.short_breaks)."""
    groups: list[tuple[bool, list[Episode]]] = []
    closed = True
    for episode in sorted(episodes, key=lambda e: e.start):
        if closed or episode.rne == NEW_PERIOD:
            groups.append((episode.rne == NEW_PERIOD, []))
        groups[-1][1].append(episode)
        closed = episode.end is not None and episode.reason_ended != SAME_DAY_NEW_EPISODE
    periods = []
    for start_known, group in groups:
        last = group[-1]
        end = last.end  # None while the last episode is open
        periods.append(
            Period(
                start=group[0].start,
                end=end,
                start_known=start_known,
                episodes=tuple(group),
                placements=_placements(group, end),
            )
        )
    return periods


def _placements(episodes: list[Episode], period_end: dt.date | None) -> tuple[Placement, ...]:
    starts = [e for i, e in enumerate(episodes) if i == 0 or e.rne in PLACEMENT_STARTS]
    return tuple(
        Placement(
            start=e.start,
            end=starts[i + 1].start if i + 1 < len(starts) else period_end,
            placement_type=e.placement_type,
        )
        for i, e in enumerate(starts)
    )


def period_on(periods: Iterable[Period], day: dt.date) -> Period | None:
    """The period (not short breaks) the day falls in, or None: not looked after on ``day``."""
    found = [p for p in periods if p.contains(day) and not p.short_breaks]
    return found[-1] if found else None


# ----------------------------------------------------------------------------- the rules


def _clock(rule, due, as_of, calendar, detail, *, soon: bool, last=None) -> Clock:
    if due < as_of:
        return Clock(rule, due, FLAG, detail, (as_of - due).days, last)
    if soon and due <= calendar.nth_working_day_after(as_of, DUE_SOON_WORKING_DAYS):
        return Clock(rule, due, DUE_SOON, detail, None, last)
    return Clock(rule, due, ON_TRACK, detail, None, last)


def _review_clock(period: Period, reviews: list[Review], as_of, calendar) -> Clock | None:
    if not reviews:
        if not period.start_known:
            return None  # no review rule until the first known review
        due = calendar.nth_working_day_after(period.start, FIRST_REVIEW_WORKING_DAYS)
        detail = (
            f"No review since the period of care began on {long_date(period.start)}; "
            f"the first review {due_by(due, as_of)}."
        )
        return _clock(R33_FIRST, due, as_of, calendar, detail, soon=True)
    last = reviews[-1].date
    if len(reviews) == 1 and period.start_known:
        due = add_months(last, SECOND_REVIEW_MONTHS)
        detail = f"The first review was on {long_date(last)}; the second {due_by(due, as_of)}."
        return _clock(R33_SECOND, due, as_of, calendar, detail, soon=True, last=last)
    due = add_months(last, LATER_REVIEW_MONTHS)
    detail = f"The last review was on {long_date(last)}; the next {due_by(due, as_of)}."
    return _clock(R33_LATER, due, as_of, calendar, detail, soon=True, last=last)


def _visit_clock(placement: Placement, last_visit: Visit | None, reviews: list[Review], as_of, calendar) -> Clock:
    if last_visit is None:
        due = placement.start + dt.timedelta(days=FIRST_VISIT_DAYS)
        detail = (
            f"No visit since the placement began on {long_date(placement.start)}; the first visit {due_by(due, as_of)}."
        )
        return _clock(R28_VISIT, due, as_of, calendar, detail, soon=True)
    last = last_visit.date
    first_review = next((r.date for r in reviews if r.date >= placement.start), None)
    weekly_due = last + dt.timedelta(days=WEEKLY_VISIT_DAYS)
    if placement.placement_type == PLACED_WITH_PARENTS and (first_review is None or first_review > weekly_due):
        due, how = weekly_due, "weekly until the first review, as the child is placed with parents"
    elif last < add_months(placement.start, 12):
        due, how = last + dt.timedelta(days=VISIT_DAYS), "within 6 weeks in the placement's first year"
    elif placement.placement_type in LONG_TERM_FOSTERING:
        due, how = add_months(last, LONG_TERM_VISIT_MONTHS), "within 3 months in long-term fostering"
    else:
        due, how = last + dt.timedelta(days=VISIT_DAYS), "within 6 weeks"
    detail = f"The last visit was on {long_date(last)}; the next {due_by(due, as_of)} ({how})."
    return _clock(R28_VISIT, due, as_of, calendar, detail, soon=True, last=last)


def _care_plan_clock(period: Period, plans: list[CarePlan], as_of, calendar) -> Clock | None:
    if not period.start_known:
        return None
    due = calendar.nth_working_day_after(period.start, CARE_PLAN_WORKING_DAYS)
    if plans:
        plan = plans[-1]
        detail = f"A care plan is on the system from {long_date(plan.start)}."
        return Clock(R4_CARE_PLAN, due, ON_TRACK, detail, None, plan.start)
    detail = (
        f"No care plan on the system since the period of care began on {long_date(period.start)}; "
        f"one {due_by(due, as_of)}."
    )
    return _clock(R4_CARE_PLAN, due, as_of, calendar, detail, soon=False)


def _allocation_clock(period: Period, allocations: list[Allocation], current, as_of, calendar) -> Clock:
    if current is not None:
        detail = f"Allocated to {current.worker} since {long_date(current.start)}."
        return Clock(NO_ALLOCATED_WORKER, None, ON_TRACK, detail, None, current.start)
    ended = [a.end for a in allocations if a.end is not None and period.start <= a.end < as_of]
    if ended:
        since = max(ended)
        what = f"the last allocation ended on {long_date(since)}"
    else:
        since = period.start
        what = f"none since the period of care began on {long_date(since)}"
    due = calendar.nth_working_day_after(since, ALLOCATION_WORKING_DAYS)
    detail = f"No allocated social worker: {what}; one {due_by(due, as_of)}."
    return _clock(NO_ALLOCATED_WORKER, due, as_of, calendar, detail, soon=False, last=since)


def _missing_clock(missing: list[MissingEpisode], as_of) -> Clock | None:
    now = [m for m in missing if m.kind == MISSING and m.start <= as_of and (m.end is None or m.end > as_of)]
    if not now:
        return None
    since = min(m.start for m in now)
    days = (as_of - since).days
    detail = f"Missing since {long_date(since)} ({days} day{'s' if days != 1 else ''})."
    return Clock(MISSING_NOW, since, FLAG, detail, days, since)


def _staying_put_clock(date_of_birth: dt.date | None, placement: Placement, as_of) -> Clock | None:
    if date_of_birth is None or placement.placement_type not in FOSTER_PLACEMENTS:
        return None
    eighteen = add_months(date_of_birth, ADULT_MONTHS)
    if not (add_months(date_of_birth, STAYING_PUT_FROM_MONTHS) <= as_of < eighteen):
        return None
    detail = "Aged 17 and a half or more in a foster placement: confirm the staying-put decision before they are 18."
    return Clock(STAYING_PUT, eighteen, FLAG, detail, None)


def assess(
    child: ChildRecord, *, as_of: dt.date, calendar: WorkingCalendar, rules: Iterable[str] = RULES
) -> Assessment:
    """Every clock of the child as of ``as_of``, for the rules in ``rules`` (those whose data was
    imported). A child not looked after on ``as_of`` (or only on short breaks) has none."""
    rules = frozenset(rules)
    assessment = Assessment(case_id=child.case_id, as_of=as_of)
    period = period_on(periods_of_care(child.episodes), as_of)
    if period is None:
        return assessment
    placement = period.placement_on(as_of)
    reviews = sorted({r.date: r for r in child.reviews if period.start <= r.date <= as_of}.values(), key=_date)
    seen = [v for v in child.visits if placement.start <= v.date <= as_of and v.seen is not False]
    plans = sorted(
        (p for p in child.care_plans if p.start <= as_of and (p.end is None or p.end >= period.start)),
        key=lambda p: p.start,
    )
    open_now = [a for a in child.allocations if a.start <= as_of and (a.end is None or a.end >= as_of)]
    assessment.period, assessment.placement, assessment.reviews = period, placement, reviews
    assessment.last_visit = max(seen, key=_date) if seen else None
    assessment.care_plan = plans[-1] if plans else None
    assessment.allocation = max(open_now, key=lambda a: (a.start, a.worker)) if open_now else None
    assessment.missing = sorted(
        (m for m in child.missing if m.start <= as_of and (m.end is None or m.end >= period.start)),
        key=lambda m: m.start,
    )

    clocks = [
        _review_clock(period, reviews, as_of, calendar) if rules & set(REVIEW_RULES) else None,
        _visit_clock(placement, assessment.last_visit, reviews, as_of, calendar) if R28_VISIT in rules else None,
        _care_plan_clock(period, plans, as_of, calendar) if R4_CARE_PLAN in rules else None,
        _allocation_clock(period, child.allocations, assessment.allocation, as_of, calendar)
        if NO_ALLOCATED_WORKER in rules
        else None,
        _missing_clock(child.missing, as_of) if MISSING_NOW in rules else None,
        _staying_put_clock(child.date_of_birth, placement, as_of) if STAYING_PUT in rules else None,
    ]
    assessment.clocks = {c.rule: c for c in clocks if c is not None and c.rule in rules}
    return assessment


def _date(record) -> dt.date:
    return record.date


def flags_of(child: ChildRecord, *, as_of: dt.date, calendar: WorkingCalendar, rules: Iterable[str] = RULES):
    """The child's flags as of ``as_of``, sorted by rule."""
    return assess(child, as_of=as_of, calendar=calendar, rules=rules).flags


# ----------------------------------------------------------------------------- review timeliness


@dataclass(frozen=True)
class ReviewJudgement:
    date: dt.date
    participation: str
    due: dt.date | None  # None: not judged (the first known review of a period whose start is not known)
    on_time: bool | None


def review_timeliness(
    child: ChildRecord, *, start: dt.date, end: dt.date, calendar: WorkingCalendar
) -> list[ReviewJudgement]:
    """Each review held from ``start`` to ``end`` (both included) in a period of care (not short
    breaks), judged by the R33 rules: on time when held on or before the date it was due. Reviews in
    no period are not judged."""
    periods = [p for p in periods_of_care(child.episodes) if not p.short_breaks]
    by_date = sorted({r.date: r for r in child.reviews}.values(), key=_date)
    judged = []
    for period in periods:
        inside = [r for r in by_date if r.date >= period.start and (period.end is None or r.date < period.end)]
        for index, review in enumerate(inside):
            if not start <= review.date <= end:
                continue
            if index == 0:
                due = calendar.nth_working_day_after(period.start, FIRST_REVIEW_WORKING_DAYS)
                due = due if period.start_known else None
            elif index == 1 and period.start_known:
                due = add_months(inside[0].date, SECOND_REVIEW_MONTHS)
            else:
                due = add_months(inside[index - 1].date, LATER_REVIEW_MONTHS)
            judged.append(
                ReviewJudgement(review.date, review.participation, due, None if due is None else review.date <= due)
            )
    return judged
