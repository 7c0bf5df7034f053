"""The committee paper as a Word document (python-docx): the main output, since papers are edited
and filed in Word.

The seed paper's order (:func:`reports.renderers.paper.paper_blocks`), with real Word headings
(Heading 1 in capitals, as the seed prints them, Heading 2 and 3), real tables (style "Table Grid",
bold header row repeated on every page, numbers right-aligned), a shaded commentary box under each
theme in the themes table, paragraphs numbered through the paper, the charts as PNG pictures with
alt text, the council's logo on the cover, and the classification in the page header.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor

from reports.branding import council_logo
from reports.charts import CHARTS
from reports.renderers.paper import paper_blocks
from reports.renderers.tables import Table, report_heading

COMMENTARY_FILL = "F3F2F1"  # GOV.UK light grey
TEXT_WIDTH = Cm(17)  # A4 less the margins
NUMBER_COLUMN = Cm(2.9)


def _column_widths(grid, widths) -> None:
    """Fixed column widths (Word and LibreOffice read the grid; Word also each cell's own width)."""
    grid.autofit = False
    for column, width in zip(grid.columns, widths):
        width = Emu(int(width))
        column.width = width
        for cell in column.cells:
            cell.width = width


def _widths_for(columns: int, *, label_share: float | None = None):
    """A wide first column for the row names, then equal number columns."""
    if columns == 1:
        return [TEXT_WIDTH]
    numbers = NUMBER_COLUMN if label_share is None else int(TEXT_WIDTH * (1 - label_share) / (columns - 1))
    return [TEXT_WIDTH - numbers * (columns - 1)] + [numbers] * (columns - 1)


def _repeat_header_row(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _shade(cell, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


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


def _grid(doc, columns: list[str], rows: list[list[str]], *, numeric_from: int | None = None):
    grid = doc.add_table(rows=1, cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    for i, (cell, heading) in enumerate(zip(grid.rows[0].cells, columns)):
        paragraph = cell.paragraphs[0]
        paragraph.add_run(heading).bold = True
        if numeric_from is not None and i >= numeric_from:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header_row(grid.rows[0])
    for row in rows:
        for i, (cell, value) in enumerate(zip(grid.add_row().cells, row)):
            paragraph = cell.paragraphs[0]
            paragraph.add_run(value)
            if numeric_from is not None and i >= numeric_from:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return grid


def _add_table(doc, table: Table, commentary: dict[int, str]) -> None:
    doc.add_heading(table.title, level=3)
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    for i, (cell, heading) in enumerate(zip(grid.rows[0].cells, table.columns)):
        paragraph = cell.paragraphs[0]
        paragraph.add_run(heading).bold = True
        if i:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header_row(grid.rows[0])
    for index, row in enumerate(table.rows):
        cells = grid.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, row)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value.display)
            if i == 0:
                run.bold = not value.level  # row headings in bold, sub-rows (sub-themes) plain
            else:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if index in commentary:
            box = grid.add_row().cells
            merged = box[0].merge(box[-1])
            _shade(merged, COMMENTARY_FILL)
            first = True
            for text in commentary[index].split("\n\n"):
                paragraph = merged.paragraphs[0] if first else merged.add_paragraph()
                paragraph.add_run(text.strip())
                first = False
    _column_widths(grid, _widths_for(len(table.columns)))
    if table.note:
        doc.add_paragraph(table.note, style="Caption")


def _add_chart(doc, report: dict, name: str) -> None:
    draw, describe, left_out = CHARTS[name]
    title, desc = describe(report)
    doc.add_paragraph(f"{title} (the numbers are in the table)", style="Caption")
    doc.add_picture(io.BytesIO(draw(report, "png")), width=Cm(16))
    picture = doc.inline_shapes[-1]
    picture._inline.docPr.set("descr", f"{title}. {desc}")  # alt text
    picture._inline.docPr.set("title", title)
    if left_out(report):
        doc.add_paragraph(left_out(report), style="Caption")


def _numbered(doc, number: int | None, text: str, bullets=()) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.left_indent = Cm(1)
    if number is not None:
        paragraph.paragraph_format.first_line_indent = Cm(-1)
        paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(1))
        paragraph.add_run(f"{number}.\t")
    paragraph.add_run(text)
    for bullet in bullets:
        item = doc.add_paragraph(bullet, style="List Bullet")
        item.paragraph_format.left_indent = Cm(1.6)


def _cover(doc, block) -> None:
    logo = council_logo()
    if logo is not None:
        doc.add_picture(io.BytesIO(logo[0]), height=Cm(2))
        doc.inline_shapes[-1]._inline.docPr.set("descr", f"{block.council or 'Council'} logo")
    if block.council:
        council = doc.add_paragraph()
        run = council.add_run(block.council)
        run.bold = True
        run.font.size = Pt(14)
    grid = _grid(doc, [label for label, _ in block.grid], [[value for _, value in block.grid]])
    _column_widths(grid, [TEXT_WIDTH / 4] * 4)
    _pairs(doc, block)


def _pairs(doc, block) -> None:
    rows = doc.add_table(rows=0, cols=2)
    rows.style = "Table Grid"
    for label, value in block.rows:
        cells = rows.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].paragraphs[0].add_run(value)
    _column_widths(rows, [Cm(6), TEXT_WIDTH - Cm(6)])


def _cases(doc, block) -> None:
    _numbered(doc, block.number, block.intro)
    if not block.cases:
        _numbered(doc, None, block.empty)
    for case in block.cases:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(2)
        paragraph.paragraph_format.first_line_indent = Cm(-1)
        paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(2))
        paragraph.add_run(f"{case.label}\t{case.text}")
        if case.what_happened_next:
            after = doc.add_paragraph()
            after.paragraph_format.left_indent = Cm(2)
            after.add_run("What happened next: ").bold = True
            after.add_run(case.what_happened_next)


def render_docx(report: dict) -> bytes:
    heading = report_heading(report)
    doc = Document()
    doc.core_properties.title = f"{heading.title}: {heading.period}"
    doc.core_properties.author = ""
    doc.core_properties.comments = ""
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    for name, size in (("Heading 1", 13), ("Heading 2", 12), ("Heading 3", 11)):
        style = doc.styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
    doc.styles["Heading 1"].font.all_caps = True  # RECOMMENDATIONS, as the seed prints them

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    header = section.header.paragraphs[0]
    header.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    header.text = f"{heading.title}: {heading.period_label}\t{heading.classification}"
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Page ")
    _page_number_field(footer)

    for block in paper_blocks(report):
        kind = block.kind
        if kind == "cover":
            _cover(doc, block)
        elif kind == "note":
            doc.add_paragraph().add_run(block.text).italic = True
        elif kind == "heading":
            doc.add_heading(block.text, level=block.level)
        elif kind == "paragraph":
            _numbered(doc, block.number, block.text, block.bullets)
        elif kind == "table":
            _add_table(doc, block.table, block.commentary)
        elif kind == "chart":
            _add_chart(doc, report, block.name)
        elif kind == "cases":
            _cases(doc, block)
        elif kind == "grid":
            grid = _grid(doc, block.columns, block.rows)
            _column_widths(grid, [int(TEXT_WIDTH / len(block.columns))] * len(block.columns))
        elif kind == "pairs":
            _pairs(doc, block)
        elif kind == "page_break":
            doc.add_page_break()

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
