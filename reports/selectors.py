"""The committee report, computed from the records.

:func:`report_build` returns one plain, JSON-ready dictionary. Every output (HTML, PDF, Word,
Excel, JSON) renders that same object, so the numbers are the same everywhere. Its shape is
documented in ``docs/report-json.md`` and versioned by ``schema``.

An escalation belongs to the period in which it was raised. Outcomes are as they stood at the end
of the period, so a report for a past year does not change when later work closes an escalation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from background.selectors import heartbeat_stale, worker_alive, workers_alive
from children.models import Child
from core.formats import format_date
from core.kept import kept_unchanged
from core.numbers import median, percent, percentile_nearest_rank
from drift.selectors import drift_impact_latest, drift_reviews_recorded, drift_watched_from
from escalations.models import Escalation, Step
from ladder.models import Stage
from ladder.selectors import ladder_settings
from reports.disclosure import suppress
from reports.identifiers import identifiers_fingerprint, stored_postcodes
from reports.models import (
    CaseStory,
    IssuedReport,
    IssueJob,
    IssueJobStatus,
    OverrideStatus,
    Paper,
    PaperSection,
    ReportSettings,
    ReportSnapshot,
    TextOverride,
)
from reports.periods import Period
from reports.rules import first_response_within_days, first_response_within_hours_q
from themes.models import DriftReason, Outcome, SubTheme, Theme
from workdays.clock import local_date
from workdays.selectors import working_calendar

SCHEMA = "iro-escalations/committee-report/3"
SENIOR_STAGE_CODE = "head_of_service"
THEMES_NOTE = (
    "An escalation can be about more than one theme, so the theme counts can add up to more than "
    "the number of escalations. Percentages are of all escalations in the period."
)


def report_settings() -> ReportSettings:
    settings, _ = ReportSettings.objects.get_or_create(id=ReportSettings.SINGLETON_ID)
    return settings


def escalations_in(period: Period):
    return Escalation.objects.filter(raised_at__gte=period.starts_at, raised_at__lt=period.ends_at)


def report_build(*, period: Period, now: dt.datetime | None = None) -> dict:
    """The whole committee report for ``period``, as it stands at ``now``; without ``now``, as it
    stands now, kept while the records are unchanged and for the rest of the minute
    (``core.kept.kept_unchanged``: a write to any record makes a new one)."""
    if now is not None:
        return _report_computed(period, now)
    now = timezone.now()
    return kept_unchanged("report", period.as_json(), lambda: _report_computed(period, now), now=now)


def _report_computed(period: Period, now: dt.datetime) -> dict:
    """Compute the whole committee report for ``period``, as it stands at ``now``.

    A period that has not ended is reported so far: its outcomes are as they stand now, and it is
    compared with the same part of the year before (:func:`_comparison`).

    The counting and grouping is SQL's (:func:`_tally`: one grouped query for the period's counts;
    :func:`_local_date_pairs` for the spans the working-day clock judges, as local dates with how
    many escalations or steps share each pair); Python keeps the working-day arithmetic, on dates,
    and the shaping.
    """
    today = local_date(now)
    ladder = ladder_settings()
    calendar = working_calendar()
    settings = report_settings()
    stages = list(Stage.objects.order_by("order"))
    escalations = escalations_in(period)
    tally = _tally(escalations, hours=ladder.first_response_hours, ends_at=min(period.ends_at, now))
    total = _sum(tally, "escalations")
    with_theme = (
        Escalation.themes.through.objects.filter(escalation__in=escalations).values("escalation_id").distinct().count()
    )
    summary = _summary(escalations, tally, stages, ladder.first_response_hours)
    report = {
        "schema": SCHEMA,
        "title": "Independent Reviewing Officer (IRO) escalations",
        "classification": settings.classification,
        "period": _period_json(period, today),
        **summary,
        "theme_not_recorded": total - with_theme,
        "themes_note": THEMES_NOTE,
        "themes": _themes(escalations, total),
        "stages": _stages(tally, stages),
        "timeliness": _timeliness(
            tally, escalations, stages, ladder, calendar, total, within=summary["first_response_within_24h"]
        ),
        "drift": _drift(escalations, period, calendar, now, ladder.first_response_hours),
        "outcomes": _outcomes_at_end(tally, period, now),
        "monthly": _monthly(escalations, period),
        "stories": _stories(period),
        "data_quality": _data_quality(escalations, tally, total, with_theme, ladder, calendar, period, now),
        "drift_watch": _drift_watch(period, calendar),
    }
    report["themes"].append(
        {
            "code": "not_recorded",
            "label": "No theme recorded",
            "escalations": report["theme_not_recorded"],
            "percent": percent(report["theme_not_recorded"], total),
            "children": None,
            "subthemes": [],
        }
    )
    report["comparison"] = _comparison(report, period, today, stages, ladder.first_response_hours, now)
    if settings.classification == "open" and settings.suppress_small_numbers:
        report = suppress_small_numbers(report, settings.small_number_threshold)
    return report


def _period_json(period: Period, today: dt.date) -> dict:
    """The period, whether it has ended, and the last day its figures cover (today, if it has not)."""
    complete = period.is_complete_on(today)
    return {
        **period.as_json(),
        "complete": complete,
        "figures_to": period.end.isoformat() if complete else max(period.start, today).isoformat(),
    }


# --- counting in SQL -----------------------------------------------------------------------------

_DATES_ALONE = Q(raised_date_only=True) | Q(first_response_date_only=True)
_RECORDED = Q(first_response_at__isnull=False)


def _tally(escalations, *, hours: int, ends_at: dt.datetime) -> list[dict]:
    """The escalations' counts in one grouped query: a row per (most senior stage reached, outcome),
    each with how many escalations, first responses recorded, timed first responses within
    ``hours`` (:func:`~reports.rules.first_response_within_hours_q`; those on dates alone are
    :func:`_first_responses_within`'s), first responses judged on dates alone, Cafcass referrals,
    formal escalations closed, and closed before ``ends_at`` or still open at it."""
    return list(
        escalations.order_by()
        .values("highest_stage_id", "outcome_id")
        .annotate(
            escalations=Count("*"),
            recorded=Count("pk", filter=_RECORDED),
            within_hours=Count("pk", filter=first_response_within_hours_q(hours)),
            dates_alone=Count("pk", filter=_RECORDED & _DATES_ALONE),
            cafcass=Count("pk", filter=Q(cafcass_referred_on__isnull=False)),
            closed_formal=Count("pk", filter=Q(formal_started_at__isnull=False, closed_at__isnull=False)),
            closed_by_end=Count("pk", filter=Q(closed_at__lt=ends_at)),
            open_at_end=Count("pk", filter=Q(closed_at__isnull=True) | Q(closed_at__gte=ends_at)),
        )
    )


def _sum(tally: list[dict], column: str, key: str | None = None) -> int | Counter:
    """A column's total over the tally, or (``key``) its totals by another column."""
    if key is None:
        return sum(row[column] for row in tally)
    totals = Counter()
    for row in tally:
        totals[row[key]] += row[column]
    return totals


def _local_date_pairs(queryset, start: str, end: str) -> list[tuple[dt.date, dt.date, int]]:
    """(local date of ``start``, local date of ``end``, how many rows) for the rows with both set:
    what the working-day clock needs, grouped in SQL (many rows share a pair of days)."""
    zone = timezone.get_default_timezone()  # workdays.clock.local_date's zone
    return list(
        queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False})
        .order_by()
        .annotate(from_day=TruncDate(start, tzinfo=zone), to_day=TruncDate(end, tzinfo=zone))
        .values_list("from_day", "to_day")
        .annotate(n=Count("*"))
    )


