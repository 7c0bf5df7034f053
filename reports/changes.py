"""What changed since a report was issued, in words.

- Grouped by escalation, from the facts stored with the issued version
  (:func:`reports.selectors.escalation_facts`) against the same facts now: "ESC-2025-00012: outcome
  changed from open to resolved (closed 3 May 2026)", "3 escalations added: ...".
- The figures whose printed value changed: "Themes, Drift in care planning, Escalations: 18 when
  issued, 19 now".
- The paper's texts that were edited: "The section 'Background information' was edited".

:func:`report_changes` is the raw comparison of two reports' JSON, value by value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from core.formats import format_date
from reports.renderers.tables import report_tables
from reports.stories import join_and, sensible_lower


@dataclass(frozen=True)
class Change:
    path: str
    issued: object
    now: object


def _flatten(node, path: str = "") -> dict[str, object]:
    """Flatten nested JSON to paths. List items that have a ``key`` or ``code`` (or ``month``,
    ``number``) are keyed by it, so a reordered table does not look like a change."""
    if isinstance(node, dict):
        flat = {}
        for key, value in node.items():
            flat.update(_flatten(value, f"{path}.{key}" if path else key))
        return flat
    if isinstance(node, list):
        flat = {}
        for index, item in enumerate(node):
            key = index
            if isinstance(item, dict):
                key = item.get("key", item.get("code", item.get("month", item.get("number", index))))
            flat.update(_flatten(item, f"{path}[{key}]"))
        return flat
    return {path: node}


def report_changes(issued: dict, current: dict) -> list[Change]:
    """Every value that differs between an issued report and the same period computed now."""
    before, after = _flatten(issued), _flatten(current)
    return [
        Change(path, before.get(path), after.get(path))
        for path in sorted(before.keys() | after.keys())
        if before.get(path) != after.get(path)
    ]


# --- in words --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationChanges:
    reference: str
    changes: list[str]

    def __str__(self) -> str:
        return f"{self.reference}: {'; '.join(self.changes)}"


@dataclass
class ChangesSinceIssue:
    escalations: list[EscalationChanges] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # references
    removed: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    facts_recorded: bool = True  # False for a version issued before escalations' facts were stored

    @property
    def added_sentence(self) -> str:
        n = len(self.added)
        return f"{n} escalation{'s' if n != 1 else ''} added: {', '.join(self.added)}" if n else ""

    @property
    def removed_sentence(self) -> str:
        n = len(self.removed)
        return f"{n} escalation{'s' if n != 1 else ''} no longer in the period: {', '.join(self.removed)}" if n else ""

    @property
    def records_changed(self) -> int:
        return len(self.escalations) + len(self.added) + len(self.removed)

    @property
    def nothing(self) -> bool:
        return not (self.escalations or self.added or self.removed or self.figures or self.texts)

    def as_json(self) -> dict:
        """Plain JSON (kept in ``ReportSnapshot.content``); :meth:`from_json` reads it back."""
        return {**asdict(self), "escalations": [asdict(item) for item in self.escalations]}

    @classmethod
    def from_json(cls, data: dict) -> ChangesSinceIssue:
        return cls(**{**data, "escalations": [EscalationChanges(**item) for item in data["escalations"]]})


def _closed(on: str | None) -> str:
    return f" (closed {format_date(dt.date.fromisoformat(on))})" if on else ""


def escalation_changes(before: dict, after: dict) -> list[str]:
    """What changed in one escalation's facts, in words."""
    said = []
    if before["outcome"] != after["outcome"] or before["closed_on"] != after["closed_on"]:
        if before["outcome"] == after["outcome"]:
            said.append(f"closed on a different day{_closed(after['closed_on'])}")
        else:
            said.append(
                f"outcome changed from {sensible_lower(before['outcome'])} to {sensible_lower(after['outcome'])}"
                f"{_closed(after['closed_on'])}"
            )
    if before["highest_stage"] != after["highest_stage"]:
        said.append(
            f"highest stage changed from {sensible_lower(before['highest_stage']) or 'none'} to "
            f"{sensible_lower(after['highest_stage']) or 'none'}"
        )
    if before["themes"] != after["themes"]:
        said.append(
            f"themes changed from {join_and(before['themes']) or 'none'} to {join_and(after['themes']) or 'none'}"
        )
    if before["children"] != after["children"]:
        said.append(f"children changed from {before['children']} to {after['children']}")
    if before["first_response"] != after["first_response"]:
        said.append("first response recorded" if after["first_response"] else "first response removed")
    if before["cafcass"] != after["cafcass"]:
        said.append("referred to Cafcass" if after["cafcass"] else "Cafcass referral removed")
    return said


def _cells(report: dict) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(table key, row label, column) -> (where, as printed)."""
    cells = {}
    for table in report_tables(report):
        for row in table.rows:
            label = row[0].display.lstrip("– ")
            for column, cell in zip(table.columns[1:], row[1:]):
                if table.key == "comparison":
                    continue  # its columns are named after the periods: its changes are the others'
                cells[(table.key, label, column)] = (f"{table.title}, {label}, {column}", cell.display)
    return cells


def _texts(report: dict) -> dict[str, tuple[str, str]]:
    """Every text of the paper: key -> (how to name it, text)."""
    paper = report.get("paper") or {}
    texts = {}
    for section in paper.get("sections", []):
        texts[f"section:{section['key']}"] = (f"The section '{section['heading']}'", section["text"])
    for code, text in (paper.get("theme_commentary") or {}).items():
        texts[f"theme:{code}"] = (f"The commentary on the theme '{code.replace('_', ' ')}'", text)
    for story in report.get("stories", []):
        texts[f"story:{story['number']}"] = (f"Case story {story['number']}", story["text"])
        texts[f"next:{story['number']}"] = (
            f"What happened next in case story {story['number']}",
            story.get("what_happened_next", ""),
        )
    for key, value in (paper.get("cover") or {}).items():
        texts[f"cover:{key}"] = (f"The cover's {key.replace('_', ' ')}", str(value or ""))
    return texts


def changes_since_issue(*, issued_data: dict, issued_facts: dict, current: dict, facts: dict) -> ChangesSinceIssue:
    """What changed between an issued version and the same period now."""
    found = ChangesSinceIssue(facts_recorded=bool(issued_facts) or not facts)
    if found.facts_recorded:
        found.added = [ref for ref in facts if ref not in issued_facts]
        found.removed = [ref for ref in issued_facts if ref not in facts]
        for reference, now in facts.items():
            if reference in issued_facts:
                said = escalation_changes(issued_facts[reference], now)
                if said:
                    found.escalations.append(EscalationChanges(reference, said))
    before, after = _cells(issued_data), _cells(current)
    for key in list(after) + [key for key in before if key not in after]:
        was, now = before.get(key), after.get(key)
        if was is None:
            found.figures.append(f"{now[0]}: not in the report when issued, {now[1]} now")
        elif now is None:
            found.figures.append(f"{was[0]}: {was[1]} when issued, no longer in the report")
        elif was[1] != now[1]:
            found.figures.append(f"{now[0]}: {was[1]} when issued, {now[1]} now")
    texts_before, texts_after = _texts(issued_data), _texts(current)
    for key, (name, text) in texts_after.items():
        if key not in texts_before:
            if text:
                found.texts.append(f"{name} was added")
        elif texts_before[key][1] != text:
            found.texts.append(f"{name} was edited" if text else f"{name} was removed")
    for key, (name, text) in texts_before.items():
        if key not in texts_after and text:
            found.texts.append(f"{name} was removed")
    return found
