"""Writes for the drift watch: the daily refresh of the flags, and linking a flag to the escalation
raised from it.

:func:`drift_refresh` is what the nightly task calls (``drift.tasks.drift_refresh_nightly``, or
``python manage.py drift_refresh`` by hand): it assesses every child as of the day, then in one transaction adds the
flags found for the first time (``first_seen``), clears those no longer found (``cleared_on``),
and brings the due date and sentence of the others up to date. Run twice for the same day, the
second run changes nothing. :func:`drift_digest_queue` writes each IRO's morning digest of the
flags found since the last one.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from children.selectors import child_visible_to
from core.errors import DomainError, NotPermitted
from drift import selectors
from drift.models import DriftFlag, DriftRun
from drift.rules import RULE_LABELS
from escalations.models import Escalation
from notices.models import Notice, NoticeKind
from notices.services import notice_queue
from people.models import User
from workdays.clock import WorkingCalendar, local_date
from workdays.selectors import working_calendar

BATCH_SIZE = 2000
LOCK_KEY = 130013  # PostgreSQL advisory lock: one refresh at a time (issue 13)


@dataclass(frozen=True)
class RefreshResult:
    run: DriftRun
    seconds_assessing: float
    seconds_storing: float


def drift_refresh(*, as_of: dt.date | None = None, calendar: WorkingCalendar | None = None) -> RefreshResult:
    """Compute every child's flags as of ``as_of`` (default: today in London) and update the table.

    Refuses a day before the latest refresh's, which would rewrite when flags were first seen."""
    as_of = as_of or selectors.drift_today()
    calendar = calendar or working_calendar()
    started, clock = timezone.now(), time.perf_counter()
    _refuse_going_back(as_of)
    _, not_evaluated = selectors.drift_rules_evaluated()
    found: dict[tuple[int, str], tuple[dt.date | None, str]] = {}
    children = 0
    for child, assessment in selectors.drift_assessments(as_of=as_of, calendar=calendar):
        children += 1
        for flag in assessment.flags:
            found[(child.pk, flag.rule)] = (flag.due, flag.detail)
    assessing = time.perf_counter() - clock

    clock = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        _refuse_going_back(as_of)  # again, now that no other refresh can be storing
        created, cleared, updated = _store(found, as_of)
        start, end = selectors.financial_year_of(as_of)
        impact = selectors.drift_impact(start=start, end=end, calendar=calendar)
        run = DriftRun.objects.create(
            as_of=as_of,
            started_at=started,
            finished_at=timezone.now(),
            children=children,
            created=created,
            cleared=cleared,
            updated=updated,
            open=len(found),
            not_evaluated=not_evaluated,
            impact=selectors.impact_as_json(impact),
        )
    return RefreshResult(run=run, seconds_assessing=assessing, seconds_storing=time.perf_counter() - clock)


def _refuse_going_back(as_of: dt.date) -> None:
    last = selectors.drift_last_run()
    if last is not None and as_of < last.as_of:
        raise DomainError(
            f"The flags were last refreshed as of {last.as_of:%d/%m/%Y}; a refresh as of {as_of:%d/%m/%Y} "
            "would rewrite when flags were first seen and cleared.",
            field="as_of",
        )


def _store(found: dict, as_of: dt.date) -> tuple[int, int, int]:
    open_flags = {
        (child_id, rule): (pk, due, detail)
        for pk, child_id, rule, due, detail in DriftFlag.objects.filter(cleared_on__isnull=True).values_list(
            "pk", "child_id", "rule", "due", "detail"
        )
    }
    new = [
        DriftFlag(child_id=child_id, rule=rule, due=due, detail=detail, first_seen=as_of)
        for (child_id, rule), (due, detail) in found.items()
        if (child_id, rule) not in open_flags
    ]
    gone = [pk for key, (pk, _, _) in open_flags.items() if key not in found]
    changed = [
        DriftFlag(pk=pk, due=found[key][0], detail=found[key][1])
        for key, (pk, due, detail) in open_flags.items()
        if key in found and found[key] != (due, detail)
    ]
    DriftFlag.objects.bulk_create(new, batch_size=BATCH_SIZE)
    for i in range(0, len(gone), 900):
        DriftFlag.objects.filter(pk__in=gone[i : i + 900]).update(cleared_on=as_of)
    DriftFlag.objects.bulk_update(changed, ["due", "detail"], batch_size=BATCH_SIZE)
    return len(new), len(gone), len(changed)


@transaction.atomic
def drift_flag_link_escalation(*, flag_id: int, escalation: Escalation, by: User) -> DriftFlag:
    """Remember that ``escalation`` was raised from the flag, so the watch can show what came of it.

    The flag must be about one of the escalation's children, and one ``by`` may see."""
    try:
        flag = DriftFlag.objects.select_for_update().get(pk=flag_id)
    except DriftFlag.DoesNotExist:
        raise DomainError("The drift watch flag the escalation was raised from no longer exists.") from None
    if not child_visible_to(user=by).filter(pk=flag.child_id).exists():
        raise NotPermitted("The drift watch flag is about a child outside your caseload.")
    if not escalation.children.filter(pk=flag.child_id).exists():
        raise DomainError(
            "The escalation is not about the child of the drift watch flag, so the flag was not linked to it."
        )
    if flag.escalation_id not in (None, escalation.pk):
        raise DomainError(f"The drift watch flag is already linked to {flag.escalation.reference}.")
    flag.escalation = escalation
    flag.save(update_fields=["escalation"])
    return flag


@transaction.atomic
def drift_digest_queue(*, now: dt.datetime | None = None, calendar: WorkingCalendar | None = None) -> list[Notice]:
    """Each working morning: one notice for each IRO whose children have flags first seen since the
    last working day's digest (after the weekend, the weekend's too), by rule and count only; none
    for an IRO with nothing new. If the night's refresh has not run (a worker was stopped), it runs
    first, so the digest is never a day behind."""
    now = now or timezone.now()
    calendar = calendar or working_calendar()
    today = local_date(now)
    latest = selectors.drift_last_run()
    if latest is None or latest.as_of < today:
        drift_refresh(as_of=today, calendar=calendar)
    since = calendar.previous_working_day(today) + dt.timedelta(days=1)
    written = []
    for iro, counts in selectors.drift_digest_counts(since=since).items():
        items = [
            {"line": f"{RULE_LABELS[rule]}: {flags} {'child' if flags == 1 else 'children'}"} for rule, flags in counts
        ]
        written += notice_queue(kind=NoticeKind.DRIFT_DIGEST, recipients=[iro], day=today, items=items, send_after=now)
    return written