def _working_days(calendar, pairs: list[tuple[dt.date, dt.date, int]]) -> list[int]:
    """Each row's working days (the clock's arithmetic once a pair of dates), as a list of values."""
    days = []
    for start, end, n in pairs:
        days.extend([calendar.working_days_from(start, end)] * n)
    return days


def _first_responses_within(escalations, tally: list[dict], hours: int) -> int:
    """First responses within ``hours``: the timed ones counted in the tally, and those judged on
    dates alone from their local dates (:func:`~reports.rules.first_response_within_days`)."""
    on_dates = _local_date_pairs(escalations.filter(_DATES_ALONE), "raised_at", "first_response_at")
    return _sum(tally, "within_hours") + sum(
        n
        for raised_on, first_response_on, n in on_dates
        if first_response_within_days(raised_on=raised_on, first_response_on=first_response_on, hours=hours)
    )


# --- parts ---------------------------------------------------------------------------------------


def _senior_order(stages: list[Stage]) -> int | None:
    return next((s.order for s in stages if s.code == SENIOR_STAGE_CODE), None)


def _summary(escalations, tally: list[dict], stages: list[Stage], hours: int) -> dict:
    by_stage = _sum(tally, "escalations", key="highest_stage_id")
    senior_order = _senior_order(stages)
    total = _sum(tally, "escalations")
    formal = sum(by_stage.get(stage.pk, 0) for stage in stages if stage.formal)
    return {
        "escalations": total,
        "informal": total - formal,
        "formal": formal,
        "children": Escalation.children.through.objects.filter(escalation__in=escalations)
        .values("child_id")
        .distinct()
        .count(),
        "first_response_within_24h": _first_responses_within(escalations, tally, hours),
        "reached_head_of_service_or_above": sum(
            by_stage.get(stage.pk, 0) for stage in stages if senior_order is not None and stage.order >= senior_order
        ),
        "cafcass_referrals": _sum(tally, "cafcass"),
    }


