"""The committee report as PDF: WeasyPrint prints the standalone HTML document.

A4, with the title, period and classification at the top of every page and "Page N of M" at the
foot (the ``@page`` rules in ``reports/report_pdf.html``).

No network: the document links to nothing, and the URL fetcher given to WeasyPrint refuses every
URL except inline ``data:`` ones, stopping the rendering if anything else is asked for. Fonts come
from the system (fontconfig).
"""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from reports.renderers.html import render_html_document


def _offline_fetcher():

    # data: URLs are decoded in memory; any other scheme (http, https, file, ...) is refused, and
    # fail_on_errors makes the refusal stop the rendering rather than pass as a warning.
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def render_pdf(report: dict) -> bytes:

    document = HTML(string=render_html_document(report), base_url=None, url_fetcher=_offline_fetcher())
    return document.write_pdf(pdf_variant=None, uncompressed_pdf=False)
