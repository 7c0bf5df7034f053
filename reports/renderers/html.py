"""The committee paper as HTML.

- :func:`render_html`: the paper's body, for a GOV.UK page (govuk-frontend table classes; the charts
  as inline, labelled SVG, with their numbers in the tables as well).
- :func:`render_html_document`: a standalone document with its own print stylesheet, for download
  and for the PDF. It links to nothing, so it opens (and prints) anywhere, offline.

Both print the blocks of :func:`reports.renderers.paper.paper_blocks`, in the seed paper's order.
"""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from reports.branding import council_logo_data_url
from reports.charts import CHARTS
from reports.renderers.paper import paper_blocks
from reports.renderers.tables import report_heading


def _chart(report: dict, name: str, inline: bool) -> dict:
    """The chart as inline SVG (labelled by its own <title> and <desc>), or as an <img> holding the
    same SVG in a data: URL, with the description as its alt text."""
    draw, describe, left_out = CHARTS[name]
    title, desc = describe(report)
    svg = draw(report, "svg")
    if inline:
        # Our own SVG: matplotlib escapes the labels, and charts.py the title and description.
        markup = mark_safe(svg)  # noqa: S308
    else:
        src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
        markup = format_html('<img src="{}" alt="{}">', src, f"{title}. {desc}")
    return {"svg": markup, "title": title, "note": left_out(report)}


def _context(report: dict, inline_charts: bool = True) -> dict:
    blocks = []
    for block in paper_blocks(report):
        blocks.append(
            {"block": block, "chart": _chart(report, block.name, inline_charts) if block.kind == "chart" else None}
        )
    return {"heading": report_heading(report), "blocks": blocks, "logo": council_logo_data_url()}


def render_html(report: dict) -> str:
    """The paper's body, to embed in a page of the service: its title is a level-2 heading under the
    page's own, and the paper's headings follow from there."""
    return render_to_string("reports/report_body.html", {**_context(report), "embedded": True})


def render_html_document(report: dict) -> str:
    """The paper as one self-contained HTML document (A4 print styles included).

    The charts are <img> elements with data: URLs here: WeasyPrint reads them as SVG images, where
    inline SVG would have its styles read as HTML CSS (a warning for every SVG property)."""
    return render_to_string("reports/report_pdf.html", _context(report, inline_charts=False))
