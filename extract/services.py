"""Import the case-management extract (``drift-watch.md``): visits, care plans and allocations.

:func:`extract_import` takes the files' bytes by name (``visits.csv``, ``care_plans.csv``,
``allocations.csv``; any of them, names matched ignoring case), reads them with the escalation log's
reader (:mod:`imports.parsing`: CSV in UTF-8, row 1 the headers, spreadsheet row numbers, the YAML
mapping file), checks every row, and then either

- refuses the whole extract (:class:`ExtractInvalid`, nothing stored) when any row has an error: a
  blank required value, a date that is not ``dd/mm/YYYY`` or ``YYYY-MM-DD``, a seen value that is not
  Y, Yes, N or No, an end before its start, a value too long to store, a child the system does not
  know, or a natural key repeated with different values (both rows named); or
- stores it: rows matched on their natural keys, created or changed only when a value differs (with
  audit history), so importing the same files again writes nothing. Rows a later extract no longer
  lists are kept. Exact duplicate rows are stored once, with a warning.

Headers: our column names or the SSD's (``clav_person_id``, ...), matched ignoring case; the SSD
tables' other columns (``clav_cla_visit_id``, ...) are accepted and not stored; any other heading must
be mapped (or set to ``ignore``) by the mapping file, so a misspelt column is never dropped silently.

The latest open allocation of each child in ``allocations.csv`` (started on or before today, not
ended before today; the latest start wins) sets the child's social worker and team (teams by name,
created when new) through :func:`children.services.child_bulk_upsert`; a child with no open
allocation has no social worker recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import yaml
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from children.models import Child
from children.selectors import children_by_case_id
from children.services import child_bulk_upsert
from core.errors import DomainError
from extract import selectors
from extract.models import Allocation, CarePlan, ExtractImportRun, Visit
from imports.bulk import BulkWriter, Shape, shape_history
from imports.parsing import (
    IGNORE,
    FileProblem,
    Mapping,
    TableCounts,
    cell_text,
    headers_resolve,
    id_normalise,
    mapping_build,
)
from imports.parsing import RowProblem as Problem
from imports.parsing import table_read as csv_table_read
from people.models import User
from people.services import teams_ensure
from workdays.clock import local_date

BATCH_SIZE = 1000
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
YES = {"y": True, "yes": True, "n": False, "no": False}


# ----------------------------------------------------------------------------- the files


@dataclass(frozen=True)
class Column:
    name: str  # ours, as the spec names it
    ssd: str  # the Standard Safeguarding Dataset's name, accepted as it is
    kind: str  # id | date | yesno | text
    required: bool = False
    field: str | None = None  # the model field; None: the child (person_id)
    max_length: int | None = None


@dataclass(frozen=True)
class ExtractFile:
    name: str  # the table's name in counts and in ExtractImportRun.tables
    filename: str
    model: type
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    ssd_other: tuple[str, ...]  # the SSD table's columns the watch does not use: accepted, not stored
    periods: tuple[tuple[str, str], ...] = ()  # (end column, start column): the end may not come first

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.columns if c.field)

    @property
    def key_fields(self) -> tuple[str, ...]:
        """The model fields of the key after the child."""
        by_name = {c.name: c.field for c in self.columns}
        return tuple(by_name[name] for name in self.key[1:])


def _text(name, ssd, model, field_name, required=False):
    return Column(name, ssd, "text", required, field_name, model._meta.get_field(field_name).max_length)


def _person(ssd):
    return Column("person_id", ssd, "id", True, None, Child._meta.get_field("case_id").max_length)


VISITS = ExtractFile(
    "visits",
    "visits.csv",
    Visit,
    (
        _person("clav_person_id"),
        Column("visit_date", "clav_cla_visit_date", "date", True, "date"),
        Column("child_seen", "clav_cla_visit_seen", "yesno", False, "seen"),
        Column("child_seen_alone", "clav_cla_visit_seen_alone", "yesno", False, "seen_alone"),
    ),
    ("person_id", "visit_date"),
    ("clav_cla_visit_id", "clav_casenote_id", "clav_cla_id", "clav_cla_episode_id"),
)
CARE_PLANS = ExtractFile(
    "care_plans",
    "care_plans.csv",
    CarePlan,
    (
        _person("lacp_person_id"),
        Column("plan_start", "lacp_cla_care_plan_start_date", "date", True, "start"),
        Column("plan_end", "lacp_cla_care_plan_end_date", "date", False, "end"),
    ),
    ("person_id", "plan_start"),
    ("lacp_table_id", "lacp_cla_care_plan_json"),
    (("plan_end", "plan_start"),),
)
ALLOCATIONS = ExtractFile(
    "allocations",
    "allocations.csv",
    Allocation,
    (
        _person("invo_person_id"),
        _text("worker", "invo_professional_id", Allocation, "worker", required=True),
        _text("role", "invo_professional_role_id", Allocation, "role"),
        _text("team", "invo_professional_team", Allocation, "team"),
        Column("start", "invo_involvement_start_date", "date", True, "start"),
        Column("end", "invo_involvement_end_date", "date", False, "end"),
    ),
    ("person_id", "worker", "start"),
    ("invo_involvements_id", "invo_referral_id", "invo_worker_change_reason"),
    (("end", "start"),),
)
FILES = (VISITS, CARE_PLANS, ALLOCATIONS)
ALL_COLUMNS = tuple(dict.fromkeys(name for f in FILES for name in f.column_names))


# ----------------------------------------------------------------------------- results


@dataclass
class ExtractResult:
    counts: dict[str, TableCounts]
    warnings: list[Problem]
    children_updated: int
    teams_created: int
    run: ExtractImportRun


class ExtractInvalid(DomainError):
    """The extract has errors; nothing was stored. ``errors`` lists every one (strings)."""

    def __init__(self, errors: list):
        self.errors = [str(error) for error in errors]
        count = len(self.errors)
        lines = [f"The case-management extract has {count} error{'s' if count != 1 else ''}; nothing was imported."]
        lines += [f"  {error}" for error in self.errors]
        super().__init__("\n".join(lines))


# ----------------------------------------------------------------------------- the mapping file


def extract_mapping_load(text: str | None) -> dict[str, Mapping]:
    """Each file's :class:`~imports.parsing.Mapping` from a YAML mapping file.

    ``columns:`` and ``values:`` apply to every file, as in the escalation log's mapping file; a
    section named after a file (``visits.csv:``, with its own ``columns:`` and ``values:``) applies to
    that file only, for a heading that means different things in different files. The SSD's names
    need no mapping."""
    raw: dict = {}
    if text:
        try:
            raw = yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            raise FileProblem(f"The mapping file is not valid YAML: {error}") from None
        allowed = {"columns", "values", *(f.filename for f in FILES)}
        if not isinstance(raw, dict) or set(raw) - allowed:
            raise FileProblem(
                "The mapping file should hold only 'columns:', 'values:' and sections for "
                f"{', '.join(f.filename for f in FILES)}."
            )
    shared = mapping_build({k: raw.get(k) for k in ("columns", "values")}, columns=ALL_COLUMNS)
    mappings = {}
    for extract_file in FILES:
        section = raw.get(extract_file.filename) or {}
        if not isinstance(section, dict) or set(section) - {"columns", "values"}:
            raise FileProblem(f"Mapping file, {extract_file.filename}: should hold only 'columns:' and 'values:'.")
        own = mapping_build(section, columns=extract_file.column_names, where=f"Mapping file, {extract_file.filename}")
        columns = {c.ssd: c.name for c in extract_file.columns}
        columns.update({name: IGNORE for name in extract_file.ssd_other})
        columns.update(shared.columns)
        columns.update(own.columns)
        values = {column: dict(words) for column, words in shared.values.items()}
        for column, words in own.values.items():
            values.setdefault(column, {}).update(words)
        mappings[extract_file.filename] = Mapping(columns=columns, values=values)
    return mappings


# ----------------------------------------------------------------------------- reading and checking


@dataclass
class Row:
    """One row kept after collapsing exact duplicates: its row numbers and its values by column."""

    rows: tuple[int, ...]
    values: dict[str, object]


@dataclass
class Parsed:
    tables: dict[str, dict[tuple, Row]] = field(default_factory=dict)  # file name -> key -> row
    headings: dict[str, dict[str, str]] = field(default_factory=dict)  # file name -> column -> heading
    errors: list = field(default_factory=list)  # Problem, or a whole-file message (str)
    warnings: list[Problem] = field(default_factory=list)
    unkeyed: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # rows left out: (row, person_id)


@lru_cache(maxsize=65536)
def date_parse(text: str) -> dt.date:
    """A date written ``dd/mm/YYYY`` or ``YYYY-MM-DD``; ValueError with a message otherwise."""
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = match.groups()
    else:
        match = _UK_DATE.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a date: write it as dd/mm/YYYY or YYYY-MM-DD")
        day, month, year = match.groups()
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def _value(column: Column, raw: str, words: dict[str, str] | None):
    """The cell's value; ValueError with a message for the person importing."""
    if column.kind == "date":
        return date_parse(raw)
    if column.kind == "yesno":
        word = (words or {}).get(raw.lower(), raw)
        try:
            return YES[word.lower()]
        except KeyError:
            raise ValueError(f"{raw!r} is not Y, Yes, N or No (leave it blank when not recorded)") from None
    if column.kind == "id":
        raw = id_normalise(raw)
    if column.max_length and len(raw) > column.max_length:
        raise ValueError(f"{raw!r} is longer than {column.max_length} characters")
    return raw


