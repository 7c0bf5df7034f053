"""Reads for the drift watch: the records the rules run on, which rules can be evaluated, the flags
each person may see, and the impact figures.

Access: every list of flags goes through ``children.selectors.child_visible_to``, so an IRO sees only
their caseload's flags. The records are read a chunk of children at a time with one query per table,
never one per child.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet
from django.utils import timezone

from children.models import Child
from children.selectors import child_visible_to
from core.numbers import median, percent
from drift import rules
from drift.models import DriftFlag, DriftRun, RuleTheme
from extract.models import Allocation, CarePlan, Visit
from extract.selectors import extract_tables_imported
from people.models import User
from ssda903.codes import PLACEMENT_TYPE, REVIEW_PARTICIPATION
from ssda903.models import Episode, ImportRun, MissingEpisode, Review
from workdays.clock import WorkingCalendar, local_date

CHUNK = 5000  # children per read

# The table each rule needs, besides the 903 Episodes every rule needs: (source, table).
RULE_TABLES = {
    rules.R33_FIRST: ("903", "Reviews"),
    rules.R33_SECOND: ("903", "Reviews"),
    rules.R33_LATER: ("903", "Reviews"),
    rules.R28_VISIT: ("extract", "visits"),
    rules.R4_CARE_PLAN: ("extract", "care_plans"),
    rules.NO_ALLOCATED_WORKER: ("extract", "allocations"),
    rules.MISSING_NOW: ("903", "Missing"),
    rules.STAYING_PUT: ("903", "Episodes"),
}


# ----------------------------------------------------------------------------- which rules


def drift_rules_evaluated() -> tuple[list[str], list[str]]:
    """(rules evaluated, rules not evaluated), in the spec's order. A rule is evaluated once its table
    was ever imported (the 903's Episodes, and its own: Reviews, Missing, or the extract's visits,
    care plans or allocations); before that it is "not evaluated", never read as "no data"."""
    imported = {("extract", table) for table in extract_tables_imported()}
    for counts in ImportRun.objects.values_list("counts", flat=True):
        imported.update(("903", table) for table in counts)
    evaluated = [rule for rule in rules.RULES if ("903", "Episodes") in imported and RULE_TABLES[rule] in imported]
    return evaluated, [rule for rule in rules.RULES if rule not in evaluated]


# ----------------------------------------------------------------------------- the records


def _ranges(child_ids: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(child_ids), size):
        yield child_ids[i : i + size]


def drift_child_records(
    *, as_of: dt.date, children: QuerySet[Child] | None = None, chunk_size: int = CHUNK
) -> Iterator[tuple[Child, rules.ChildRecord]]:
    """(child, record) for each child who has an episode starting on or before ``as_of`` (of
    ``children``, or every child), a chunk at a time: one query per table per chunk. Only children
    looked after on ``as_of`` get their reviews, visits, plans, allocations and missing episodes read.
    The visits read are each child's latest on or before ``as_of`` at which they were not recorded as
    not seen: the only one the rules use."""
    children = Child.objects.all() if children is None else children
    ids = sorted(children.filter(ssda903_episodes__start__lte=as_of).distinct().order_by().values_list("pk", flat=True))
    for chunk in _ranges(ids, chunk_size):
        members = set(chunk)
        people = {
            c.pk: c
            for c in Child.objects.filter(pk__in=chunk).only(
                "pk", "case_id", "first_name", "last_name", "date_of_birth", "iro"
            )
        }
        episodes = _rows_by_child(
            Episode.objects.values_list(
                "child_id", "start", "reason_new_episode", "legal_status", "placement_type", "end", "reason_ended"
            ),
            chunk,
            members,
        )
        looked_after = {}
        for pk, rows in episodes.items():
            eps = tuple(rules.Episode(*row) for row in rows)
            if rules.period_on(rules.periods_of_care(eps), as_of) is not None:
                looked_after[pk] = eps
        others = sorted(looked_after)
        reviews = _rows_by_child(Review.objects.values_list("child_id", "date", "participation"), others)
        visits = _rows_by_child(
            Visit.objects.filter(date__lte=as_of)
            .exclude(seen=False)
            .values("child_id")
            .annotate(last=Max("date"))
            .values_list("child_id", "last"),
            others,
        )
        plans = _rows_by_child(CarePlan.objects.values_list("child_id", "start", "end"), others)
        allocations = _rows_by_child(
            Allocation.objects.values_list("child_id", "worker", "start", "end", "team", "role"), others
        )
        missing = _rows_by_child(MissingEpisode.objects.values_list("child_id", "kind", "start", "end"), others)
        for pk in chunk:
            child = people[pk]
            yield (
                child,
                rules.ChildRecord(
                    case_id=child.case_id,
                    date_of_birth=child.date_of_birth,
                    episodes=looked_after.get(pk) or tuple(rules.Episode(*row) for row in episodes.get(pk, ())),
                    reviews=tuple(rules.Review(*row) for row in reviews.get(pk, ())),
                    visits=tuple(rules.Visit(row[0]) for row in visits.get(pk, ())),
                    care_plans=tuple(rules.CarePlan(*row) for row in plans.get(pk, ())),
                    allocations=tuple(rules.Allocation(*row) for row in allocations.get(pk, ())),
                    missing=tuple(rules.MissingEpisode(*row) for row in missing.get(pk, ())),
                ),
            )


def _rows_by_child(queryset, ids: list[int], members: set[int] | None = None) -> dict[int, list[tuple]]:
    """The rows (after the child column) of the children ``ids`` (sorted), by child id, in one query:
    a list of ids when short, else their range (the tables' keys start with the child)."""
    if not ids:
        return {}
    members = set(ids) if members is None else members
    if len(ids) <= 900:
        rows = queryset.filter(child_id__in=ids)
    else:
        rows = queryset.filter(child_id__gte=ids[0], child_id__lte=ids[-1])
    found = defaultdict(list)
    for row in rows.order_by():
        if row[0] in members:
            found[row[0]].append(row[1:])
    return found


def drift_assessments(
    *, as_of: dt.date, calendar: WorkingCalendar, children: QuerySet[Child] | None = None
) -> Iterator[tuple[Child, rules.Assessment]]:
    """(child, assessment) for every child looked after on ``as_of`` (of ``children``), for the rules
    whose data was imported."""
    evaluated, _ = drift_rules_evaluated()
    for child, record in drift_child_records(as_of=as_of, children=children):
        assessment = rules.assess(record, as_of=as_of, calendar=calendar, rules=evaluated)
        if assessment.looked_after:
            yield child, assessment


def drift_today() -> dt.date:
    return local_date(timezone.now())


# ----------------------------------------------------------------------------- flags


def drift_last_run() -> DriftRun | None:
    return DriftRun.objects.order_by("-as_of", "-started_at").first()


def drift_watched_from() -> dt.date | None:
    """The day of the first refresh: flags before it were never looked for. None if none has run."""
    return DriftRun.objects.order_by("as_of").values_list("as_of", flat=True).first()


def drift_reviews_recorded() -> bool:
    """Whether the 903's reviews were ever imported (else review timeliness cannot be told)."""
    evaluated, _ = drift_rules_evaluated()
    return any(rule in evaluated for rule in rules.REVIEW_RULES)


def drift_flags_visible_to(*, user: User) -> QuerySet[DriftFlag]:
    """Every flag (open or cleared) of the children ``user`` may see (child_visible_to's rule; for
    those who see every child, no filter at all, rather than a semi-join with every child)."""
    if user.sees_everything:
        return DriftFlag.objects.all()
    return DriftFlag.objects.filter(child__in=child_visible_to(user=user))


def _list_rows(queryset: QuerySet[DriftFlag]) -> QuerySet[DriftFlag]:
    return queryset.select_related("child", "child__team", "child__iro", "escalation")


def drift_flags_open_for(*, user: User) -> QuerySet[DriftFlag]:
    """The open flags ``user`` may see, most overdue first (the earliest due first)."""
    return _list_rows(drift_flags_visible_to(user=user).filter(cleared_on__isnull=True)).order_by(
        "due", "child__case_id", "rule"
    )


def drift_flags_cleared_for(*, user: User, since: dt.date) -> QuerySet[DriftFlag]:
    """The flags ``user`` may see cleared on or after ``since``, the latest first."""
    return _list_rows(drift_flags_visible_to(user=user).filter(cleared_on__gte=since)).order_by(
        "-cleared_on", "child__case_id", "rule"
    )


def drift_digest_counts(*, since: dt.date) -> dict[User, list[tuple[str, int]]]:
    """For the IROs' morning digest: for each active IRO, how many of their caseload's open flags of
    each rule were first seen on or after ``since`` (rules in the spec's order). Counts only: the
    digest never names a child."""
    rows = (
        DriftFlag.objects.filter(first_seen__gte=since, cleared_on__isnull=True, child__iro__is_active=True)
        .values_list("child__iro", "rule")
        .annotate(flags=Count("pk"))
        .order_by()
    )
    by_iro: dict[int, dict[str, int]] = defaultdict(dict)
    for iro_id, rule, flags in rows:
        by_iro[iro_id][rule] = flags
    iros = User.objects.in_bulk(list(by_iro))
    return {
        iros[iro_id]: [(rule, counts[rule]) for rule in rules.RULES if rule in counts]
        for iro_id, counts in sorted(by_iro.items())
    }


def drift_flag_search(
    *,
    user: User,
    status: str = "open",
    rule: str | None = None,
    team=None,
    iro=None,
    open_days: int | None = None,
    child_id: int | None = None,
    today: dt.date,
) -> QuerySet[DriftFlag]:
    """The service manager's list: flags filtered by status (open, cleared, or any), rule, the child's
    team, the child's IRO, and open for at least ``open_days`` days (counted to ``today`` for open
    flags, to the day cleared for cleared ones), or of one child (``child_id``: the API's filter).
    Most overdue first."""
    flags = drift_flags_visible_to(user=user)
    if child_id is not None:
        flags = flags.filter(child_id=child_id)
    if status == "open":
        flags = flags.filter(cleared_on__isnull=True)
    elif status == "cleared":
        flags = flags.filter(cleared_on__isnull=False)
    if rule:
        flags = flags.filter(rule=rule)
    if team is not None:
        flags = flags.filter(child__team=team)
    if iro is not None:
        flags = flags.filter(child__iro=iro)
    if open_days:
        flags = flags.annotate(
            lasted=ExpressionWrapper(F("cleared_on") - F("first_seen"), output_field=DurationField())
        ).filter(
            Q(cleared_on__isnull=True, first_seen__lte=today - dt.timedelta(days=open_days))
            | Q(cleared_on__isnull=False, lasted__gte=dt.timedelta(days=open_days))
        )
    return _list_rows(flags).order_by("due", "child__case_id", "rule")


def drift_rule_themes() -> dict[str, RuleTheme]:
    """The rule-to-theme map, by rule (for the *Raise an escalation* links)."""
    return {row.rule: row for row in RuleTheme.objects.select_related("theme", "subtheme")}


# ----------------------------------------------------------------------------- impact


@dataclass(frozen=True)
class ParticipationRow:
    code: str
    label: str
    reviews: int
    percent: float | None


@dataclass(frozen=True)
class Impact:
    start: dt.date
    end: dt.date
    flags_raised: int
    escalated: int
    cleared: int
    median_working_days_to_clear: float | None  # from the escalation's raising to the flag's clearing
    escalated_and_cleared: int  # how many that median is of
    reviews_held: int
    reviews_judged: int
    reviews_on_time: int
    reviews_not_judged: int  # the first known review of a period whose start is not known
    percent_on_time: float | None
    participation: list[ParticipationRow]


def drift_impact(*, start: dt.date, end: dt.date, calendar: WorkingCalendar) -> Impact:
    """What the drift watch found and what came of it, for the days ``start`` to ``end`` (both
    included), for the dashboard and the committee report:

    - flags raised: first seen in the period; of those, how many were escalated (an escalation
      raised by the period's end) and how many cleared by its end; the median working days from
      the escalation to the clearing (the working-day clock's count, as for responses);
    - review timeliness, as an IRO annual report gives it: the reviews held in the period (in a
      period of care, short breaks left out), judged by the R33 rules (:func:`drift.rules.review_timeliness`);
      the first known review of a period whose start is not known cannot be judged, and is counted apart;
    - the participation codes (PN0-PN7) of every review held in the period.
    """
    raised = list(
        DriftFlag.objects.filter(first_seen__gte=start, first_seen__lte=end)
        .select_related("escalation")
        .only("cleared_on", "escalation__raised_at")
    )
    escalated = [f for f in raised if f.escalation is not None and local_date(f.escalation.raised_at) <= end]
    cleared = [f for f in raised if f.cleared_on is not None and f.cleared_on <= end]
    days = [
        calendar.working_days_between(f.escalation.raised_at, _noon(f.cleared_on))
        for f in escalated
        if f.cleared_on is not None and f.cleared_on <= end and f.cleared_on >= local_date(f.escalation.raised_at)
    ]

    held = list(Review.objects.filter(date__gte=start, date__lte=end).values_list("child_id", "participation"))
    child_ids = sorted({child_id for child_id, _ in held})
    judged = []
    episodes = _rows_by_child(
        Episode.objects.values_list(
            "child_id", "start", "reason_new_episode", "legal_status", "placement_type", "end", "reason_ended"
        ),
        child_ids,
    )
    reviews = _rows_by_child(Review.objects.values_list("child_id", "date", "participation"), child_ids)
    for child_id in child_ids:
        record = rules.ChildRecord(
            case_id=str(child_id),
            episodes=tuple(rules.Episode(*row) for row in episodes.get(child_id, ())),
            reviews=tuple(rules.Review(*row) for row in reviews.get(child_id, ())),
        )
        judged += rules.review_timeliness(record, start=start, end=end, calendar=calendar)
    with_due = [j for j in judged if j.on_time is not None]
    on_time = sum(1 for j in with_due if j.on_time)
    codes = Counter(code for _, code in held)
    return Impact(
        start=start,
        end=end,
        flags_raised=len(raised),
        escalated=len(escalated),
        cleared=len(cleared),
        median_working_days_to_clear=median(days),
        escalated_and_cleared=len(days),
        reviews_held=len(held),
        reviews_judged=len(with_due),
        reviews_on_time=on_time,
        reviews_not_judged=len(judged) - len(with_due),
        percent_on_time=percent(on_time, len(with_due)),
        participation=[
            ParticipationRow(code, label, codes.get(code, 0), percent(codes.get(code, 0), len(held)))
            for code, label in REVIEW_PARTICIPATION.items()
        ],
    )


def financial_year_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The reporting year (1 April to 31 March) ``day`` falls in."""
    first = day.year if day.month >= 4 else day.year - 1
    return dt.date(first, 4, 1), dt.date(first + 1, 3, 31)


def impact_as_json(impact: Impact) -> dict:
    document = asdict(impact)
    document["start"], document["end"] = impact.start.isoformat(), impact.end.isoformat()
    return document


def impact_from_json(document: dict) -> Impact:
    values = dict(document)
    values["start"], values["end"] = dt.date.fromisoformat(values["start"]), dt.date.fromisoformat(values["end"])
    values["participation"] = [ParticipationRow(**row) for row in values["participation"]]
    return Impact(**values)


def drift_impact_latest(*, start: dt.date, end: dt.date, calendar: WorkingCalendar) -> Impact:
    """The impact for ``start`` to ``end`` as the last nightly refresh computed it (it stores the
    reporting year's), or computed now when that refresh did not (a few seconds for a national-scale
    council: the review timeliness reads every review and episode of the children reviewed)."""
    run = drift_last_run()
    stored = run.impact if run is not None else None
    if stored and stored["start"] == start.isoformat() and stored["end"] == end.isoformat():
        return impact_from_json(stored)
    return drift_impact(start=start, end=end, calendar=calendar)


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


# ----------------------------------------------------------------------------- a child's clocks


@dataclass(frozen=True)
class ClockRow:
    """One line of a child's clocks for their page."""

    heading: str
    last: str  # what happened last, as a sentence
    clock: rules.Clock | None  # what is due next (None: nothing is)
    evaluated: bool


@dataclass(frozen=True)
class ChildClocks:
    assessment: rules.Assessment
    rows: list[ClockRow]
    open_flags: list[DriftFlag]
    placement_label: str


def drift_child_clocks(*, child: Child, calendar: WorkingCalendar) -> ChildClocks:
    """The child's clocks as of today: reviews, visits, care plan, allocated worker and missing
    episodes, with what is due next, and their open flags. For the child's page."""
    today = drift_today()
    evaluated, _ = drift_rules_evaluated()
    assessment = rules.Assessment(case_id=child.case_id, as_of=today)
    for _, record in drift_child_records(as_of=today, children=Child.objects.filter(pk=child.pk)):
        assessment = rules.assess(record, as_of=today, calendar=calendar, rules=evaluated)
    clocks = assessment.clocks
    review = next((clocks[r] for r in rules.REVIEW_RULES if r in clocks), None)
    rows = [
        ClockRow(
            "Reviews",
            f"Last review {rules.long_date(assessment.reviews[-1].date)}"
            if assessment.reviews
            else "No review in this period of care",
            review,
            rules.R33_FIRST in evaluated,
        ),
        ClockRow(
            "Social worker visits",
            f"Last visit {rules.long_date(assessment.last_visit.date)}"
            if assessment.last_visit
            else "No visit in this placement",
            clocks.get(rules.R28_VISIT),
            rules.R28_VISIT in evaluated,
        ),
        ClockRow(
            "Care plan",
            f"On the system from {rules.long_date(assessment.care_plan.start)}"
            if assessment.care_plan
            else "No care plan on the system in this period of care",
            None if assessment.care_plan else clocks.get(rules.R4_CARE_PLAN),
            rules.R4_CARE_PLAN in evaluated,
        ),
        ClockRow(
            "Allocated social worker",
            _allocated(assessment.allocation),
            None if assessment.allocation else clocks.get(rules.NO_ALLOCATED_WORKER),
            rules.NO_ALLOCATED_WORKER in evaluated,
        ),
        ClockRow(
            "Missing episodes",
            _missing(assessment.missing),
            clocks.get(rules.MISSING_NOW),
            rules.MISSING_NOW in evaluated,
        ),
    ]
    if rules.STAYING_PUT in clocks:
        rows.append(
            ClockRow(
                "Staying put", "Aged 17 and a half or more, in a foster placement", clocks[rules.STAYING_PUT], True
            )
        )
    placement = assessment.placement
    return ChildClocks(
        assessment=assessment,
        rows=rows,
        open_flags=list(DriftFlag.objects.filter(child=child, cleared_on__isnull=True).select_related("escalation")),
        placement_label=PLACEMENT_TYPE.get(placement.placement_type, placement.placement_type) if placement else "",
    )


def _allocated(allocation: rules.Allocation | None) -> str:
    if allocation is None:
        return "None allocated today"
    role = f" ({allocation.role})" if allocation.role else ""
    team = f", {allocation.team}" if allocation.team else ""
    return f"{allocation.worker}{role}{team}, since {rules.long_date(allocation.start)}"


def _missing(missing: list[rules.MissingEpisode]) -> str:
    if not missing:
        return "None in this period of care"
    parts = []
    for episode in missing[-5:]:
        kind = "Missing" if episode.kind == rules.MISSING else "Away without authorisation"
        until = f" to {rules.long_date(episode.end)}" if episode.end else ", not yet ended"
        parts.append(f"{kind} from {rules.long_date(episode.start)}{until}")
    return "; ".join(parts)
