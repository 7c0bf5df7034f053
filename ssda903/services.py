"""Import an SSDA903 return (CSV tables) into the ssda903 tables and the children.

:func:`ssda903_import` reads header.csv, episodes.csv, reviews.csv, uasc.csv and missing.csv (names
case-insensitive; only header.csv is required) from a directory, checks every row, and then either

- refuses the whole return (:class:`ReturnInvalid`, nothing stored) when any row has an error: a code
  outside the lists in :mod:`ssda903.codes`, a date that is not dd/mm/YYYY, a blank required value, a
  value too long to store, an end before its start, or a CHILD that is not in the Header; or
- stores it, listing warnings: cross-field rule breaks, exact duplicate rows (stored once) and natural
  keys repeated with different values (the last row wins).

Rows are matched on their natural keys: (CHILD) children, Header details and UASC; (CHILD, DECOM)
episodes; (CHILD, REVIEW) reviews; (CHILD, MIS_START) missing episodes. Rows are only written when a
value changed, so importing the same files again writes nothing (no rows, no history). Rows missing
from a later year's files are kept. Reads are a few bulk queries; writes are bulk, with history.

Row numbers are spreadsheet numbers: the column names are row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from children.models import Child
from children.selectors import children_by_case_id
from children.services import child_bulk_upsert
from core.errors import DomainError
from imports.parsing import RowProblem as Problem
from imports.parsing import TableCounts
from ssda903 import codes, selectors
from ssda903.models import Episode, HeaderRecord, ImportRun, MissingEpisode, Review, UascRecord

BATCH_SIZE = 500
DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


# ----------------------------------------------------------------------------- results


@dataclass
class ImportResult:
    counts: dict[str, TableCounts]
    warnings: list[Problem]
    tables_not_found: list[str]
    run: ImportRun


class ReturnInvalid(DomainError):
    """The return has errors; nothing was stored. ``errors`` lists every one."""

    def __init__(self, errors: list[Problem]):
        self.errors = errors
        lines = [f"The 903 return has {len(errors)} error{'s' if len(errors) != 1 else ''}; nothing was imported."]
        lines += [f"  {error}" for error in errors]
        super().__init__("\n".join(lines))


# ----------------------------------------------------------------------------- table layout


@dataclass(frozen=True)
class Column:
    name: str
    field: str | None = None  # the model field it is stored in; None: checked, not stored
    kind: str = "text"  # text | date | code
    required: bool = False
    code_list: dict[str, str] | None = None
    code_label: str = ""
    max_length: int | None = None


def _text(name, model, field_name, required=False):
    return Column(name, field_name, "text", required, max_length=model._meta.get_field(field_name).max_length)


def _code(name, field_name, code_list, label, required=True):
    return Column(name, field_name, "code", required, code_list=code_list, code_label=label)


CHILD = Column("CHILD", None, "text", True, max_length=Child._meta.get_field("case_id").max_length)


@dataclass(frozen=True)
class Table:
    name: str
    filename: str
    model: type | None
    key: tuple[str, ...]
    columns: tuple[Column, ...]


HEADER = Table(
    "Header",
    "header.csv",
    HeaderRecord,
    ("CHILD",),
    (
        CHILD,
        _code("SEX", None, codes.SEX, "sex"),
        Column("DOB", None, "date", True),
        _text("ETHNIC", HeaderRecord, "ethnicity"),
        _text("UPN", HeaderRecord, "upn"),
        _text("MOTHER", HeaderRecord, "mother"),
        Column("MC_DOB", "mother_child_dob", "date"),
    ),
)
EPISODES = Table(
    "Episodes",
    "episodes.csv",
    Episode,
    ("CHILD", "DECOM"),
    (
        CHILD,
        Column("DECOM", "start", "date", True),
        _text("RNE", Episode, "reason_new_episode"),
        _code("LS", "legal_status", codes.LEGAL_STATUS, "legal status"),
        _text("CIN", Episode, "category_of_need"),
        _code("PLACE", "placement_type", codes.PLACEMENT_TYPE, "placement type"),
        _text("PLACE_PROVIDER", Episode, "placement_provider"),
        Column("DEC", "end", "date"),
        _code("REC", "reason_ended", codes.REASON_ENDED, "reason episode ceased", required=False),
        _text("REASON_PLACE_CHANGE", Episode, "reason_place_change"),
        _text("HOME_POST", Episode, "home_postcode"),
        _text("PL_POST", Episode, "placement_postcode"),
        _text("URN", Episode, "urn"),
    ),
)
REVIEWS = Table(
    "Reviews",
    "reviews.csv",
    Review,
    ("CHILD", "REVIEW"),
    (
        CHILD,
        Column("DOB", None, "date"),
        Column("REVIEW", "date", "date", True),
        _code("REVIEW_CODE", "participation", codes.REVIEW_PARTICIPATION, "review participation"),
    ),
)
UASC = Table(
    "UASC",
    "uasc.csv",
    UascRecord,
    ("CHILD",),
    (
        CHILD,
        _code("SEX", None, codes.SEX, "sex", required=False),
        Column("DOB", None, "date"),
        Column("DUC", "ceased", "date"),
    ),
)
MISSING = Table(
    "Missing",
    "missing.csv",
    MissingEpisode,
    ("CHILD", "MIS_START"),
    (
        CHILD,
        Column("DOB", None, "date"),
        _code("MISSING", "kind", codes.MISSING_KIND, "missing (M) or away (A)"),
        Column("MIS_START", "start", "date", True),
        Column("MIS_END", "end", "date"),
    ),
)
TABLES = (HEADER, EPISODES, REVIEWS, UASC, MISSING)
# Cross-field checks: (table, end column, start column).
PERIODS = ((EPISODES, "DEC", "DECOM"), (MISSING, "MIS_END", "MIS_START"))


# ----------------------------------------------------------------------------- reading and checking


@dataclass
class Row:
    """One row that survived de-duplication: its row numbers and its parsed values by column."""

    rows: tuple[int, ...]
    values: dict[str, object]

    @property
    def row(self) -> int:
        return self.rows[-1]

    def fields(self, table: Table) -> dict[str, object]:
        return {c.field: self.values[c.name] for c in table.columns if c.field}


@dataclass
class Parsed:
    tables: dict[str, dict[tuple, Row]] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)


def _parse_date(raw: str) -> dt.date | None:
    match = DATE_RE.match(raw)
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _parse_value(table: Table, column: Column, raw: str, row: int, errors: list[Problem]):
    """The column's value from its text, or None after recording an error (or when blank)."""
    if not raw:
        if column.required:
            errors.append(Problem(table.name, (row,), column.name, "is blank; a value is required"))
        return "" if column.kind != "date" else None
    if column.kind == "date":
        value = _parse_date(raw)
        if value is None:
            errors.append(Problem(table.name, (row,), column.name, f"{raw!r} is not a date in the form dd/mm/YYYY"))
        return value
    if column.kind == "code":
        code = raw.upper()
        if code not in column.code_list:
            errors.append(
                Problem(
                    table.name, (row,), column.name, f"{raw!r} is not a {column.code_label} code in the 903 code list"
                )
            )
            return None
        return code
    if column.max_length and len(raw) > column.max_length:
        errors.append(
            Problem(table.name, (row,), column.name, f"{raw!r} is longer than {column.max_length} characters")
        )
        return None
    return raw


