"""Every output format of the committee report, each rendered from the one report dictionary
(:func:`reports.selectors.report_build`) through the same tables (:mod:`.tables`).

The renderers are pure functions of the dictionary: they never touch the database.

    FORMATS["pdf"].render(report) -> bytes
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reports.renderers.docx import render_docx
from reports.renderers.html import render_html, render_html_document
from reports.renderers.json import render_json
from reports.renderers.pdf import render_pdf
from reports.renderers.tables import Cell, Table, report_heading, report_tables
from reports.renderers.xlsx import render_xlsx


@dataclass(frozen=True)
class Format:
    render: Callable[[dict], str | bytes]
    content_type: str
    extension: str


FORMATS = {
    "html": Format(render_html_document, "text/html; charset=utf-8", "html"),
    "pdf": Format(render_pdf, "application/pdf", "pdf"),
    "docx": Format(render_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": Format(render_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": Format(render_json, "application/json", "json"),
}

__all__ = [
    "FORMATS",
    "Cell",
    "Format",
    "Table",
    "render_docx",
    "render_html",
    "render_html_document",
    "render_json",
    "render_pdf",
    "render_xlsx",
    "report_heading",
    "report_tables",
]
