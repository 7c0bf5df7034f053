"""The committee report as published: the computed figures with the paper's text, checked, rendered.

:func:`report_document` is the one way to the content every output prints. It computes the report
(:func:`reports.selectors.report_build`), adds the paper's sections and the case stories
(:func:`reports.paper.paper_content`), and runs the identifier check on exactly those texts: free
text never enters an output unless it has passed the check.
"""

from __future__ import annotations

import datetime as dt

from reports.changes import changes_since_issue
from reports.identifiers import TextNotClean, require_clean
from reports.models import IssuedReport
from reports.paper import paper_content
from reports.periods import Period
from reports.renderers import FORMATS, render_html
from reports.selectors import escalation_facts, issued_reports, report_build


def report_document(*, period: Period, now: dt.datetime | None = None) -> dict:
    """The report for ``period`` with its paper. Refuses (``TextNotClean``) while any text in it
    contains an identifier."""
    report = report_build(period=period, now=now)
    content, items = paper_content(period, report)
    require_clean(items)
    return {**report, **content}


def render_as(report: dict, fmt: str):
    """Render an already computed report. ``str`` for html and json, ``bytes`` otherwise."""
    return FORMATS[fmt].render(report)


def report_render(*, period: Period, fmt: str):
    """Compute the report for ``period`` with its paper and render it (refused while a text fails the
    identifier check)."""
    return render_as(report_document(period=period), fmt)


def paper_require_clean(period: Period) -> None:
    """Refuse (``TextNotClean``) while any text the paper for ``period`` would print contains an
    identifier."""
    report_document(period=period)


def report_current(period: Period) -> tuple[dict, dict]:
    """The report and its paper as they stand now, unchecked (for comparisons that print no text),
    and each escalation's facts."""
    report = report_build(period=period)
    content, _ = paper_content(period, report)
    return {**report, **content}, escalation_facts(period=period)


def report_changes(issued: IssuedReport, period: Period):
    """What has changed in the report for ``period`` since ``issued`` was issued."""
    current, facts = report_current(period)
    return changes_since_issue(issued_data=issued.data, issued_facts=issued.escalations, current=current, facts=facts)


def report_page_made(*, period: Period) -> dict:
    """What the report page shows for ``period``, made now, as plain JSON (kept in
    ``ReportSnapshot.content``; ``reports.services.report_page_content`` decides when it is made):
    the report as HTML and what has changed since the newest issued version (``changes_since``) or, while a text fails
    the identifier check (:func:`report_document`), the refusal's message alone."""
    try:
        html = render_html(report_document(period=period))
    except TextNotClean as error:
        return {"blocked": error.message}
    newest = issued_reports(period=period).first()
    changes = report_changes(newest, period).as_json() if newest is not None else None
    return {"report_html": html, "changes_since": newest.version if newest is not None else None, "changes": changes}
