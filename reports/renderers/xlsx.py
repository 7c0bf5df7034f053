"""The committee report as an Excel workbook (openpyxl): the tables, for people who work with the numbers.

An "About" sheet (each label in one cell and its value in the next: title, period, its first and
last days as real dates, classification, notes, a list of the sheets), then one sheet per table,
headings in bold on row 1, then a "Case stories" sheet. The themes and monthly sheets have a bar
chart beside the table (openpyxl charts, drawn by Excel from the cells).

Cells hold numbers as numbers and dates as dates (a month is its first day, formatted "April 2015").
Percentages are stored as the number printed, 53.8 for 53.8%, with the number format ``0.0"%"``,
rather than Excel's fraction 0.538 with format ``0.0%``: the value in the cell is then the same as in
the JSON and in every other format, and a formula or a pasted copy does not turn it into 0.538.
Changes show their sign (``+0;-0;0``). A count hidden by small-number suppression is the text
"[c]"; a value that cannot be given is an en dash.

Text is only ever text: a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (a case story, a
label) is stored as a string, never as a formula, and marked so Excel keeps it one when edited.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.renderers.tables import Cell, Table, report_heading, report_tables

PERCENT_FORMAT = '0.0"%"'
CHANGE_FORMAT = "+0;-0;0"
DATE_FORMAT = "d mmmm yyyy"
MONTH_FORMAT = "mmmm yyyy"
BOLD = Font(bold=True)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(cell: Cell):
    """What goes into the Excel cell: the raw number or date, or the display text when there is none."""
    if isinstance(cell.value, bool):
        return cell.display
    if isinstance(cell.value, (int, float, dt.date)):
        return cell.value
    return cell.display


def put(sheet, row: int, column: int, value):
    """Write one cell. Text stays text: never a formula, whatever it starts with."""
    target = sheet.cell(row=row, column=column)
    target.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        target.data_type = "s"
        target.quotePrefix = True
    elif isinstance(value, dt.date):
        target.number_format = DATE_FORMAT
    return target


def _append(sheet, values: list) -> int:
    """Write ``values`` on the next row (an empty list leaves a blank row); returns the row."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    if not values:
        sheet.cell(row=row, column=1)  # the blank row exists, so the next one comes after it
    for column, value in enumerate(values, start=1):
        put(sheet, row, column, value)
    return row


def _widths(sheet, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def _table_sheet(book: Workbook, table: Table, report: dict) -> None:
    sheet = book.create_sheet(table.sheet)
    _append(sheet, table.columns)
    for heading in sheet[1]:
        heading.font = BOLD
        heading.alignment = Alignment(wrap_text=True, vertical="bottom")
    for row in table.rows:
        at = _append(sheet, [cell_value(cell) for cell in row])
        for cell, target in zip(row, sheet[at]):
            if cell.kind == "percent":
                target.number_format = PERCENT_FORMAT
            elif cell.kind == "change":
                target.number_format = CHANGE_FORMAT
            elif cell.kind == "month":
                target.number_format = MONTH_FORMAT
                target.alignment = Alignment(horizontal="left")
            if cell.numeric:
                target.alignment = Alignment(horizontal="right")
            elif cell.level:
                target.alignment = Alignment(indent=1)
    if table.note:
        _append(sheet, [])
        _append(sheet, [table.note])
    sheet.freeze_panes = "A2"
    label_width = max(len(text) for text in [table.columns[0], *table.row_labels()])
    _widths(sheet, [min(70, max(24, label_width + 2))] + [16] * (len(table.columns) - 1))
    if table.chart:
        _chart(sheet, table, report)


def _chart(sheet, table: Table, report: dict) -> None:
    """A bar chart beside the table. The themes table has sub-theme rows between its themes, so its
    chart reads a two-column block of the themes alone, put beside the table (labels in one column,
    values in the next; a hidden count is left empty, so it draws no bar)."""
    first_free = len(table.columns) + 2
    if table.chart == "themes":
        rows = [(row["label"], row["escalations"]) for row in report["themes"]]
        put(sheet, 1, first_free, "Theme (for the chart)").font = BOLD
        put(sheet, 1, first_free + 1, "Escalations").font = BOLD
        for i, (label, value) in enumerate(rows, start=2):
            put(sheet, i, first_free, label)
            put(sheet, i, first_free + 1, value)
        labels = Reference(sheet, min_col=first_free, min_row=2, max_row=len(rows) + 1)
        values = Reference(sheet, min_col=first_free + 1, min_row=1, max_row=len(rows) + 1)
        chart = BarChart()
        chart.type = "bar"  # horizontal, as in the paper
        chart.title = "Escalations by theme"
        chart.y_axis.title = "Escalations"
        chart.x_axis.scaling.orientation = "maxMin"  # the largest theme at the top
        sheet.column_dimensions[get_column_letter(first_free)].width = 40
        anchor = f"{get_column_letter(first_free + 3)}2"
        chart.height, chart.width = 10, 18
    else:
        labels = Reference(sheet, min_col=1, min_row=2, max_row=len(table.rows) + 1)
        values = Reference(sheet, min_col=2, min_row=1, max_row=len(table.rows) + 1)
        chart = BarChart()
        chart.type = "col"
        chart.title = "Escalations by month"
        chart.y_axis.title = "Escalations"
        chart.x_axis.number_format = "mmm yyyy"
        anchor = f"{get_column_letter(first_free)}2"
        chart.height, chart.width = 8, 18
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(labels)
    chart.legend = None
    sheet.add_chart(chart, anchor)


def render_xlsx(report: dict) -> bytes:
    heading = report_heading(report)
    tables = report_tables(report)
    book = Workbook()
    about = book.active
    about.title = "About"
    put(about, 1, 1, heading.title).font = Font(bold=True, size=14)
    period = report["period"]
    rows = [
        ("Period", heading.period),
        ("Start", dt.date.fromisoformat(period["start"])),
        ("End", dt.date.fromisoformat(period["end"])),
    ]
    if not period.get("complete", True):
        rows.append(("Figures to", dt.date.fromisoformat(period["figures_to"])))
    rows += [
        ("Classification", heading.classification.removeprefix("Classification: ")),
        ("Schema", report["schema"]),
    ]
    _append(about, [])
    for label, value in rows:
        at = _append(about, [label, value])
        about.cell(at, 1).font = BOLD
        about.cell(at, 2).alignment = Alignment(horizontal="left")
    _append(about, [])
    for note in [
        *heading.notes,
        'Percentages are stored as the number shown: 53.8 means 53.8% (number format 0.0"%").',
    ]:
        _append(about, [note])
    _append(about, [])
    at = _append(about, ["Sheet", "Table"])
    for cell in about[at]:
        cell.font = BOLD
    for table in tables:
        _append(about, [table.sheet, table.title])
    _append(about, ["Case stories", "Case stories"])
    _widths(about, [24, 90])

    for table in tables:
        _table_sheet(book, table, report)

    stories = book.create_sheet("Case stories")
    _append(stories, ["Number", "Story", "What happened next"])
    for cell in stories[1]:
        cell.font = BOLD
    for story in report["stories"]:
        at = _append(stories, [story["number"], story["text"], story.get("what_happened_next", "")])
        for column in (2, 3):
            stories.cell(at, column).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(stories, [10, 90, 60])

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
