"""Checking every row of an escalation log before anything is stored.

:func:`rows_validate` turns a :class:`~imports.parsing.Table` into :class:`ImportRow` values and a
list of :class:`Problem` (every problem, never just the first). It reads only the lookup caches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from hashlib import sha256

from django.utils import timezone
from django.utils.text import slugify

from children.models import Child
from core.validation import LONG_TEXT_MAX, has_control, text_problem, text_visible
from imports.parsing import (
    LONDON,
    Mapping,
    Table,
    cell_text,
    headers_resolve,
    id_normalise,
    list_split,
    moment_parse,
)
from imports.selectors import Lookups
from people.models import Role
from themes.models import Outcome, Theme

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
CHECKING = "Checking rows"  # the progress phase
# The option that creates unknown children and IROs, as the upload page and the command both name it.
CREATE_MISSING = "'create children and IROs the system does not know yet'"
REFERENCE_MAX = 40
CASE_ID_MAX = Child._meta.get_field("case_id").max_length
IRO_MAX = 150  # a username or a full name (a first or last name holds 150)
SUMMARY_MAX = LONG_TEXT_MAX
MULTILINE = ("summary",)  # the only column that may hold line breaks and tabs


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str
    value: str = ""

    def __post_init__(self):
        # A value is quoted in the message and kept with the job: never with a control character.
        object.__setattr__(self, "value", text_visible(self.value))

    def __str__(self) -> str:
        shown = f" (value '{self.value}')" if self.value != "" else ""
        return f"Row {self.row}, column {self.column}: {self.message}{shown}"


@dataclass
class ImportRow:
    """One valid row, resolved against the lookups."""

    number: int
    reference: str
    raised_at: dt.datetime
    raised_date_only: bool
    iro_key: str  # the username, or the username an IRO will be created with
    iro_id: int | None  # None: created by --create-missing
    case_ids: list[str]
    stage: object
    theme_ids: list[int]
    subtheme_ids: list[int]
    drift_reason_ids: list[int]
    first_response_at: dt.datetime | None
    first_response_date_only: bool
    resolved_at: dt.datetime | None
    resolved_date_only: bool
    outcome: Outcome | None
    cafcass_referred_on: dt.date | None
    summary: str
    row_hash: str = ""


@dataclass
class Validated:
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    children_to_create: list[str] = field(default_factory=list)  # case IDs
    iros_to_create: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # username -> (username, first, last)


def rows_validate(
    table: Table,
    mapping: Mapping,
    lookups: Lookups,
    *,
    create_missing: bool = False,
    now: dt.datetime | None = None,
    progress=None,
) -> Validated:
    """Check every row of ``table``: the valid rows and every problem."""
    check = RowsCheck(table, mapping, lookups, create_missing=create_missing, now=now)
    result = Validated()
    for chunk in check.chunks(CHECK_CHUNK):
        result.rows.extend(chunk.rows)
        result.problems.extend(chunk.problems)
        if progress is not None:
            progress(CHECKING, check.done, check.total)
    result.children_to_create = check.children_to_create
    result.iros_to_create = check.iros_to_create
    return result


CHECK_CHUNK = 5000


class RowsCheck:
    """The rows of ``table`` checked a chunk at a time (:meth:`chunks`), so that the caller can
    store one chunk while the database is still busy with the last. The headers are checked
    first (:class:`~imports.parsing.FileProblem`)."""

    def __init__(
        self,
        table: Table,
        mapping: Mapping,
        lookups: Lookups,
        *,
        create_missing: bool = False,
        now: dt.datetime | None = None,
    ):
        self.table = table
        self.positions = headers_resolve(table.headers, mapping)
        self._checker = _RowChecker(
            self.positions, mapping, lookups, create_missing, (now or timezone.now()) + FUTURE_TOLERANCE
        )
        self._first_row_of: dict[str, tuple[int, str]] = {}
        self.total = len(table.rows)
        self.done = 0

    @property
    def children_to_create(self) -> list[str]:
        """The unknown case IDs met so far (with ``create_missing``), in the order met."""
        return self._checker.children_to_create

    @property
    def iros_to_create(self) -> dict[str, tuple[str, str, str]]:
        return self._checker.iros_to_create

    def references(self) -> list[str]:
        """Every row's reference, read ahead of the checks (to look the stored ones up at once).
        A reference that could not be stored (too long, or with a control character, which
        PostgreSQL refuses even in a query) is left out: its row's check refuses it."""
        at = self.positions["reference"]
        references = (cell_text(cells[at]) for _, cells in self.table.rows if at < len(cells))
        return [ref for ref in references if len(ref) <= REFERENCE_MAX and not has_control(ref)]

    def chunks(self, size: int) -> Iterator[Validated]:
        """Each ``size`` rows: the valid ones and the problems found in them."""
        rows = self.table.rows
        for start in range(self.done, len(rows), size):
            chunk = Validated()
            for number, cells in rows[start : start + size]:
                self._check(number, cells, chunk)
            self.done = min(start + size, len(rows))
            yield chunk

    def _check(self, number: int, cells: list, chunk: Validated) -> None:
        # A repeated reference is reported whatever else is wrong with either row.
        at = self.positions["reference"]
        reference = cell_text(cells[at]) if at < len(cells) else ""
        key = reference.lower()
        repeated = key in self._first_row_of
        if repeated:
            earlier, earlier_value = self._first_row_of[key]
            chunk.problems.append(
                Problem(
                    number,
                    "reference",
                    f"the reference is also on row {earlier} ('{earlier_value}'): each reference may appear once",
                    reference,
                )
            )
        elif reference:
            self._first_row_of[key] = (number, reference)
        row = self._checker.check(number, cells, reference, chunk.problems)
        if row is not None and not repeated:
            chunk.rows.append(row)


