"""One computed report, rendered in any of its formats, after the case stories pass the check."""

from reports.identifiers import report_require_clean_stories
from reports.periods import Period
from reports.renderers import FORMATS
from reports.selectors import report_build


def render_as(report: dict, fmt: str):
    """Render an already computed report. ``str`` for html and json, ``bytes`` otherwise."""
    return FORMATS[fmt].render(report)


def report_render(*, period: Period, fmt: str):
    """Compute the report for ``period`` and render it. Refuses (DomainError) while any case story
    fails the identifier check."""
    report_require_clean_stories(period)
    return render_as(report_build(period=period), fmt)
