"""The service manager's dashboard, computed in a fixed number of queries whatever the number of
escalations.

Every count uses the same definitions as *All escalations* (``escalations.selectors``: the current
stage, :func:`~escalations.selectors.escalation_overdue`, raised between local days), so each
count equals the length of the filtered list it links to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.kept import kept_unchanged
from core.numbers import percent
from escalations.models import Escalation, EscalationStatus
from escalations.selectors import escalation_overdue, escalation_visible_to, local_day_start
from ladder.models import Stage
from people.models import User
from reports.periods import Period
from themes.models import Theme

TREND_MONTHS = 12


@dataclass(frozen=True)
class StageCount:
    stage: Stage
    escalations: int


@dataclass(frozen=True)
class ThemeCount:
    theme: Theme | None  # None: the "no theme recorded" row
    label: str
    escalations: int
    percent: float | None


@dataclass(frozen=True)
class MonthCount:
    start: dt.date  # the first day of the month
    end: dt.date  # its last day
    escalations: int

    @property
    def label(self) -> str:
        return self.start.strftime("%B %Y")


@dataclass(frozen=True)
class Dashboard:
    open_by_stage: list[StageCount]
    open_total: int
    overdue: int
    year: Period
    year_total: int
    themes: list[ThemeCount]
    trend: Period
    months: list[MonthCount]


def reporting_year(*, today: dt.date) -> Period:
    """The reporting (financial) year ``today`` falls in: 1 April to 31 March."""
    first = today.year if today.month >= 4 else today.year - 1
    return Period.financial_year(f"{first}-{(first + 1) % 100:02d}")


def trend_period(*, today: dt.date, months: int = TREND_MONTHS) -> Period:
    """The last ``months`` calendar months, this one included (so far): its first day to ``today``."""
    start = today.replace(day=1)
    for _ in range(months - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return Period.between(start, today)


def _month_end(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _raised_between(start: dt.date, end: dt.date) -> Q:
    """Raised on a local day from ``start`` to ``end``, both included (as the list's filter)."""
    return Q(raised_at__gte=local_day_start(start), raised_at__lt=local_day_start(end + dt.timedelta(days=1)))


def _local_month(month: dt.datetime | dt.date) -> dt.date:
    """TruncMonth's value (midnight on the 1st in the current time zone; a date on some backends) as
    the month's first day."""
    return timezone.localtime(month).date() if isinstance(month, dt.datetime) else month


def dashboard_build(*, user: User, now: dt.datetime | None = None) -> Dashboard:
    """The dashboard as ``user`` may see it at ``now``; without ``now``, as it stands now, kept while
    the records are unchanged and for the rest of the minute (``core.kept.kept_unchanged``)."""
    if now is not None:
        return _dashboard_computed(user, now)
    now = timezone.now()
    scope = "everything" if user.sees_everything else user.pk
    return kept_unchanged("dashboard", {"scope": scope}, lambda: _dashboard_computed(user, now), now=now)


def _dashboard_computed(user: User, now: dt.datetime) -> Dashboard:
    today = timezone.localtime(now).date()
    visible = escalation_visible_to(user=user)

    # Open escalations by current stage: every active stage, and any retired one still holding some.
    # Counted from the open escalations' own index (esc_open_stage_idx: current stage, open only), so
    # PostgreSQL reads the open rows' index entries, not the table (COUNT(*): no other column needed).
    open_counts = dict(
        visible.filter(status=EscalationStatus.OPEN).order_by().values_list("current_stage_id").annotate(n=Count("*"))
    )
    open_by_stage = [
        StageCount(stage, open_counts.get(stage.pk, 0))
        for stage in Stage.objects.order_by("order")
        if stage.active or open_counts.get(stage.pk)
    ]

    overdue = (visible & escalation_overdue(now=now)).count()

    # This reporting year by theme. An escalation can carry several themes, so the rows can add up
    # to more than the total; percentages are of all escalations raised in the year (core.numbers).
    year = reporting_year(today=today)
    in_year = visible.filter(_raised_between(year.start, year.end))
    year_total = in_year.count()
    through = Escalation.themes.through.objects.filter(escalation__in=in_year)
    theme_counts = dict(through.order_by().values_list("theme_id").annotate(n=Count("escalation_id", distinct=True)))
    with_theme = through.order_by().values("escalation_id").distinct().count()
    themes = [
        ThemeCount(
            theme, theme.label, theme_counts.get(theme.pk, 0), percent(theme_counts.get(theme.pk, 0), year_total)
        )
        for theme in Theme.objects.order_by("order", "label")
        if theme.active or theme_counts.get(theme.pk)
    ]
    themes.sort(key=lambda row: -row.escalations)  # stable: ties keep the themes' own order
    themes.append(
        ThemeCount(None, "No theme recorded", year_total - with_theme, percent(year_total - with_theme, year_total))
    )

    # Raised each month over the last 12 months, counted in one query: the 12 months' rows only (the
    # raised_at index's range, first day of the first month to the last day of this one), grouped by
    # month in the same time zone as the local days the lists filter on (local_day_start: the current
    # one), so each month's count is its list's.
    trend = trend_period(today=today)
    bounds = [(first, _month_end(first)) for first in trend.months()]
    monthly = {
        _local_month(month): n
        for month, n in visible.filter(_raised_between(bounds[0][0], bounds[-1][1]))
        .order_by()
        .annotate(month=TruncMonth("raised_at"))
        .values_list("month")
        .annotate(n=Count("pk"))
    }
    months = [MonthCount(start, end, monthly.get(start, 0)) for start, end in bounds]

    return Dashboard(
        open_by_stage=open_by_stage,
        open_total=sum(open_counts.values()),
        overdue=overdue,
        year=year,
        year_total=year_total,
        themes=themes,
        trend=trend,
        months=months,
    )


def dashboard_monthly_report(dashboard: Dashboard) -> dict:
    """The monthly trend in the shape ``reports.charts`` draws (the committee report's "monthly")."""
    return {
        "period": {"label": f"{dashboard.months[0].label} to {dashboard.months[-1].label}"},
        "monthly": [
            {"month": m.start.strftime("%Y-%m"), "label": m.label, "escalations": m.escalations}
            for m in dashboard.months
        ],
    }
