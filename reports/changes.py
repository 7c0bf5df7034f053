"""What changed in the records since a report was issued: the issued JSON against a fresh one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    path: str
    issued: object
    now: object


def _flatten(node, path: str = "") -> dict[str, object]:
    """Flatten nested JSON to paths. List items that have a ``code`` (or ``month``, ``number``) are
    keyed by it, so a reordered table does not look like a change."""
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
                key = item.get("code", item.get("month", item.get("number", index)))
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