def _themes(escalations, total: int) -> list[dict]:
    theme_through = Escalation.themes.through.objects.filter(escalation__in=escalations)
    counts = dict(theme_through.values_list("theme_id").annotate(n=Count("escalation_id", distinct=True)))
    children = dict(
        Escalation.children.through.objects.filter(escalation__in=escalations)
        .values_list("escalation__themes")
        .annotate(n=Count("child_id", distinct=True))
    )
    sub_counts = dict(
        Escalation.subthemes.through.objects.filter(escalation__in=escalations)
        .values_list("subtheme_id")
        .annotate(n=Count("escalation_id", distinct=True))
    )
    subthemes = defaultdict(list)
    for sub in SubTheme.objects.order_by("order", "label"):
        if sub.active or sub.pk in sub_counts:
            subthemes[sub.theme_id].append(
                {"code": sub.code, "label": sub.label, "escalations": sub_counts.get(sub.pk, 0)}
            )
    rows = []
    for theme in Theme.objects.order_by("order", "label"):
        count = counts.get(theme.pk, 0)
        if not theme.active and not count:
            continue
        rows.append(
            {
                "code": theme.code,
                "label": theme.label,
                "escalations": count,
                "percent": percent(count, total),
                "children": children.get(theme.pk, 0),
                "subthemes": subthemes[theme.pk],
            }
        )
    rows.sort(key=lambda row: -row["escalations"])  # stable: ties keep the ladder of domain.md
    return rows


def _stages(tally: list[dict], stages: list[Stage]) -> list[dict]:
    """Escalations by the most senior stage reached, in ladder order, with whether each stage is
    formal and whether it counts as "head of service or above"."""
    counts = _sum(tally, "escalations", key="highest_stage_id")
    senior_order = _senior_order(stages)
    return [
        {
            "code": stage.code,
            "label": stage.label,
            "escalations": counts.get(stage.pk, 0),
            "formal": stage.formal,
            "head_of_service_or_above": senior_order is not None and stage.order >= senior_order,
        }
        for stage in stages
        if stage.active or counts.get(stage.pk)
    ]