def _read_file(extract_file: ExtractFile, data: bytes, mapping: Mapping, parsed: Parsed) -> None:
    filename = extract_file.filename
    try:
        table = csv_table_read(data, filename=filename)
        positions = headers_resolve(
            table.headers, mapping, columns=extract_file.column_names, required=extract_file.required
        )
    except FileProblem as problem:
        parsed.errors += [f"{filename}: {message}" for message in problem.problems]
        return
    headings = {name: str(table.headers[index]).strip() for name, index in positions.items()}
    parsed.headings[extract_file.name] = headings
    columns = [(c, positions.get(c.name), headings.get(c.name, c.name)) for c in extract_file.columns]
    by_key: dict[tuple, list[tuple[int, dict]]] = defaultdict(list)
    for number, cells in table.rows:
        values, bad = {}, False
        for column, index, heading in columns:
            raw = cell_text(cells[index]) if index is not None and index < len(cells) else ""
            if not raw:
                if column.required:
                    parsed.errors.append(Problem(filename, (number,), heading, "is blank; a value is required"))
                    bad = True
                values[column.name] = None if column.kind in ("date", "yesno") else ""
                continue
            try:
                values[column.name] = _value(column, raw, mapping.values.get(column.name))
            except ValueError as error:
                parsed.errors.append(Problem(filename, (number,), heading, str(error)))
                values[column.name], bad = None, True
        for end, start in extract_file.periods:
            if values.get(end) and values.get(start) and values[end] < values[start]:
                parsed.errors.append(
                    Problem(
                        filename,
                        (number,),
                        headings.get(end, end),
                        f"{values[end]:%d/%m/%Y} is before {headings.get(start, start)} {values[start]:%d/%m/%Y}",
                    )
                )
        if bad and any(values[k] in (None, "") for k in extract_file.key):
            # No key to group it by; its errors are listed, and its child is still checked.
            if values["person_id"]:
                parsed.unkeyed.setdefault(extract_file.name, []).append((number, values["person_id"]))
            continue
        by_key[tuple(values[k] for k in extract_file.key)].append((number, values))

    rows: dict[tuple, Row] = {}
    key_headings = [headings.get(k, k) for k in extract_file.key]
    for key, group in by_key.items():
        numbers = tuple(number for number, _ in group)
        if len(group) > 1:
            described = ", ".join(f"{h} {_shown(v)}" for h, v in zip(key_headings, key))
            if all(values == group[0][1] for _, values in group):
                parsed.warnings.append(
                    Problem(filename, numbers, "", f"exact duplicate rows ({described}); stored once")
                )
            else:
                parsed.errors.append(
                    Problem(
                        filename,
                        numbers,
                        "",
                        f"{described} is repeated with different values; keep one row for it",
                    )
                )
                continue
        rows[key] = Row(numbers, group[0][1])
    parsed.tables[extract_file.name] = rows


