"""Reading an escalation log: CSV or XLSX, the headers, the mapping file, and the cell values.

Nothing here touches the database. Rules: ``../shared/docs/escalation-log-format.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import openpyxl
import yaml

from core.errors import DomainError
from core.xlsx import XlsxRefused, xlsx_check

LONDON = zoneinfo.ZoneInfo("Europe/London")

COLUMNS = (
    "reference",
    "raised_at",
    "iro",
    "children",
    "highest_stage",
    "themes",
    "first_response_at",
    "resolved_at",
    "outcome",
    "drift_reasons",
    "cafcass_referred_at",
    "summary",
)
REQUIRED = ("reference", "raised_at", "iro", "children", "highest_stage")
# The most a log may hold (README "Limits on input"): a council's log is a few thousand rows of a
# dozen columns; these stop a file that would take the worker's memory.
MAX_ROWS = 500_000
MAX_COLUMNS = 100
MAX_CELLS = 6_000_000
IGNORE = "ignore"
LIST_SEPARATOR = ";"


class FileProblem(DomainError):
    """The file as a whole cannot be read (encoding, sheet, headers, mapping)."""

    def __init__(self, message: str, *, problems: list[str] | None = None):
        self.problems = problems or [message]
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class RowProblem:
    """An error or warning about one or more rows of one table or file of an import (the 903
    return's tables, the case-management extract's files), said as the person knows it."""

    where: str  # the table or file, as the import names it
    rows: tuple[int, ...]
    column: str  # the heading as the file has it, or "" for the whole row
    message: str

    def __str__(self):
        if len(self.rows) == 1:
            where = f"{self.where} row {self.rows[0]}"
        else:
            numbers = [str(n) for n in self.rows]
            where = f"{self.where} rows {', '.join(numbers[:-1])} and {numbers[-1]}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass
class TableCounts:
    """What an import did to one table."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class Table:
    """The file's cells: the header row and the data rows with their spreadsheet row numbers."""

    headers: list[str]
    rows: list[tuple[int, list]]  # (row number, cells); blank rows are left out


@dataclass
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # lower-cased heading -> column or "ignore"
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> lower-cased word -> code


# --- files ---------------------------------------------------------------------------------------