class _RowChecker:
    """Checks one row at a time. Most cells repeat down a log (the same IRO, stage, themes or
    time of day), so each column's check is remembered by the cell's value, with the problems it
    found (reported again, with their row number, for every row that has that value). The
    remembered results are shared between rows: nothing may change them."""

    def __init__(self, positions, mapping: Mapping, lookups: Lookups, create_missing: bool, latest: dt.datetime):
        self.positions = positions
        self.values = mapping.values
        self.lookups = lookups
        self.create_missing = create_missing
        self.latest = latest
        self.children_to_create: list[str] = []
        self._children_seen: set[str] = set()
        self.iros_to_create: dict[str, tuple[str, str, str]] = {}
        self._usernames = set(lookups.users_by_username)
        self._pending_iros: dict[str, str] = {}  # the name in the log -> the username to create
        self._columns = [
            (column, positions.get(column))
            for column in (
                "raised_at",
                "iro",
                "children",
                "highest_stage",
                "themes",
                "drift_reasons",
                "first_response_at",
                "resolved_at",
                "outcome",
                "cafcass_referred_at",
                "summary",
            )
        ]
        self._memo: dict[str, dict] = {column: {} for column, _ in self._columns}
        self._drift_memo: dict = {}
        self._resolved_outcome = lookups.outcomes.get(Outcome.RESOLVED)

    def cell(self, cells, column):
        index = self.positions.get(column)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def _mapped(self, column: str, item: str) -> str:
        return self.values.get(column, {}).get(item.lower(), item)

    def check(self, number: int, cells: list, reference: str, problems: list[Problem]) -> ImportRow | None:
        found: list[tuple] = []  # (column, message, value)
        if any(isinstance(cell, str) and has_control(cell) for cell in cells):
            bad = self._control_problems(cells)
            if bad:
                for column, message, value in bad:
                    problems.append(Problem(number, column, message, value))
                return None
        if not reference:
            found.append(("reference", "enter the escalation's reference", ""))
        elif len(reference) > REFERENCE_MAX:
            found.append(("reference", f"a reference can have at most {REFERENCE_MAX} characters", reference))

        size = len(cells)
        raw = [cells[index] if index is not None and index < size else None for _, index in self._columns]
        (
            raised_raw,
            iro_raw,
            children_raw,
            stage_raw,
            themes_raw,
            drift_raw,
            first_raw,
            resolved_raw,
            outcome_raw,
            cafcass_raw,
            summary_raw,
        ) = raw
        memo = self._memo

        raised_at, raised_date_only, raised_hash, bad = self._remembered(
            memo["raised_at"], raised_raw, self._moment, "raised_at", True
        )
        if bad:
            found.extend(bad)
        (iro_key, iro_id, iro_json), bad = self._remembered(memo["iro"], iro_raw, self._iro)
        if bad:
            found.extend(bad)
        (case_ids, case_json), bad = self._remembered(memo["children"], children_raw, self._children)
        if bad:
            found.extend(bad)
        stage, bad = self._remembered(
            memo["highest_stage"], stage_raw, self._single, "highest_stage", self.lookups.stages, "stage", True
        )
        if bad:
            found.extend(bad)
        (theme_ids, subtheme_ids, has_drift, themes_json), bad = self._remembered(
            memo["themes"], themes_raw, self._themes
        )
        if bad:
            found.extend(bad)
        (drift_ids, drift_json), bad = self._remembered(self._drift_memo, (drift_raw, has_drift), self._drift)
        if bad:
            found.extend(bad)

        first_at, first_date_only, first_hash, bad = self._remembered(
            memo["first_response_at"], first_raw, self._moment, "first_response_at", False
        )
        if bad:
            found.extend(bad)
        resolved_at, resolved_date_only, resolved_hash, bad = self._remembered(
            memo["resolved_at"], resolved_raw, self._moment, "resolved_at", False
        )
        if bad:
            found.extend(bad)
        if raised_at is not None:
            for column, at, date_only, value in (
                ("first_response_at", first_at, first_date_only, first_raw),
                ("resolved_at", resolved_at, resolved_date_only, resolved_raw),
            ):
                if at is not None and _before(at, date_only, raised_at, raised_date_only):
                    found.append((column, f"is before raised_at ({cell_text(raised_raw)})", value))

        outcome, bad = self._remembered(
            memo["outcome"], outcome_raw, self._single, "outcome", self.lookups.outcomes, "outcome", False
        )
        if bad:
            found.extend(bad)
        outcome_blank = cell_text(outcome_raw) == ""
        if outcome is not None and resolved_at is None and not outcome_blank and cell_text(resolved_raw) == "":
            found.append(
                ("outcome", "an outcome needs a resolved_at date: leave it blank for an open escalation", outcome_raw)
            )
        if resolved_at is not None and outcome is None and outcome_blank:
            outcome = self._resolved_outcome

        cafcass_on, cafcass_json, bad = self._remembered(memo["cafcass_referred_at"], cafcass_raw, self._cafcass)
        if bad:
            found.extend(bad)

        if found:
            for column, message, value in found:
                problems.append(Problem(number, column, message, value if isinstance(value, str) else cell_text(value)))
            return None
        summary = cell_text(summary_raw)
        if len(summary) > SUMMARY_MAX:
            problems.append(
                Problem(number, "summary", f"has {len(summary):,} characters: it can have at most {SUMMARY_MAX:,}")
            )
            return None
        row = ImportRow(
            number=number,
            reference=reference,
            raised_at=raised_at,
            raised_date_only=raised_date_only,
            iro_key=iro_key,
            iro_id=iro_id,
            case_ids=case_ids,
            stage=stage,
            theme_ids=theme_ids,
            subtheme_ids=subtheme_ids,
            drift_reason_ids=drift_ids,
            first_response_at=first_at,
            first_response_date_only=first_date_only,
            resolved_at=resolved_at,
            resolved_date_only=resolved_date_only,
            outcome=outcome,
            cafcass_referred_on=cafcass_on,
            summary=summary,
        )
        # The same text as row_hash(row), assembled from the columns' remembered JSON.
        row.row_hash = sha256(
            "".join(
                (
                    "[",
                    _json_text(reference.lower()),
                    ",",
                    raised_hash,
                    ",",
                    iro_json,
                    ",",
                    case_json,
                    ",",
                    _json_text(stage.code),
                    ",",
                    themes_json,
                    ",",
                    drift_json,
                    ",",
                    first_hash or "null",
                    ",",
                    resolved_hash or "null",
                    ",",
                    _json_text(outcome.code) if outcome else "null",
                    ",",
                    cafcass_json,
                    ",",
                    _json_text(_SPACES.sub(" ", summary)),
                    "]",
                )
            ).encode()
        ).hexdigest()
        return row

    def _control_problems(self, cells) -> list[tuple]:
        """A NUL or other control character in any mapped cell (line breaks only in the summary)."""
        found = []
        for column, index in sorted(self.positions.items(), key=lambda item: item[1]):
            value = cells[index] if index < len(cells) else None
            if isinstance(value, str):
                problem = text_problem(value, multiline=column in MULTILINE)
                if problem:
                    found.append((column, problem, value))
        return found

    @staticmethod
    def _remembered(memo: dict, key, check, *args):
        """``check(key, *args)`` as (result..., problems): computed once per distinct ``key``."""
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # a value that cannot be a key (none in practice)
            return check(key, *args)
        memo[key] = result = check(key, *args)
        return result

    def _moment(self, value, column, required):
        """(time, date alone, its form in the row hash, problems)."""
        if cell_text(value) == "":
            return None, False, None, ((column, "enter a date", ""),) if required else ()
        try:
            at, date_only = moment_parse(value)
        except ValueError as error:
            return None, False, None, ((column, str(error), value),)
        if at > self.latest:
            return None, False, None, ((column, "is in the future", value),)
        return (
            at,
            date_only,
            f"[{_json_text(at.astimezone(dt.UTC).isoformat())},{'true' if date_only else 'false'}]",
            (),
        )

    def _cafcass(self, value):
        """(date, its JSON in the row hash, problems)."""
        if cell_text(value) == "":
            return None, "null", ()
        try:
            at, _ = moment_parse(value)
        except ValueError as error:
            return None, "null", (("cafcass_referred_at", str(error), value),)
        on = _local_day(at)
        if at > self.latest:
            return on, "null", (("cafcass_referred_at", "is in the future", value),)
        return on, _json_text(on.isoformat()), ()

    def _single(self, value, column, table, what, required):
        text = cell_text(value)
        if not text:
            return None, ((column, f"enter the {what}", ""),) if required else ()
        entry = table.get(self._mapped(column, text).lower())
        if entry is None:
            known = sorted({e.code for e in table.values()})
            return None, ((column, f"unknown {what}: use a code or label ({', '.join(known)})", text),)
        return entry, ()

    def _iro(self, value):
        text = " ".join(cell_text(value).split())
        if not text:
            return ("", None, ""), (("iro", "enter the IRO's username or full name", ""),)
        if len(text) > IRO_MAX:
            return ("", None, ""), (("iro", f"a username or full name can have at most {IRO_MAX} characters", text),)
        text = self._mapped("iro", text)
        key = text.lower()
        user = self.lookups.users_by_username.get(key)
        if user is None:
            matches = self.lookups.users_by_name.get(key, [])
            if len(matches) > 1:
                return ("", None, ""), (
                    ("iro", f"{len(matches)} users have this name: give the username instead", text),
                )
            user = matches[0] if matches else None
        if user is not None:
            if user.role != Role.IRO:
                return ("", None, ""), (
                    ("iro", f"{user.username} is not an IRO (their role is {user.get_role_display()})", text),
                )
            return (user.username.lower(), user.pk, _json_text(user.username.lower())), ()
        if not self.create_missing:
            return ("", None, ""), (
                (
                    "iro",
                    f"no IRO has this username or full name: add them first, or import with {CREATE_MISSING}",
                    text,
                ),
            )
        username = self._pending_iros.get(key)
        if username is None:
            username, first, last = self._new_iro(text)
            self._pending_iros[key] = username
            self.iros_to_create[username.lower()] = (username, first, last)
        return (username.lower(), None, _json_text(username.lower())), ()

    def _new_iro(self, text: str) -> tuple[str, str, str]:
        parts = text.split()
        first, last = (parts[0], " ".join(parts[1:])) if len(parts) > 1 else ("", "")
        base = (slugify(text) or "iro")[:140]
        username, n = base, 1
        while username in self._usernames:
            n += 1
            username = f"{base}-{n}"
        self._usernames.add(username)
        return username, first, last

    def _children(self, raw):
        items = [id_normalise(self._mapped("children", item)) for item in list_split(raw)]
        items = list(dict.fromkeys(items))
        if not items:
            return ([], ""), (("children", "enter at least one child ID", ""),)
        long = [item for item in items if len(item) > CASE_ID_MAX]
        if long:
            return ([], ""), (("children", f"a child ID can have at most {CASE_ID_MAX} characters", cell_text(raw)),)
        unknown = [item for item in items if item.lower() not in self.lookups.children]
        if unknown:
            if not self.create_missing:
                return ([], ""), (
                    (
                        "children",
                        f"unknown child ID{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
                        f"add the children first, or import with {CREATE_MISSING}",
                        cell_text(raw),
                    ),
                )
            for item in unknown:
                if item.lower() not in self._children_seen:
                    self._children_seen.add(item.lower())
                    self.children_to_create.append(item)
        return (items, _json_list(sorted(item.lower() for item in items))), ()

    def _themes(self, raw):
        themes, subthemes, found = {}, {}, []
        for item in list_split(raw):
            mapped = self._mapped("themes", item)
            theme = self.lookups.themes.get(mapped.lower())
            if theme is not None:
                themes[theme.pk] = theme
                continue
            if ":" in mapped:
                theme_part, sub_part = (p.strip() for p in mapped.split(":", 1))
                theme = self.lookups.themes.get(self._mapped("themes", theme_part).lower())
                if theme is None:
                    found.append(("themes", f"unknown theme {theme_part!r}", item))
                    continue
                sub = self.lookups.subthemes.get((theme.pk, self._mapped("themes", sub_part).lower()))
                if sub is None:
                    found.append(("themes", f"unknown sub-theme {sub_part!r} of the theme {theme.code!r}", item))
                    continue
                themes[theme.pk] = theme  # a sub-theme implies its theme
                subthemes[sub.pk] = sub
                continue
            found.append(("themes", "unknown theme: use a code or label, or theme:sub-theme", item))
        has_drift = any(t.code == Theme.DRIFT for t in themes.values())
        theme_ids, subtheme_ids = sorted(themes), sorted(subthemes)
        return (theme_ids, subtheme_ids, has_drift, f"{_json_list(theme_ids)},{_json_list(subtheme_ids)}"), tuple(found)

    def _drift(self, key):
        raw, has_drift = key
        ids, found = set(), []
        for item in list_split(raw):
            reason = self.lookups.drift_reasons.get(self._mapped("drift_reasons", item).lower())
            if reason is None:
                found.append(("drift_reasons", "unknown reason for drift: use a code or label", item))
            else:
                ids.add(reason.pk)
        if ids and not has_drift:
            found.append(
                ("drift_reasons", f"reasons for drift need the theme '{Theme.DRIFT}' in themes", cell_text(raw))
            )
        ids = sorted(ids)
        return (ids, _json_list(ids)), tuple(found)