def _shown(value) -> str:
    return f"{value:%d/%m/%Y}" if isinstance(value, dt.date) else str(value)


def _files_by_name(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name.lower().rsplit("/", 1)[-1]: data for name, data in files.items()}


def extract_read(*, files: dict[str, bytes], mapping_text: str | None = None) -> Parsed:
    """Read and check the files (by name). No database access: children are checked on import."""
    parsed = Parsed()
    try:
        mappings = extract_mapping_load(mapping_text)
    except FileProblem as problem:
        parsed.errors += problem.problems
        return parsed
    by_name = _files_by_name(files)
    present = [f for f in FILES if f.filename in by_name]
    if not present:
        parsed.errors.append(
            f"There is no {', '.join(f.filename for f in FILES[:-1])} or {FILES[-1].filename} to import."
        )
        return parsed
    for extract_file in present:
        _read_file(extract_file, by_name[extract_file.filename], mappings[extract_file.filename], parsed)
    return parsed


def _check_children(parsed: Parsed) -> dict[str, Child]:
    """The children named, by case ID; an error for every row naming one the system does not know."""
    case_ids = {key[0] for rows in parsed.tables.values() for key in rows}
    case_ids |= {person for rows in parsed.unkeyed.values() for _, person in rows}
    children = children_by_case_id(sorted(case_ids))
    for extract_file in FILES:
        heading = parsed.headings.get(extract_file.name, {}).get("person_id", "person_id")
        named = [(n, key[0]) for key, row in parsed.tables.get(extract_file.name, {}).items() for n in row.rows]
        for number, person in sorted(named + parsed.unkeyed.get(extract_file.name, [])):
            if person not in children:
                parsed.errors.append(
                    Problem(
                        extract_file.filename,
                        (number,),
                        heading,
                        f"{person!r} is not a child known here (import their 903 return first)",
                    )
                )
    return children