def table_read(data: bytes, *, filename: str, sheet: str | None = None, encoding: str | None = None) -> Table:
    """Read a CSV or XLSX file's bytes into a :class:`Table`."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        return _read_xlsx(data, sheet)
    if sheet:
        raise FileProblem("A sheet can be chosen only for an Excel workbook (.xlsx); this file is CSV.")
    return _read_csv(data, encoding)


def _read_csv(data: bytes, encoding: str | None) -> Table:
    if encoding is None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            bad = data[error.start : error.start + 1].hex().upper()
            line = data[: error.start].count(b"\n") + 1
            raise FileProblem(
                f"The file is not UTF-8: byte 0x{bad} on line {line} cannot be read. Save it as "
                "'CSV UTF-8', or give its encoding with --encoding (for example --encoding cp1252 for a "
                "file saved by older Excel on Windows)."
            ) from None
    else:
        try:
            text = data.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding)
        except LookupError:
            raise FileProblem(f"Unknown encoding {encoding!r} given with --encoding.") from None
        except UnicodeDecodeError as error:
            raise FileProblem(
                f"The file cannot be read as {encoding}: {error.reason} at byte {error.start}. "
                "Check the encoding given with --encoding."
            ) from None
    # One record per row: a quoted cell that spans lines is still one row, so rows are counted
    # by record, never by line.
    reader = csv.reader(io.StringIO(text, newline=""))
    reading = 1  # the row being read, for the message if the CSV breaks
    try:
        try:
            headers = next(reader)
        except StopIteration:
            raise FileProblem("The file is empty: row 1 should hold the headers.") from None
        _check_width(1, len(headers))
        reading = 2
        rows = []
        for number, cells in enumerate(reader, start=2):
            _check_width(number, len(cells))
            if number > MAX_ROWS + 1:
                raise FileProblem(f"The file has more than {MAX_ROWS:,} rows. Split the log into smaller files.")
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
            reading = number + 1
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise FileProblem(
                f"Row {reading}: a cell is longer than {csv.field_size_limit():,} characters. "
                'This is usually a quote (") that is opened and never closed: check the row, or save the file '
                "again as CSV."
            ) from None
        raise FileProblem(f"The CSV file cannot be read at row {reading}: {error}.") from None
    return Table(headers=headers, rows=rows)


def _check_width(number: int, width: int) -> None:
    if width > MAX_COLUMNS:
        raise FileProblem(
            f"Row {number} has {width:,} cells, more than the {MAX_COLUMNS} a log may have. Delete the cells "
            "beyond the log's columns."
        )


def _read_xlsx(data: bytes, sheet: str | None) -> Table:
    # The zip's sizes and the sheets' rows and cells are checked before openpyxl reads anything.
    try:
        xlsx_check(data, max_rows=MAX_ROWS + 1, max_columns=MAX_COLUMNS, max_cells=MAX_CELLS)
    except XlsxRefused as refused:
        raise FileProblem(refused.message) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileProblem(f"The XLSX file cannot be read: {error}.") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise FileProblem(
                f"There is no sheet called {sheet!r}. The sheets are: {', '.join(repr(n) for n in book.sheetnames)}."
            )
        if (ws.max_column or 0) > MAX_COLUMNS or (ws.max_row or 0) > MAX_ROWS + 1:
            # The sheet's stated size is larger than its cells (the check above counted them): without
            # it, openpyxl would pad every row to the stated width.
            ws.reset_dimensions()
        rows_iter = ws.iter_rows(values_only=True)
        try:
            headers = ["" if v is None else str(v) for v in next(rows_iter)]
        except StopIteration:
            raise FileProblem("The sheet is empty: row 1 should hold the headers.") from None
        rows = []
        for number, cells in enumerate(rows_iter, start=2):
            if any(v is not None and str(v).strip() for v in cells):
                rows.append((number, list(cells)))
        return Table(headers=headers, rows=rows)
    finally:
        book.close()


# --- the mapping file ----------------------------------------------------------------------------


def mapping_load(text: str | None, *, columns: tuple[str, ...] = COLUMNS) -> Mapping:
    """Parse a YAML mapping file (``columns:`` and ``values:``); None gives the empty mapping.
    ``columns``: the columns it may map to (the escalation log's unless given)."""
    if not text:
        return Mapping()

    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise FileProblem(f"The mapping file is not valid YAML: {error}") from None
    if not isinstance(raw, dict) or set(raw) - {"columns", "values"}:
        raise FileProblem("The mapping file should hold only 'columns:' and 'values:'.")
    return mapping_build(raw, columns=columns)


def mapping_build(raw: dict, *, columns: tuple[str, ...] = COLUMNS, where: str = "Mapping file") -> Mapping:
    """A :class:`Mapping` from a mapping file's parsed ``columns:`` and ``values:``, checked against
    ``columns``; ``where`` names the part of the file in the messages."""
    problems = []
    mapped = {}
    headings = raw.get("columns") or {}
    if not isinstance(headings, dict):
        raise FileProblem(f"{where}, columns: should map headings to columns.")
    for heading, target in headings.items():
        target = str(target).strip().lower()
        if target not in columns and target != IGNORE:
            problems.append(
                f"{where}, columns: {heading!r} maps to {target!r}, which is not a column "
                f"({', '.join(columns)}) or 'ignore'."
            )
        mapped[str(heading).strip().lower()] = target
    values = {}
    for column, words in (raw.get("values") or {}).items():
        column = str(column).strip().lower()
        if column not in columns:
            problems.append(f"{where}, values: {column!r} is not a column ({', '.join(columns)}).")
            continue
        if not isinstance(words, dict):
            problems.append(f"{where}, values: {column!r} should map local words to codes.")
            continue
        values[column] = {str(word).strip().lower(): str(code).strip() for word, code in words.items()}
    if problems:
        raise FileProblem(problems[0], problems=problems)
    return Mapping(columns=mapped, values=values)


def mapping_read(path: str | Path | None) -> Mapping:
    if path is None:
        return Mapping()
    try:
        return mapping_load(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise FileProblem(f"The mapping file cannot be read: {error.strerror} ({path}).") from None


# --- headers -------------------------------------------------------------------------------------


def headers_resolve(
    headers: list[str],
    mapping: Mapping,
    *,
    columns: tuple[str, ...] = COLUMNS,
    required: tuple[str, ...] = REQUIRED,
) -> dict[str, int]:
    """The position of each column in the row; every header problem at once. ``columns`` and
    ``required``: the file's columns (the escalation log's unless given)."""
    problems = []
    positions: dict[str, int] = {}
    seen: dict[str, str] = {}
    for index, heading in enumerate(headers):
        raw = "" if heading is None else str(heading)
        key = raw.strip().lower()
        if not key:
            continue
        if key in seen:
            problems.append(f"Row 1: the header {raw.strip()!r} appears twice (as {seen[key]!r} and {raw.strip()!r}).")
            continue
        seen[key] = raw.strip()
        column = mapping.columns.get(key, key if key in columns else None)
        if column is None:
            problems.append(
                f"Row 1, column {_letter(index)}: unknown header {raw.strip()!r}. Use one of {', '.join(columns)}, "
                "or map it (or set it to 'ignore') in a mapping file."
            )
            continue
        if column == IGNORE:
            continue
        if column not in columns:
            problems.append(
                f"Row 1, column {_letter(index)}: the header {raw.strip()!r} maps to {column!r}, which is not a "
                f"column of this file ({', '.join(columns)})."
            )
            continue
        if column in positions:
            problems.append(
                f"Row 1, column {_letter(index)}: the header {raw.strip()!r} gives the column {column!r} again "
                f"(already given by column {_letter(positions[column])})."
            )
            continue
        positions[column] = index
    for column in required:
        if column not in positions:
            problems.append(f"Row 1: the required column {column!r} is missing.")
    if problems:
        raise FileProblem(problems[0], problems=problems)
    return positions


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- cell values ---------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as trimmed text; an Excel whole number (123.0) loses its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value).strip()


def list_split(value) -> list[str]:
    """A ``;`` list: items trimmed, empties dropped, repeats (ignoring case) collapsed, order kept."""
    seen = {}
    for item in cell_text(value).split(LIST_SEPARATOR):
        item = item.strip()
        if item and item.lower() not in seen:
            seen[item.lower()] = item
    return list(seen.values())


def id_normalise(item: str) -> str:
    """``123.0`` (a number Excel turned into a float) is ``123``."""
    if item.endswith(".0") and item[:-2].isdigit():
        return item[:-2]
    return item


_DATE_FORMS = "YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], YYYY-MM-DDTHH:MM[:SS][±HH:MM], DD/MM/YYYY or DD/MM/YYYY HH:MM[:SS]"
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:([ T])(\d{2}):(\d{2})(?::(\d{2}))?(?:([+-])(\d{2}):?(\d{2})|(Z))?)?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def moment_parse(value) -> tuple[dt.datetime, bool]:
    """A cell as an aware time and whether it was a date alone (stored as local midnight).

    Raises ValueError with a message for the user.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value, False
        date_only = value.time() == dt.time.min  # an Excel date cell has no time of day
        return _london(value), date_only
    if isinstance(value, dt.date):
        return _london(dt.datetime.combine(value, dt.time.min)), True
    return _parse_text(cell_text(value))


@lru_cache(maxsize=65536)
def _parse_text(text: str) -> tuple[dt.datetime, bool]:
    match = _ISO.match(text)
    if match:
        year, month, day, sep, hour, minute, second, sign, off_h, off_m, zulu = match.groups()
        if sep is None:
            return _london_at(int(year), int(month), int(day)), True
        if sign or zulu:
            if sep != "T":
                raise ValueError(f"is not a date this log accepts: use {_DATE_FORMS}")
            naive = _naive(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
            offset = (
                dt.timedelta(0)
                if zulu
                else (1 if sign == "+" else -1) * dt.timedelta(hours=int(off_h), minutes=int(off_m))
            )
            return naive.replace(tzinfo=dt.timezone(offset)), False
        return _london_at(int(year), int(month), int(day), int(hour), int(minute), int(second or 0)), False
    match = _UK.match(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
        if hour is None:
            return _london_at(int(year), int(month), int(day)), True
        return _london_at(int(year), int(month), int(day), int(hour), int(minute), int(second or 0)), False
    raise ValueError(f"is not a date this log accepts: use {_DATE_FORMS}")


def _naive(*parts: int) -> dt.datetime:
    try:
        return dt.datetime(*parts)
    except ValueError:
        raise ValueError("is not a real date or time") from None


def _london(naive: dt.datetime) -> dt.datetime:
    """Europe/London local time: the repeated autumn hour is its first occurrence (fold=0); the
    missing spring hour is an error."""
    return _london_at(naive.year, naive.month, naive.day, naive.hour, naive.minute, naive.second, naive.microsecond)


def _london_at(year, month, day, hour=0, minute=0, second=0, microsecond=0) -> dt.datetime:
    try:
        aware = dt.datetime(year, month, day, hour, minute, second, microsecond, tzinfo=LONDON)
    except ValueError:
        raise ValueError("is not a real date or time") from None
    if _clocks_steady(year, month, day):
        return aware
    # The clocks change that day: the round trip tells the skipped hour (an error) from the
    # repeated one (fold=0, its first occurrence).
    if aware.astimezone(dt.UTC).astimezone(LONDON).replace(tzinfo=None) != aware.replace(tzinfo=None):
        raise ValueError("is in the hour the clocks skip when they go forward, so it never happened in the UK")
    return aware


@lru_cache(maxsize=8192)
def _clocks_steady(year: int, month: int, day: int) -> bool:
    """Whether London keeps one UTC offset all day (every day but the two a year the clocks change)."""
    start = dt.datetime(year, month, day, tzinfo=LONDON)
    end = dt.datetime(year, month, day, 23, 59, 59, tzinfo=LONDON)
    return start.utcoffset() == end.utcoffset() == start.replace(fold=1).utcoffset() == end.replace(fold=1).utcoffset()
