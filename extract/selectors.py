"""Reads for the case-management extract: lookups for the import (a few bulk queries, never one per
row), which tables were ever imported, and each child's rows for the drift watch."""

from __future__ import annotations

from collections.abc import Iterable

from extract.models import Allocation, CarePlan, ExtractImportRun, Visit

# Keep IN lists well under every backend's bound-parameter limit.
CHUNK = 900


def _chunks(values: Iterable) -> Iterable[list]:
    values = sorted(values)
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def extract_rows_by_key(
    model, child_ids: Iterable[int], *, key_fields: tuple[str, ...], fields: tuple[str, ...]
) -> dict[tuple, tuple[int, tuple]]:
    """The stored rows of these children, by (child id, *key fields): (id, the values of ``fields``)."""
    found = {}
    width = len(key_fields)
    for chunk in _chunks(child_ids):
        for row in model.objects.filter(child_id__in=chunk).values_list("id", "child_id", *key_fields, *fields):
            found[(row[1], *row[2 : 2 + width])] = (row[0], tuple(row[2 + width :]))
    return found


def extract_tables_imported() -> set[str]:
    """The extract's tables (visits, care_plans, allocations) any import has ever held."""
    tables = set()
    for listed in ExtractImportRun.objects.values_list("tables", flat=True):
        tables.update(listed)
    return tables


def extract_visits(child_ids: Iterable[int] | None = None):
    """(child id, visit date, seen) of these children's visits (every child's when None)."""
    return _rows(Visit, child_ids, ("child_id", "date", "seen"))


def extract_care_plans(child_ids: Iterable[int] | None = None):
    return _rows(CarePlan, child_ids, ("child_id", "start", "end"))


def extract_allocations(child_ids: Iterable[int] | None = None):
    return _rows(Allocation, child_ids, ("child_id", "worker", "role", "team", "start", "end"))


def _rows(model, child_ids, columns):
    queryset = model.objects.order_by().values_list(*columns)
    if child_ids is None:
        return list(queryset)
    rows = []
    for chunk in _chunks(child_ids):
        rows.extend(queryset.filter(child_id__in=chunk))
    return rows


def extract_runs_recent(*, limit: int):
    """The latest imports of the extract, newest first, with who ran them."""
    return ExtractImportRun.objects.select_related("imported_by")[:limit]