def _sort_key(problem):
    if isinstance(problem, str):
        return (-1, (), problem)
    return ([f.filename for f in FILES].index(problem.where), problem.rows, problem.column)


# ----------------------------------------------------------------------------- writing


def _store(
    extract_file: ExtractFile, rows: dict[tuple, Row], children: dict[str, Child], writer: BulkWriter, audit: dict
) -> TableCounts:
    model, fields = extract_file.model, extract_file.fields
    stored = selectors.extract_rows_by_key(
        model, {children[key[0]].pk for key in rows}, key_fields=extract_file.key_fields, fields=fields
    )
    counts = TableCounts()
    new, changed = [], []
    for key, row in rows.items():
        child_id = children[key[0]].pk
        values = tuple(row.values[c.name] for c in extract_file.columns if c.field)
        found = stored.get((child_id, *key[1:]))
        if found is None:
            new.append((child_id, *values))
        elif found[1] != values:
            changed.append(model(id=found[0], child_id=child_id, **dict(zip(fields, values))))
        else:
            counts.unchanged += 1
    if new:
        shape = Shape(model, ["id", "child_id", *fields])
        history = shape_history(shape)
        ids = writer.take(model, len(new))
        records = [(pk, *values) for pk, values in zip(ids, new)]
        writer.insert(shape, records)
        tail = (audit["when"], audit["reason"], "+", audit["by_id"])
        writer.insert(history, (record + tail for record in records))
    if changed:
        bulk_update_with_history(
            changed,
            model,
            list(fields),
            batch_size=BATCH_SIZE,
            default_change_reason=audit["reason"],
            default_date=audit["when"],
            default_user=audit["by"],
        )
    counts.created, counts.updated = len(new), len(changed)
    return counts