def _timeliness(tally, escalations, stages: list[Stage], ladder, calendar, total: int, *, within: int) -> dict:
    """``within``: the first responses within the ladder's hours, as the summary counted them."""
    hours = ladder.first_response_hours
    recorded = _sum(tally, "recorded")

    # Each step is judged, and shown, against the target it was sent with (stored on the step), never
    # the ladder's current target: a later change to the ladder rewrites no past report.
    steps = Step.objects.filter(escalation__in=escalations)
    per_target = {
        (stage_id, target): (responses, on_time)
        for stage_id, target, responses, on_time in steps.order_by()
        .values_list("stage_id", "target_working_days")
        .annotate(responses=Count("responded_at"), on_time=Count("pk", filter=Q(responded_at__lt=F("due_at"))))
    }
    response_days = _working_days(calendar, _local_date_pairs(steps, "sent_at", "responded_at"))
    stage_targets = []
    for stage in stages:
        targets = sorted(target for stage_id, target in per_target if stage_id == stage.pk)
        if not targets and stage.active:
            targets = [None]  # no step was sent at this stage in the period: no target to show
        for target in targets:
            responses, on_time = per_target.get((stage.pk, target), (0, 0))
            stage_targets.append(
                {
                    "key": f"{stage.code}:{'none' if target is None else target}",
                    "code": stage.code,
                    "label": stage.label,
                    "target_working_days": target,
                    "responses": responses,
                    "within_target": on_time,
                    "percent": percent(on_time, responses),
                }
            )

    cap = ladder.process_cap_working_days
    capped = _local_date_pairs(escalations, "formal_started_at", "closed_at")
    closed_formal = sum(n for _, _, n in capped)
    within_cap = sum(n for start, end, n in capped if calendar.working_days_from(start, end) <= cap)
    return {
        "first_response_hours": hours,
        "first_response_recorded": recorded,
        "first_response_within_24h": within,
        "first_response_within_24h_percent": percent(within, total),
        "first_response_judged_on_dates_alone": _sum(tally, "dates_alone"),
        "stage_targets": stage_targets,
        "process_cap_working_days": cap,
        "closed_formal": closed_formal,
        "closed_within_cap": within_cap,
        "closed_within_cap_percent": percent(within_cap, closed_formal),
        "responses": len(response_days),
        "median_response_working_days": median(response_days),
        "p90_response_working_days": percentile_nearest_rank(response_days, 90),
    }


def _drift(escalations, period: Period, calendar, now: dt.datetime, hours: int) -> dict:
    drift = escalations.filter(themes__code=Theme.DRIFT)
    children = Child.objects.filter(escalations__in=drift).distinct()
    groups = Counter(children.exclude(sibling_group=None).values_list("sibling_group_id", flat=True))
    families = {group: n for group, n in groups.items() if n > 1}
    reasons = dict(
        DriftReason.objects.filter(escalations__in=drift)
        .values_list("pk")
        .annotate(n=Count("escalations", distinct=True))
    )
    tally = _tally(drift, hours=hours, ends_at=min(period.ends_at, now))
    first_days = _working_days(calendar, _local_date_pairs(drift, "raised_at", "first_response_at"))
    return {
        "escalations": _sum(tally, "escalations"),
        "children": children.count(),
        "sibling_groups": len(families),
        "children_in_sibling_groups": sum(families.values()),
        "reasons": [
            {"code": reason.code, "label": reason.label, "escalations": reasons.get(reason.pk, 0)}
            for reason in DriftReason.objects.order_by("order")
            if reason.active or reasons.get(reason.pk)
        ],
        "outcomes": _outcomes_at_end(tally, period, now),
        "responses": len(first_days),
        "median_first_response_working_days": median(first_days),
        "max_first_response_working_days": max(first_days) if first_days else None,
    }


def _drift_watch(period: Period, calendar) -> dict:
    """What the drift watch found in the period and what came of it, and the review timeliness and
    participation an IRO annual report gives (``drift.selectors.drift_impact``: flags first seen in
    the period, escalated and cleared by its end; reviews held in it). Counts that cannot be told are
    ``None``: the flags before the first refresh, the reviews before the 903's are imported."""
    watched_from = drift_watched_from()
    reviews_recorded = drift_reviews_recorded()
    if watched_from is None and not reviews_recorded:
        impact = None
    else:
        impact = drift_impact_latest(start=period.start, end=period.end, calendar=calendar)
    flags = impact if watched_from is not None and watched_from <= period.end else None
    reviews = impact if reviews_recorded else None

    def of(source, name):
        return getattr(source, name) if source is not None else None

    return {
        "watched_from": watched_from.isoformat() if watched_from else None,
        "flags_raised": of(flags, "flags_raised"),
        "escalated": of(flags, "escalated"),
        "cleared": of(flags, "cleared"),
        "escalated_and_cleared": of(flags, "escalated_and_cleared"),
        "median_working_days_to_clear": of(flags, "median_working_days_to_clear"),
        "reviews_recorded": reviews_recorded,
        "reviews_held": of(reviews, "reviews_held"),
        "reviews_judged": of(reviews, "reviews_judged"),
        "reviews_on_time": of(reviews, "reviews_on_time"),
        "reviews_on_time_percent": of(reviews, "percent_on_time"),
        "reviews_not_judged": of(reviews, "reviews_not_judged"),
        "participation": [
            {"code": row.code, "label": row.label, "reviews": row.reviews, "percent": row.percent}
            for row in (reviews.participation if reviews is not None else [])
        ],
    }


