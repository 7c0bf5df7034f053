"""The committee report as an Excel workbook (openpyxl).

An "About" sheet (title, period, classification, notes and a list of the sheets), then one sheet
per table, headings in bold on row 1, then a "Case stories" sheet.

Cells hold numbers as numbers. Percentages are stored as the number printed, 53.8 for 53.8%, with
the number format ``0.0"%"``, rather than Excel's fraction 0.538 with format ``0.0%``: the value
in the cell is then the same as in the JSON and in every other format, and a formula or a pasted
copy does not turn it into 0.538. Changes show their sign (``+0;-0;0``). A count hidden by
small-number suppression is the text "fewer than N"; a value that cannot be given is an en dash.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.renderers.tables import Cell, Table, report_heading, report_tables

PERCENT_FORMAT = '0.0"%"'
CHANGE_FORMAT = "+0;-0;0"
BOLD = Font(bold=True)


def cell_value(cell: Cell):
    """What goes into the Excel cell: the raw number, or the display text when there is none."""
    if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
        return cell.value
    return cell.display


def _widths(sheet, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def _table_sheet(book: Workbook, table: Table) -> None:
    sheet = book.create_sheet(table.sheet)
    sheet.append(table.columns)
    for heading in sheet[1]:
        heading.font = BOLD
        heading.alignment = Alignment(wrap_text=True, vertical="bottom")
    for row in table.rows:
        sheet.append([cell_value(cell) for cell in row])
        for cell, target in zip(row, sheet[sheet.max_row]):
            if cell.kind == "percent":
                target.number_format = PERCENT_FORMAT
            elif cell.kind == "change":
                target.number_format = CHANGE_FORMAT
            if cell.numeric:
                target.alignment = Alignment(horizontal="right")
            elif cell.level:
                target.alignment = Alignment(indent=1)
    if table.note:
        sheet.append([])
        sheet.append([table.note])
    sheet.freeze_panes = "A2"
    label_width = max(len(text) for text in [table.columns[0], *table.row_labels()])
    _widths(sheet, [min(70, max(24, label_width + 2))] + [16] * (len(table.columns) - 1))


def render_xlsx(report: dict) -> bytes:
    heading = report_heading(report)
    tables = report_tables(report)
    book = Workbook()
    about = book.active
    about.title = "About"
    about.append([heading.title])
    about["A1"].font = Font(bold=True, size=14)
    about.append([])
    for label, value in [
        ("Period", heading.period),
        ("Start", report["period"]["start"]),
        ("End", report["period"]["end"]),
        ("Classification", heading.classification),
        ("Schema", report["schema"]),
    ]:
        about.append([label, value])
        about.cell(about.max_row, 1).font = BOLD
    about.append([])
    for note in [
        *heading.notes,
        'Percentages are stored as the number shown: 53.8 means 53.8% (number format 0.0"%").',
    ]:
        about.append([note])
    about.append([])
    about.append(["Sheet", "Table"])
    for cell in about[about.max_row]:
        cell.font = BOLD
    for table in tables:
        about.append([table.sheet, table.title])
    about.append(["Case stories", "Case stories"])
    _widths(about, [24, 90])

    for table in tables:
        _table_sheet(book, table)

    stories = book.create_sheet("Case stories")
    stories.append(["Number", "Story"])
    for cell in stories[1]:
        cell.font = BOLD
    for story in report["stories"]:
        stories.append([story["number"], story["text"]])
        stories.cell(stories.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(stories, [10, 100])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
