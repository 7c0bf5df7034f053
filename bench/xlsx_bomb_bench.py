"""The XLSX bomb (issue 16): a workbook of a few MB whose sheet unpacks to gigabytes of whitespace,
put through the escalation-log reader (``imports.parsing.table_read``), which must refuse it before
openpyxl parses anything: in under a second, with under 100 MB of memory growth.

    make bench-xlsx-bomb                      # 4 GB of whitespace (about a 4 MB file)
    .venv/bin/python bench/xlsx_bomb_bench.py --gigabytes 1

Prints the file's size, what it unpacks to, the time to refuse it, the peak of Python's allocations
(tracemalloc) and the growth of the process's resident memory, and the message given.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iro_escalations.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from imports.parsing import FileProblem, table_read  # noqa: E402

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Log" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>reference</t></is></c></row>'
)
SHEET_END = "</sheetData></worksheet>"


def bomb_build(whitespace_bytes: int) -> bytes:
    """An .xlsx whose one sheet holds ``whitespace_bytes`` of spaces between its rows (deflate, level 9)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        block = b" " * (16 * 1024 * 1024)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_START.encode())
            left = whitespace_bytes
            while left > 0:
                sheet.write(block[: min(left, len(block))])
                left -= len(block)
            sheet.write(SHEET_END.encode())
    return out.getvalue()


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def bomb_refuse(data: bytes) -> tuple[float, float, float, str]:
    """(seconds, tracemalloc peak in MB, resident memory growth in MB, the message) for reading ``data``."""
    rss_before = _rss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        table_read(data, filename="bomb.xlsx")
    except FileProblem as problem:
        message = str(problem)
    else:
        message = "(not refused)"
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / (1024 * 1024), _rss_mb() - rss_before, message


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=4.0, help="whitespace inside the sheet (default 4)")
    args = parser.parse_args()
    started = time.perf_counter()
    data = bomb_build(int(args.gigabytes * 1024**3))
    built = time.perf_counter() - started
    inside = sum(entry.file_size for entry in zipfile.ZipFile(io.BytesIO(data)).infolist())
    print(f"built in {built:.1f} s: {len(data) / 1024**2:.1f} MB file, unpacking to {inside / 1024**3:.2f} GB")
    seconds, peak, rss, message = bomb_refuse(data)
    print(f"refused in {seconds * 1000:.1f} ms; tracemalloc peak {peak:.2f} MB; resident memory growth {rss:.1f} MB")
    print(f"message: {message}")
    ok = message != "(not refused)" and seconds < 1 and peak < 100 and rss < 100
    print("PASS: under 1 s and under 100 MB" if ok else "FAIL: the targets are under 1 s and under 100 MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
