"""Reads for the 903 import: lookup caches built with a few queries, never one per row."""

from collections.abc import Iterable

from ssda903.models import Episode, HeaderRecord, MissingEpisode, Review, UascRecord

# Keep IN lists well under every backend's bound-parameter limit.
CHUNK = 900


def _chunks(values: Iterable) -> Iterable[list]:
    values = list(values)
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


def _by_child(model, child_ids: Iterable[int]) -> list:
    rows = []
    for chunk in _chunks(child_ids):
        rows.extend(model.objects.filter(child_id__in=chunk))
    return rows


def header_records_by_child(child_ids: Iterable[int]) -> dict[int, HeaderRecord]:
    return {row.child_id: row for row in _by_child(HeaderRecord, child_ids)}


def episodes_by_key(child_ids: Iterable[int]) -> dict[tuple[int, object], Episode]:
    """Episodes of these children by (child id, start)."""
    return {(row.child_id, row.start): row for row in _by_child(Episode, child_ids)}


def reviews_by_key(child_ids: Iterable[int]) -> dict[tuple[int, object], Review]:
    return {(row.child_id, row.date): row for row in _by_child(Review, child_ids)}


def missing_episodes_by_key(child_ids: Iterable[int]) -> dict[tuple[int, object], MissingEpisode]:
    return {(row.child_id, row.start): row for row in _by_child(MissingEpisode, child_ids)}


def uasc_records_by_child(child_ids: Iterable[int]) -> dict[int, UascRecord]:
    return {row.child_id: row for row in _by_child(UascRecord, child_ids)}
