"""Checking every row of an escalation log before anything is stored.

:func:`rows_validate` turns a :class:`~imports.parsing.Table` into :class:`ImportRow` values and a
list of :class:`Problem` (every problem, never just the first). It reads only the lookup caches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify

from imports.parsing import Mapping, Table, cell_text, headers_resolve, id_normalise, list_split, moment_parse
from imports.selectors import Lookups
from people.models import Role
from themes.models import Outcome, Theme

FUTURE_TOLERANCE = dt.timedelta(minutes=5)
REFERENCE_MAX = 40


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str
    value: str = ""

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
    positions = headers_resolve(table.headers, mapping)
    checker = _RowChecker(positions, mapping, lookups, create_missing, (now or timezone.now()) + FUTURE_TOLERANCE)
    result = Validated()
    first_row_of: dict[str, tuple[int, str]] = {}
    total = len(table.rows)
    for done, (number, cells) in enumerate(table.rows, start=1):
        # A repeated reference is reported whatever else is wrong with either row.
        reference = cell_text(checker.cell(cells, "reference"))
        repeated = reference.lower() in first_row_of
        if repeated:
            earlier, earlier_value = first_row_of[reference.lower()]
            result.problems.append(Problem(
                number, "reference",
                f"the reference is also on row {earlier} ('{earlier_value}'): each reference may appear once",
                reference,
            ))
        elif reference:
            first_row_of[reference.lower()] = (number, reference)
        row = checker.check(number, cells, result.problems)
        if row is not None and not repeated:
            result.rows.append(row)
        if progress is not None and (done % 5000 == 0 or done == total):
            progress("Checking rows", done, total)
    result.children_to_create = checker.children_to_create
    result.iros_to_create = checker.iros_to_create
    return result


class _RowChecker:
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

    def cell(self, cells, column):
        index = self.positions.get(column)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def _mapped(self, column: str, item: str) -> str:
        return self.values.get(column, {}).get(item.lower(), item)

    def check(self, number: int, cells: list, problems: list[Problem]) -> ImportRow | None:
        before = len(problems)

        def problem(column, message, value=""):
            problems.append(Problem(number, column, message, cell_text(value) if not isinstance(value, str) else value))

        reference = cell_text(self.cell(cells, "reference"))
        if not reference:
            problem("reference", "enter the escalation's reference")
        elif len(reference) > REFERENCE_MAX:
            problem("reference", f"a reference can have at most {REFERENCE_MAX} characters", reference)

        raised_at, raised_date_only = self._moment(number, cells, "raised_at", problem, required=True)
        iro_key, iro_id = self._iro(cells, problem)
        case_ids = self._children(cells, problem)
        stage = self._single(cells, "highest_stage", self.lookups.stages, "stage", problem, required=True)
        theme_ids, subtheme_ids, has_drift = self._themes(cells, problem)
        drift_ids = self._drift(cells, problem, has_drift)

        first_at, first_date_only = self._moment(number, cells, "first_response_at", problem)
        resolved_at, resolved_date_only = self._moment(number, cells, "resolved_at", problem)
        for column, at, date_only in (
            ("first_response_at", first_at, first_date_only), ("resolved_at", resolved_at, resolved_date_only)
        ):
            if at is not None and raised_at is not None and _before(at, date_only, raised_at, raised_date_only):
                problem(column, f"is before raised_at ({cell_text(self.cell(cells, 'raised_at'))})",
                        self.cell(cells, column))

        outcome = self._single(cells, "outcome", self.lookups.outcomes, "outcome", problem)
        if outcome is not None and resolved_at is None and not self._blank(cells, "outcome"):
            if self._blank(cells, "resolved_at"):
                problem("outcome", "an outcome needs a resolved_at date: leave it blank for an open escalation",
                        self.cell(cells, "outcome"))
        if resolved_at is not None and outcome is None and self._blank(cells, "outcome"):
            outcome = self.lookups.outcomes.get(Outcome.RESOLVED)

        cafcass_on = None
        if not self._blank(cells, "cafcass_referred_at"):
            try:
                at, _ = moment_parse(self.cell(cells, "cafcass_referred_at"))
                cafcass_on = timezone.localtime(at).date()
                if at > self.latest:
                    problem("cafcass_referred_at", "is in the future", self.cell(cells, "cafcass_referred_at"))
            except ValueError as error:
                problem("cafcass_referred_at", str(error), self.cell(cells, "cafcass_referred_at"))

        summary = cell_text(self.cell(cells, "summary"))
        if len(problems) > before:
            return None
        row = ImportRow(
            number=number, reference=reference, raised_at=raised_at, raised_date_only=raised_date_only,
            iro_key=iro_key, iro_id=iro_id, case_ids=case_ids, stage=stage, theme_ids=theme_ids,
            subtheme_ids=subtheme_ids, drift_reason_ids=drift_ids, first_response_at=first_at,
            first_response_date_only=first_date_only, resolved_at=resolved_at, resolved_date_only=resolved_date_only,
            outcome=outcome, cafcass_referred_on=cafcass_on, summary=summary,
        )
        row.row_hash = row_hash(row)
        return row

    def _blank(self, cells, column) -> bool:
        return cell_text(self.cell(cells, column)) == ""

    def _moment(self, number, cells, column, problem, required=False):
        value = self.cell(cells, column)
        if cell_text(value) == "":
            if required:
                problem(column, "enter a date")
            return None, False
        try:
            at, date_only = moment_parse(value)
        except ValueError as error:
            problem(column, str(error), value)
            return None, False
        if at > self.latest:
            problem(column, "is in the future", value)
            return None, False
        return at, date_only

    def _single(self, cells, column, table, what, problem, required=False):
        text = cell_text(self.cell(cells, column))
        if not text:
            if required:
                problem(column, f"enter the {what}")
            return None
        entry = table.get(self._mapped(column, text).lower())
        if entry is None:
            known = sorted({e.code for e in table.values()})
            problem(column, f"unknown {what}: use a code or label ({', '.join(known)})", text)
        return entry

    def _iro(self, cells, problem):
        text = " ".join(cell_text(self.cell(cells, "iro")).split())
        if not text:
            problem("iro", "enter the IRO's username or full name")
            return "", None
        text = self._mapped("iro", text)
        key = text.lower()
        user = self.lookups.users_by_username.get(key)
        if user is None:
            matches = self.lookups.users_by_name.get(key, [])
            if len(matches) > 1:
                problem("iro", f"{len(matches)} users have this name: give the username instead", text)
                return "", None
            user = matches[0] if matches else None
        if user is not None:
            if user.role != Role.IRO:
                problem("iro", f"{user.username} is not an IRO (their role is {user.get_role_display()})", text)
                return "", None
            return user.username.lower(), user.pk
        if not self.create_missing:
            problem("iro", "no IRO has this username or full name: add them first, or use --create-missing", text)
            return "", None
        username = self._pending_iros.get(key)
        if username is None:
            username, first, last = self._new_iro(text)
            self._pending_iros[key] = username
            self.iros_to_create[username.lower()] = (username, first, last)
        return username.lower(), None

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

    def _children(self, cells, problem) -> list[str]:
        raw = self.cell(cells, "children")
        items = [id_normalise(self._mapped("children", item)) for item in list_split(raw)]
        items = list(dict.fromkeys(items))
        if not items:
            problem("children", "enter at least one child ID")
            return []
        unknown = [item for item in items if item.lower() not in self.lookups.children]
        if unknown:
            if not self.create_missing:
                problem("children", f"unknown child ID{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
                        "add the children first, or use --create-missing", cell_text(raw))
                return []
            for item in unknown:
                if item.lower() not in self._children_seen:
                    self._children_seen.add(item.lower())
                    self.children_to_create.append(item)
        return items

    def _themes(self, cells, problem):
        themes, subthemes = {}, {}
        for item in list_split(self.cell(cells, "themes")):
            mapped = self._mapped("themes", item)
            theme = self.lookups.themes.get(mapped.lower())
            if theme is not None:
                themes[theme.pk] = theme
                continue
            if ":" in mapped:
                theme_part, sub_part = (p.strip() for p in mapped.split(":", 1))
                theme = self.lookups.themes.get(self._mapped("themes", theme_part).lower())
                if theme is None:
                    problem("themes", f"unknown theme {theme_part!r}", item)
                    continue
                sub = self.lookups.subthemes.get((theme.pk, self._mapped("themes", sub_part).lower()))
                if sub is None:
                    problem("themes", f"unknown sub-theme {sub_part!r} of the theme {theme.code!r}", item)
                    continue
                themes[theme.pk] = theme  # a sub-theme implies its theme
                subthemes[sub.pk] = sub
                continue
            problem("themes", "unknown theme: use a code or label, or theme:sub-theme", item)
        has_drift = any(t.code == Theme.DRIFT for t in themes.values())
        return sorted(themes), sorted(subthemes), has_drift

    def _drift(self, cells, problem, has_drift):
        ids = set()
        items = list_split(self.cell(cells, "drift_reasons"))
        for item in items:
            reason = self.lookups.drift_reasons.get(self._mapped("drift_reasons", item).lower())
            if reason is None:
                problem("drift_reasons", "unknown reason for drift: use a code or label", item)
            else:
                ids.add(reason.pk)
        if ids and not has_drift:
            problem("drift_reasons", f"reasons for drift need the theme '{Theme.DRIFT}' in themes",
                    cell_text(self.cell(cells, "drift_reasons")))
        return sorted(ids)


def _before(at, at_date_only, raised_at, raised_date_only) -> bool:
    if at_date_only or raised_date_only:
        return timezone.localtime(at).date() < timezone.localtime(raised_at).date()
    return at < raised_at


def row_hash(row: ImportRow) -> str:
    """A fingerprint of what the row means (not how it was written): re-importing the same
    values, in any spelling, matches it."""
    def moment(at, date_only):
        return None if at is None else [at.astimezone(dt.UTC).isoformat(), date_only]

    content = [
        row.reference.lower(), moment(row.raised_at, row.raised_date_only), row.iro_key,
        sorted(c.lower() for c in row.case_ids), row.stage.code, row.theme_ids, row.subtheme_ids,
        row.drift_reason_ids, moment(row.first_response_at, row.first_response_date_only),
        moment(row.resolved_at, row.resolved_date_only), row.outcome.code if row.outcome else None,
        row.cafcass_referred_on.isoformat() if row.cafcass_referred_on else None, re.sub(r"\s+", " ", row.summary),
    ]
    return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()
