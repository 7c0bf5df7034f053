"""The service manager's dashboard: open escalations by stage, overdue now, this reporting year by
theme, and the monthly trend. Every count links to *All escalations* filtered to show that count."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from core.access import role_required
from dashboard.selectors import dashboard_build, dashboard_monthly_report
from drift.selectors import drift_impact_latest
from escalations.filters import all_escalations_query
from people.access import OVERSIGHT
from reports.charts import monthly_chart
from workdays.selectors import working_calendar


def _link(**criteria) -> str:
    return f"{reverse('escalations:all')}?{all_escalations_query(**criteria)}"


@role_required(*OVERSIGHT)
def dashboard(request):
    board = dashboard_build(user=request.user)
    year = board.year
    context = {
        "board": board,
        "open_link": _link(status="open"),
        "overdue_link": _link(overdue=True),
        "stages": [
            {"label": row.stage.label, "count": row.escalations, "href": _link(status="open", stage=row.stage)}
            for row in board.open_by_stage
        ],
        "year_link": _link(raised_from=year.start, raised_to=year.end),
        "themes": [
            {
                "label": row.label,
                "count": row.escalations,
                "percent": row.percent,
                "href": _link(theme=row.theme, raised_from=year.start, raised_to=year.end) if row.theme else None,
            }
            for row in board.themes
        ],
        "months": [
            {"label": row.label, "count": row.escalations, "href": _link(raised_from=row.start, raised_to=row.end)}
            for row in board.months
        ],
        # The same chart code as the committee report (reports.charts): an SVG with a title and a
        # description listing the numbers, and the numbers again in the table under it.
        "chart": monthly_chart(dashboard_monthly_report(board)),
        # What the drift watch found this reporting year, and the review timeliness (drift.selectors),
        # as the last nightly refresh computed them.
        "drift": drift_impact_latest(start=year.start, end=year.end, calendar=working_calendar()),
    }
    return render(request, "dashboard/dashboard.html", context)