def _before(at, at_date_only, raised_at, raised_date_only) -> bool:
    if at_date_only or raised_date_only:
        return _local_day(at) < _local_day(raised_at)
    return at < raised_at


def _local_day(at: dt.datetime) -> dt.date:
    """The day in England (the log's time zone)."""
    return (at if at.tzinfo is LONDON else at.astimezone(LONDON)).date()


def row_hash(row: ImportRow) -> str:
    """A fingerprint of what the row means (not how it was written): re-importing the same
    values, in any spelling, matches it. (``_RowChecker.check`` builds the same text faster.)"""

    def moment(at, date_only):
        return None if at is None else [at.astimezone(dt.UTC).isoformat(), date_only]

    content = [
        row.reference.lower(),
        moment(row.raised_at, row.raised_date_only),
        row.iro_key,
        sorted(c.lower() for c in row.case_ids),
        row.stage.code,
        row.theme_ids,
        row.subtheme_ids,
        row.drift_reason_ids,
        moment(row.first_response_at, row.first_response_date_only),
        moment(row.resolved_at, row.resolved_date_only),
        row.outcome.code if row.outcome else None,
        row.cafcass_referred_on.isoformat() if row.cafcass_referred_on else None,
        _SPACES.sub(" ", row.summary),
    ]
    return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()


_SPACES = re.compile(r"\s+")
_json_text = json.encoder.encode_basestring_ascii  # a str as json.dumps writes it


def _json_list(items: list) -> str:
    """A list of str or int as json.dumps writes it (without building an encoder per call)."""
    return "[" + ",".join(_json_text(item) if isinstance(item, str) else str(int(item)) for item in items) + "]"