def _read_table(table: Table, path: Path, parsed: Parsed) -> dict[tuple, Row]:
    """Parse and check one file's rows; group them by natural key (duplicates collapsed, last wins)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        names = [name.strip().upper() for name in next(reader, [])]
        missing = [c.name for c in table.columns if c.name not in names]
        for name in missing:
            parsed.errors.append(Problem(table.name, (1,), name, "the column is missing"))
        if missing:
            return {}
        positions = {c.name: names.index(c.name) for c in table.columns}
        by_key: dict[tuple, list[tuple[int, tuple, dict]]] = defaultdict(list)
        for number, cells in enumerate(reader, start=2):
            raw = {name: (cells[i].strip() if i < len(cells) else "") for name, i in positions.items()}
            if not any(raw.values()):
                continue
            errors_before = len(parsed.errors)
            values = {c.name: _parse_value(table, c, raw[c.name], number, parsed.errors) for c in table.columns}
            for period_table, end, start in PERIODS:
                if period_table is table and values[end] and values[start] and values[end] < values[start]:
                    parsed.errors.append(
                        Problem(table.name, (number,), end, f"{raw[end]} is before {start} {raw[start]}")
                    )
            if len(parsed.errors) > errors_before and any(values[k] in (None, "") for k in table.key):
                continue
            key = tuple(values[k] for k in table.key)
            by_key[key].append((number, tuple(raw[c.name] for c in table.columns), values))

    rows: dict[tuple, Row] = {}
    for key, group in by_key.items():
        numbers = tuple(number for number, _, _ in group)
        if len(group) > 1:
            keys = ", ".join(f"{k} {raw}" for k, raw in zip(table.key, _key_text(group[0][1], table)))
            if len({raws for _, raws, _ in group}) == 1:
                message = f"exact duplicate rows ({keys}); stored once"
            else:
                message = f"{keys} is repeated with different values; the last row ({numbers[-1]}) is kept"
            parsed.warnings.append(Problem(table.name, numbers, "", message))
        rows[key] = Row(numbers, group[-1][2])
    return rows


def _key_text(raws: tuple, table: Table) -> list[str]:
    names = [c.name for c in table.columns]
    return [raws[names.index(k)] for k in table.key]


def _find_files(directory: Path) -> dict[str, Path]:
    if not directory.is_dir():
        raise DomainError(f"{directory} is not a directory.")
    return {path.name.lower(): path for path in directory.iterdir() if path.is_file()}


def _check_across_tables(parsed: Parsed) -> None:
    tables = parsed.tables
    header = tables.get("Header", {})
    known = {key[0] for key in header}
    for table in TABLES[1:]:
        for key, row in tables.get(table.name, {}).items():
            if key[0] not in known:
                for number in row.rows:
                    parsed.errors.append(Problem(table.name, (number,), "CHILD", f"{key[0]!r} is not in the Header"))
                continue
            person = header[(key[0],)].values
            for column in ("SEX", "DOB"):
                if (
                    column in row.values
                    and row.values[column] not in (None, "")
                    and row.values[column] != person[column]
                ):
                    parsed.warnings.append(
                        Problem(
                            table.name, (row.row,), column, f"differs from the Header (row {header[(key[0],)].row})"
                        )
                    )

    if "Episodes" not in tables:
        return
    episodes = tables["Episodes"]
    with_episodes = {key[0] for key in episodes}
    open_rows = defaultdict(list)
    for key, row in episodes.items():
        reason = row.values["REC"]
        if row.values["DEC"] is None:
            open_rows[key[0]].append(row.row)
            if reason:
                parsed.warnings.append(
                    Problem(
                        "Episodes", (row.row,), "REC", f"the episode is open (no DEC) but has reason ended {reason}"
                    )
                )
        elif not reason:
            parsed.warnings.append(Problem("Episodes", (row.row,), "REC", "the episode has ended (DEC) but has no REC"))
    for child, numbers in open_rows.items():
        if len(numbers) > 1:
            parsed.warnings.append(
                Problem("Episodes", tuple(sorted(numbers)), "DEC", f"child {child} has {len(numbers)} open episodes")
            )
    for key, row in header.items():
        if key[0] not in with_episodes:
            parsed.warnings.append(Problem("Header", (row.row,), "CHILD", f"child {key[0]} has no episodes"))


def ssda903_read(*, directory: Path) -> Parsed:
    """Read and check a return's files. No database access."""
    files = _find_files(Path(directory))
    parsed = Parsed()
    for table in TABLES:
        path = files.get(table.filename)
        if path is None:
            parsed.not_found.append(table.name)
            if table is HEADER:
                parsed.errors.append(Problem("Header", (1,), "", f"{table.filename} was not found in {directory}"))
            continue
        parsed.tables[table.name] = _read_table(table, path, parsed)
    if not parsed.errors:
        _check_across_tables(parsed)
    elif "Header" in parsed.tables:
        # Still report rows whose child is not in the Header, so every error is listed at once.
        _check_across_tables(Parsed(tables=parsed.tables, errors=parsed.errors))
    parsed.errors.sort(key=lambda p: (TABLES.index(_table(p.where)), p.rows, p.column))
    parsed.warnings.sort(key=lambda p: (TABLES.index(_table(p.where)), p.rows, p.column))
    return parsed