def _outcomes_at_end(tally: list[dict], period: Period, now: dt.datetime) -> list[dict]:
    """Resolved, not resolved, withdrawn, and still open: as they stood at the end of the period, or,
    for a period that has not ended, as they stand now ("so far"). The tally counted them against
    the earlier of the two (:func:`_tally`'s ``ends_at``)."""
    complete = now >= period.ends_at
    closed = _sum(tally, "closed_by_end", key="outcome_id")
    still_open = "Open at the end of the period" if complete else "Still open (so far)"
    return [
        {"code": o.code, "label": o.label, "escalations": closed.get(o.pk, 0)}
        for o in Outcome.objects.order_by("order")
    ] + [{"code": "open_at_end", "label": still_open, "escalations": _sum(tally, "open_at_end")}]


def _monthly(escalations, period: Period) -> list[dict]:
    counts = {
        timezone.localtime(month).date() if isinstance(month, dt.datetime) else month: n
        for month, n in escalations.annotate(month=TruncMonth("raised_at")).values_list("month").annotate(n=Count("id"))
    }
    return [
        {"month": month.strftime("%Y-%m"), "label": month.strftime("%B %Y"), "escalations": counts.get(month, 0)}
        for month in period.months()
    ]


def report_stories(period: Period):
    """The stories the report for ``period`` prints, in its order (story 1 first)."""
    return CaseStory.objects.filter(escalation__in=escalations_in(period), include_in_report=True).order_by(
        "escalation__raised_at", "pk"
    )


def _stories(period: Period) -> list[dict]:
    return [
        {"number": n, "text": story.text, "what_happened_next": story.what_happened_next}
        for n, story in enumerate(report_stories(period), start=1)
    ]


def _data_quality(escalations, tally, total, with_theme, ladder, calendar, period: Period, now) -> list[dict]:
    ends_at = period.ends_at
    until = local_date(min(now, ends_at))
    cap = ladder.process_cap_working_days
    zone = timezone.get_default_timezone()  # workdays.clock.local_date's zone
    open_formal = (
        escalations.filter(formal_started_at__isnull=False)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=ends_at))
        .order_by()
        .annotate(from_day=TruncDate("formal_started_at", tzinfo=zone))
        .values_list("from_day")
        .annotate(n=Count("*"))
    )
    open_past_cap = sum(n for start, n in open_formal if calendar.working_days_from(start, until) > cap)
    return [
        {"code": "no_theme", "label": "Escalations with no theme recorded", "escalations": total - with_theme},
        {
            "code": "no_first_response",
            "label": "Escalations with no first response recorded",
            "escalations": total - _sum(tally, "recorded"),
        },
        {"code": "open_past_cap", "label": f"Still open past the {cap}-working-day cap", "escalations": open_past_cap},
        {
            "code": "dates_alone",
            "label": "First response judged on dates alone (no time recorded)",
            "escalations": _sum(tally, "dates_alone"),
        },
    ]


