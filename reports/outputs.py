"""The committee report as published: the computed figures with the paper's text, checked, rendered.

:func:`report_document` is the one way to the content every output prints. It computes the report
(:func:`reports.selectors.report_build`), adds the paper's sections and the case stories
(:func:`reports.paper.paper_content`), and runs the identifier check on exactly those texts: free
text never enters an output unless it has passed the check.
"""

from __future__ import annotations

import datetime as dt

from reports.identifiers import require_clean
from reports.paper import paper_content
from reports.periods import Period
from reports.renderers import FORMATS
from reports.selectors import report_build


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
