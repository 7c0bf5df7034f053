"""Checking an uploaded Excel workbook (.xlsx, a zip of XML files) before anything parses it.

A small file can unpack to gigabytes (a "zip bomb": a sheet padded with whitespace compresses a
thousand to one), and one row can hold millions of cells. :func:`xlsx_check` reads only the zip's
directory and then streams each sheet's XML in small pieces, counting rows and cells, so a bad
file is refused in a fraction of a second with a few megabytes of memory, before openpyxl builds
anything. Limits: ``settings.XLSX_MAX_*`` (README "Limits on input").
"""

from __future__ import annotations

import io
import re
import zipfile

from django.conf import settings

from core.errors import DomainError

# Entries smaller than this may compress very well (styles, empty sheets) without being a bomb.
_RATIO_FLOOR_BYTES = 1024 * 1024
_CHUNK = 1024 * 1024
# A row or a cell element in a sheet's XML, with or without a namespace prefix.
_ROW_OR_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s>/]")


class XlsxRefused(DomainError):
    """The workbook is too big inside, or not a workbook at all."""


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def xlsx_check(data: bytes, *, max_rows: int, max_columns: int, max_cells: int) -> None:
    """Refuse (:class:`XlsxRefused`) a workbook whose parts unpack to more than
    ``XLSX_MAX_UNCOMPRESSED_BYTES`` in all, whose parts compress more than ``XLSX_MAX_RATIO`` to
    one, or whose sheets hold more than ``max_rows`` rows, ``max_columns`` cells in a row or
    ``max_cells`` cells. Nothing is unpacked beyond a streamed megabyte at a time."""
    max_total = settings.XLSX_MAX_UNCOMPRESSED_BYTES
    max_ratio = settings.XLSX_MAX_RATIO
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise XlsxRefused("The file is not an Excel workbook (.xlsx): it cannot be opened as one.") from None
    with book:
        entries = book.infolist()
        total = sum(entry.file_size for entry in entries)
        if total > max_total:
            raise XlsxRefused(
                f"The workbook unpacks to {_mb(total)}, more than the {_mb(max_total)} allowed. Save only "
                "the escalation log's sheet, without formatting, or split it into smaller files."
            )
        for entry in entries:
            if entry.file_size >= _RATIO_FLOOR_BYTES and entry.file_size > max_ratio * max(entry.compress_size, 1):
                raise XlsxRefused(
                    f"The workbook's part {entry.filename} unpacks to {_mb(entry.file_size)} from "
                    f"{entry.compress_size:,} bytes, more than {max_ratio} times its size: it is not an escalation "
                    "log. Save the log again from your spreadsheet program."
                )
        cells = 0
        for entry in entries:
            if not (entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")):
                continue
            cells = _sheet_count(
                book, entry, max_rows=max_rows, max_columns=max_columns, max_cells=max_cells, cells=cells
            )


def _sheet_count(book, entry, *, max_rows: int, max_columns: int, max_cells: int, cells: int) -> int:
    rows = in_row = 0
    tail = b""
    sheet = entry.filename.rsplit("/", 1)[-1].removesuffix(".xml")
    try:
        with book.open(entry) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                text = tail + chunk
                # Keep the last few bytes for the next piece, so a tag split between pieces is still seen.
                cut = max(len(text) - 64, 0)
                lt = text.rfind(b"<", cut)
                cut = lt if lt != -1 else len(text)
                for match in _ROW_OR_CELL.finditer(text, 0, cut):
                    if match.group(1) == b"row":
                        rows += 1
                        in_row = 0
                        if rows > max_rows:
                            raise XlsxRefused(
                                f"The workbook's {sheet} has more than {max_rows:,} rows. Split the log into "
                                "smaller files."
                            )
                    else:
                        in_row += 1
                        cells += 1
                        if in_row > max_columns:
                            raise XlsxRefused(
                                f"Row {rows} of the workbook's {sheet} has more than {max_columns:,} cells. An "
                                "escalation log has one column for each field: delete the cells beyond them."
                            )
                        if cells > max_cells:
                            raise XlsxRefused(
                                f"The workbook has more than {max_cells:,} cells. Split the log into smaller files."
                            )
                tail = text[cut:]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        raise XlsxRefused(f"The workbook's {sheet} is damaged and cannot be read.") from None
    return cells