def _table(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)


# ----------------------------------------------------------------------------- writing


def _apply(obj, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _write(model, objs_new, objs_changed, fields, reason, when):
    if objs_new:
        bulk_create_with_history(
            objs_new, model, batch_size=BATCH_SIZE, default_change_reason=reason, default_date=when
        )
    if objs_changed:
        bulk_update_with_history(
            objs_changed, model, fields, batch_size=BATCH_SIZE, default_change_reason=reason, default_date=when
        )


def _derived(episodes: list[tuple[dt.date, str, dt.date | None]]) -> dict:
    """Child fields from all the child's episodes (start, legal status, end)."""
    first = min(e[0] for e in episodes)
    latest = max(episodes, key=lambda e: e[0])
    return {"legal_status": latest[1], "looked_after_from": first, "looked_after_to": latest[2]}


def _import_children(parsed: Parsed, reason: str, when) -> tuple[dict[str, Child], TableCounts]:
    header = parsed.tables["Header"]
    case_ids = [key[0] for key in header]
    children = children_by_case_id(case_ids)

    # Every episode each child will have: those stored, overlaid with this return's.
    episodes: dict[str, dict[dt.date, tuple]] = defaultdict(dict)
    by_pk = {child.pk: child.case_id for child in children.values()}
    for (child_pk, start), episode in selectors.episodes_by_key(by_pk).items():
        episodes[by_pk[child_pk]][start] = (start, episode.legal_status, episode.end)
    for (case_id, start), row in parsed.tables.get("Episodes", {}).items():
        episodes[case_id][start] = (start, row.values["LS"], row.values["DEC"])

    values = {}
    for (case_id,), row in header.items():
        values[case_id] = {"sex": row.values["SEX"], "date_of_birth": row.values["DOB"]}
        if episodes.get(case_id):
            values[case_id].update(_derived(list(episodes[case_id].values())))
    done = child_bulk_upsert(
        values=values, new_defaults={"details_to_complete": True}, reason=reason, when=when, known=children
    )
    return done.children, TableCounts(created=done.created, updated=done.updated, unchanged=done.unchanged)


def _import_table(table: Table, rows: dict[tuple, Row], children: dict[str, Child], reason, when) -> TableCounts:
    child_pks = {children[key[0]].pk for key in rows}
    single = table.key == ("CHILD",)
    if table is HEADER:
        stored = {(pk,): obj for pk, obj in selectors.header_records_by_child(child_pks).items()}
    elif table is UASC:
        stored = {(pk,): obj for pk, obj in selectors.uasc_records_by_child(child_pks).items()}
    elif table is EPISODES:
        stored = selectors.episodes_by_key(child_pks)
    elif table is REVIEWS:
        stored = selectors.reviews_by_key(child_pks)
    else:
        stored = selectors.missing_episodes_by_key(child_pks)

    counts = TableCounts()
    new, changed = [], []
    for key, row in rows.items():
        child = children[key[0]]
        values = row.fields(table)
        obj = stored.get((child.pk,) if single else (child.pk, *key[1:]))
        if obj is None:
            new.append(table.model(child=child, **values))
        elif _apply(obj, values):
            changed.append(obj)
        else:
            counts.unchanged += 1
    fields = [c.field for c in table.columns if c.field]
    _write(table.model, new, changed, fields, reason, when)
    counts.created, counts.updated = len(new), len(changed)
    return counts


def ssda903_import(*, directory: Path | str, year: str = "") -> ImportResult:
    """Import the return in ``directory``; raises ReturnInvalid (nothing stored) when any row has an error."""
    if year and not re.fullmatch(r"\d{4}-\d{2}", year):
        raise DomainError(f"The year {year!r} is not in the form 2017-18.", field="year")
    parsed = ssda903_read(directory=Path(directory))
    if parsed.errors:
        raise ReturnInvalid(parsed.errors)

    when = timezone.now()
    reason = f"903 import {year}".strip()
    counts: dict[str, TableCounts] = {}
    with transaction.atomic():
        children, counts["Children"] = _import_children(parsed, reason, when)
        for table in TABLES:
            if table.name in parsed.tables:
                counts[table.name] = _import_table(table, parsed.tables[table.name], children, reason, when)
        run = ImportRun.objects.create(
            year=year,
            imported_at=when,
            directory=str(directory),
            counts={name: c.as_dict() for name, c in counts.items()},
            warnings=[str(w) for w in parsed.warnings],
        )
    return ImportResult(counts=counts, warnings=parsed.warnings, tables_not_found=parsed.not_found, run=run)