def _comparison(report: dict, period: Period, today: dt.date, stages: list[Stage], hours: int, now) -> dict:
    """The period against the same dates a year earlier.

    - A financial year that has ended: the financial year before.
    - A period that has not ended (the current year, say): the part of it so far, 1 April to today,
      against the same part of the year before, 1 April to the same day a year earlier.
    - Any other range: the same dates a year earlier.

    When the earlier period has no records at all there is nothing to compare with: ``available``
    is false, ``previous`` and ``change`` are null, and the note says so (never "+184").
    """
    complete = period.is_complete_on(today)
    current = period.so_far(today)
    previous = current.previous()
    if not complete:
        basis = "same_part_of_previous_year"
        note = (
            f"{period.label} has not ended: {_span(current)} is compared with the same part of the year "
            f"before, {_span(previous)}."
        )
    elif period.is_financial_year:
        basis, note = "previous_financial_year", f"{period.label} is compared with {previous.label}."
    else:
        basis, note = "same_dates_a_year_earlier", f"{_span(current)} is compared with the same dates a year earlier."
    escalations = escalations_in(previous)
    tally = _tally(escalations, hours=hours, ends_at=min(previous.ends_at, now))
    before = _summary(escalations, tally, stages, hours)
    available = before["escalations"] > 0
    if not available:
        note = f"No records for {previous.label}, so there is nothing to compare with."
    theme_counts = dict(
        Escalation.themes.through.objects.filter(escalation__in=escalations)
        .values_list("theme__code")
        .annotate(n=Count("escalation_id", distinct=True))
    )
    measures = [
        ("escalations", "Escalations", report["escalations"], before["escalations"]),
        ("children", "Children", report["children"], before["children"]),
        (
            "first_response_within_24h",
            f"First response within {hours} hours",
            report["first_response_within_24h"],
            before["first_response_within_24h"],
        ),
        (
            "reached_head_of_service_or_above",
            "Reached head of service or above",
            report["reached_head_of_service_or_above"],
            before["reached_head_of_service_or_above"],
        ),
        ("cafcass_referrals", "Cafcass referrals", report["cafcass_referrals"], before["cafcass_referrals"]),
    ] + [
        (f"theme:{row['code']}", row["label"], row["escalations"], theme_counts.get(row["code"], 0))
        for row in report["themes"]
        if row["code"] != "not_recorded"
    ]
    return {
        "period": previous.as_json(),
        "current_period": current.as_json(),
        "basis": basis,
        "available": available,
        "note": note,
        "measures": [
            {
                "code": code,
                "label": label,
                "current": now,
                "previous": then if available else None,
                "change": now - then if available else None,
            }
            for code, label, now, then in measures
        ],
    }


def _span(period: Period) -> str:
    return f"{format_date(period.start)} to {format_date(period.end)}"


# --- small numbers -------------------------------------------------------------------------------


def suppress_small_numbers(report: dict, threshold: int) -> dict:
    """Hide counts from 1 to threshold-1, and every count they could be worked out from
    (:mod:`reports.disclosure`: primary and secondary suppression)."""
    return suppress(report, threshold)


# --- for the report pages ------------------------------------------------------------------------


def report_years(*, today: dt.date | None = None) -> list[str]:
    """Financial years from the first escalation on record to the current one, newest first."""
    today = today or timezone.localdate()
    current = today.year if today.month >= 4 else today.year - 1
    first_raised = Escalation.objects.order_by("raised_at").values_list("raised_at", flat=True).first()
    first = current
    if first_raised is not None:
        raised = timezone.localtime(first_raised).date()
        first = raised.year if raised.month >= 4 else raised.year - 1
    return [f"{year}-{(year + 1) % 100:02d}" for year in range(current, first - 1, -1)]


def default_period(*, today: dt.date | None = None) -> Period:
    """The last complete financial year: what the committee usually asks for."""
    today = today or timezone.localdate()
    current = today.year if today.month >= 4 else today.year - 1
    return Period.financial_year(f"{current - 1}-{current % 100:02d}")


def escalation_facts(*, period: Period, now: dt.datetime | None = None) -> dict[str, dict]:
    """Each escalation raised in ``period``, by reference, with the facts "what changed since issuing"
    compares: outcome and when closed, the most senior stage reached, themes, children, first
    response, Cafcass. Stored with an issued version; never printed in a report."""
    escalations = escalations_in(period)
    themes = defaultdict(list)
    for escalation_id, label in (
        Escalation.themes.through.objects.filter(escalation__in=escalations)
        .order_by("theme__order", "theme__label")
        .values_list("escalation_id", "theme__label")
    ):
        themes[escalation_id].append(label)
    children = dict(
        Escalation.children.through.objects.filter(escalation__in=escalations)
        .values_list("escalation_id")
        .annotate(n=Count("child_id"))
    )
    facts = {}
    for row in escalations.order_by("raised_at", "pk").values(
        "id",
        "reference",
        "outcome__label",
        "closed_at",
        "highest_stage__label",
        "first_response_at",
        "cafcass_referred_on",
    ):
        facts[row["reference"]] = {
            "outcome": row["outcome__label"] or "open",
            "closed_on": local_date(row["closed_at"]).isoformat() if row["closed_at"] else None,
            "highest_stage": row["highest_stage__label"] or "",
            "themes": themes.get(row["id"], []),
            "children": children.get(row["id"], 0),
            "first_response": row["first_response_at"] is not None,
            "cafcass": row["cafcass_referred_on"] is not None,
        }
    return facts