def _allocated(rows: dict[tuple, Row], children: dict[str, Child], today: dt.date) -> dict[str, tuple[str, str]]:
    """Each child of ``allocations.csv``: (worker, team) of their latest open allocation on ``today``
    (stored ones included), or ("", "") when none is open."""
    child_pks = {children[key[0]].pk: key[0] for key in rows}
    every: dict[str, dict[tuple, tuple]] = defaultdict(dict)
    stored = selectors.extract_rows_by_key(
        Allocation, child_pks, key_fields=ALLOCATIONS.key_fields, fields=ALLOCATIONS.fields
    )
    for (child_id, worker, start), (_, values) in stored.items():
        every[child_pks[child_id]][(worker, start)] = values
    for (case_id, worker, start), row in rows.items():
        every[case_id][(worker, start)] = tuple(row.values[c] for c in ("worker", "role", "team", "start", "end"))
    chosen = {}
    for case_id in {key[0] for key in rows}:
        open_now = [v for v in every[case_id].values() if v[3] <= today and (v[4] is None or v[4] >= today)]
        if open_now:
            latest = max(open_now, key=lambda v: (v[3], v[0]))
            chosen[case_id] = (latest[0], latest[2])
        else:
            chosen[case_id] = ("", "")
    return chosen


def _update_children(rows, children, audit, today) -> tuple[int, int]:
    chosen = _allocated(rows, children, today)
    teams, created = teams_ensure(
        names={team for _, team in chosen.values()}, reason=audit["reason"], by=audit["by"], when=audit["when"]
    )
    values = {}
    for case_id, (worker, team) in chosen.items():
        values[case_id] = {"social_worker": worker}
        if team:
            values[case_id]["team_id"] = teams[team.lower()].pk
    done = child_bulk_upsert(values=values, reason=audit["reason"], by=audit["by"], when=audit["when"], known=children)
    return done.updated, created


def extract_import(
    *, files: dict[str, bytes], mapping_text: str | None = None, source: str, by: User | None = None
) -> ExtractResult:
    """Import the extract's files (name -> bytes); raises ExtractInvalid (nothing stored) on any error."""
    parsed = extract_read(files=files, mapping_text=mapping_text)
    children = _check_children(parsed) if parsed.tables or parsed.unkeyed else {}
    if parsed.errors:
        raise ExtractInvalid(sorted(parsed.errors, key=_sort_key))

    when = timezone.now()
    audit = {"when": when, "reason": "Case-management extract import", "by": by, "by_id": by.pk if by else None}
    counts: dict[str, TableCounts] = {}
    children_updated = teams_created = 0
    with transaction.atomic():
        writer = BulkWriter()
        try:
            for extract_file in FILES:
                if extract_file.name in parsed.tables:
                    counts[extract_file.name] = _store(
                        extract_file, parsed.tables[extract_file.name], children, writer, audit
                    )
        finally:
            writer.close()
        if ALLOCATIONS.name in parsed.tables:
            children_updated, teams_created = _update_children(
                parsed.tables[ALLOCATIONS.name], children, audit, local_date(when)
            )
        warnings = sorted(parsed.warnings, key=_sort_key)
        run = ExtractImportRun.objects.create(
            imported_at=when,
            imported_by=by,
            source=source[:500],
            tables=[f.name for f in FILES if f.name in parsed.tables],
            counts={name: c.as_dict() for name, c in counts.items()},
            warnings=[str(w) for w in warnings],
        )
    return ExtractResult(
        counts=counts, warnings=warnings, children_updated=children_updated, teams_created=teams_created, run=run
    )
