"""The committee report as a Word document (python-docx), for pasting into the committee's template.

Headings, real Word tables (style "Table Grid", bold header row repeated on every page, numbers
right-aligned), the charts as PNG pictures with alt text, the case stories as numbered paragraphs,
and the classification at the top of the first page and in the page header.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from reports.charts import CHARTS
from reports.renderers.tables import Table, report_heading, report_tables


def _repeat_header_row(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _page_number_field(paragraph) -> None:
    """Word's PAGE field: Word fills in the number."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _add_table(doc, table: Table) -> None:
    doc.add_heading(table.title, level=1)
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    for i, (cell, heading) in enumerate(zip(grid.rows[0].cells, table.columns)):
        paragraph = cell.paragraphs[0]
        paragraph.add_run(heading).bold = True
        if i:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header_row(grid.rows[0])
    for row in table.rows:
        cells = grid.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, row)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value.display)
            if i == 0:
                run.bold = not value.level  # row headings in bold, sub-rows (sub-themes) plain
            else:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if table.note:
        doc.add_paragraph(table.note, style="Caption")


def _add_chart(doc, report: dict, name: str) -> None:
    draw, describe, left_out = CHARTS[name]
    title, desc = describe(report)
    doc.add_paragraph(f"{title} (the numbers are in the table below)", style="Caption")
    doc.add_picture(io.BytesIO(draw(report, "png")), width=Cm(16))
    picture = doc.inline_shapes[-1]
    picture._inline.docPr.set("descr", f"{title}. {desc}")  # alt text
    picture._inline.docPr.set("title", title)
    if left_out(report):
        doc.add_paragraph(left_out(report), style="Caption")


def render_docx(report: dict) -> bytes:
    heading = report_heading(report)
    doc = Document()
    doc.core_properties.title = f"{heading.title}: {heading.period}"
    doc.core_properties.author = ""
    doc.core_properties.comments = ""
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    header = section.header.paragraphs[0]
    header.text = f"{heading.title}: {heading.period_label}\t\t{heading.classification}"
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Page ")
    _page_number_field(footer)

    doc.add_paragraph().add_run(heading.classification).bold = True
    doc.add_heading(heading.title, level=0)
    doc.add_paragraph(heading.period)
    for note in heading.notes:
        doc.add_paragraph(note)

    for table in report_tables(report):
        if table.chart:
            _add_chart(doc, report, table.chart)
        _add_table(doc, table)

    doc.add_heading("Case stories", level=1)
    if report["stories"]:
        doc.add_paragraph("Anonymised descriptions of escalations in the period.")
        for story in report["stories"]:
            doc.add_paragraph(story["text"], style="List Number")
    else:
        doc.add_paragraph("No case stories were chosen for this report.")

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