def issued_reports(*, period: Period):

    return IssuedReport.objects.filter(period_start=period.start, period_end=period.end).select_related("issued_by")


def issued_report_list():
    """Every issued version of the committee report, newest period first, without their files."""
    return (
        IssuedReport.objects.select_related("issued_by")
        .defer("pdf", "docx", "xlsx", "html", "data", "escalations")
        .order_by("-period_start", "-period_end", "-version")
    )


def issued_report_get(pk: int) -> IssuedReport:
    """One issued version with its JSON (``IssuedReport.DoesNotExist`` if there is none)."""
    return IssuedReport.objects.select_related("issued_by").defer("pdf", "docx", "xlsx", "html").get(pk=pk)


@dataclass(frozen=True)
class IssueJobState:
    job: IssueJob
    stalled: bool  # started, but its worker has stopped: it will not finish
    no_worker: bool  # waiting, and no background worker is running to take it

    @property
    def finished(self) -> bool:
        return self.job.finished or self.stalled


def issue_job_state(job: IssueJob) -> IssueJobState:
    """How an issue job stands (see ``imports.selectors.import_job_state`` for the same rule)."""
    alive = workers_alive()
    if job.status == IssueJobStatus.RUNNING:
        quiet = job.started_at is None or timezone.now() - job.started_at > heartbeat_stale()
        return IssueJobState(job=job, stalled=quiet and not worker_alive(job.worker_id), no_worker=False)
    return IssueJobState(job=job, stalled=False, no_worker=job.status == IssueJobStatus.QUEUED and alive == 0)


def issued_report_pages():
    """The issued versions, with who issued them, for opening one by its id."""
    return IssuedReport.objects.select_related("issued_by")


def issue_job_list():
    """Issue jobs with who asked and what they issued, for opening one by its id."""
    return IssueJob.objects.select_related("requested_by", "issued")


def text_overrides_of(*, subject: str, text: str):
    """The overrides asked for this very text of ``subject``, with who asked and who decided."""
    return TextOverride.objects.filter(subject=subject, text=text).select_related("requested_by", "decided_by")


def text_overrides_pending():
    """Overrides waiting for a second person."""
    return TextOverride.objects.filter(status=OverrideStatus.PENDING).select_related("requested_by")


def text_overrides_decided(*, limit: int = 20):
    """The overrides decided lately, newest first."""
    return (
        TextOverride.objects.exclude(status=OverrideStatus.PENDING)
        .select_related("requested_by", "decided_by")
        .order_by("-decided_at")[:limit]
    )


def report_snapshot_of(period: Period) -> ReportSnapshot | None:
    """The report page's content for ``period`` as last made (``reports.services.report_page_content``)."""
    return ReportSnapshot.objects.filter(period_start=period.start, period_end=period.end).first()


# What, besides the figures, decides what the report may print: the texts and their overrides, the
# publication settings, the issued versions it is compared with (not their stored content).
_PRINTED_FROM = (
    (CaseStory, None),
    (TextOverride, None),
    (Paper, None),
    (PaperSection, None),
    (ReportSettings, None),
    (IssuedReport, ("id", "period_start", "period_end", "version")),
)


def report_inputs_key() -> str:
    """A sha256 of everything but the figures that decides what the report page may show: every
    case story, override, paper and section, the report settings, which versions were issued, and
    the identifier check's sources (``identifiers_fingerprint``, ``stored_postcodes``). The report
    page shows figures made before a write only while this is unchanged
    (``reports.services.report_page_content``), so a story taken out, a text edited, a setting
    changed or a new identifier that an old text would now fail is never shown from before. Kept
    while the records are unchanged (``core.kept.kept_unchanged``): every request that finds the page
    old asks for it, and the identifiers' fingerprint scans every child."""
    return kept_unchanged("report-inputs", None, _report_inputs_computed)


def _report_inputs_computed() -> str:
    rows = {
        model._meta.label_lower: list(
            model.objects.order_by("pk").values_list(*(fields or [f.attname for f in model._meta.concrete_fields]))
        )
        for model, fields in _PRINTED_FROM
    }
    rows["identifiers"] = identifiers_fingerprint()
    rows["postcodes"] = stored_postcodes()
    text = json.dumps(rows, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()
