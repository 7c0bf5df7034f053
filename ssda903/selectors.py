"""Reads for the 903 import: lookup caches built with a few queries, never one per row."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from children.models import Child
from ssda903.codes import LEGAL_STATUS, PLACEMENT_TYPE
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


@dataclass(frozen=True)
class CareContext:
    """What the child's page shows of their care from the 903 return: their age, legal status and
    placement now, and their last LAC review."""

    age: int | None
    legal_status: str  # "C2: Full care order", or "" when none is recorded
    placement: str  # "U4: Foster placement with other foster carer, long term", or ""
    placement_since: dt.date | None
    last_review: dt.date | None


def child_care_context(*, child: Child, today: dt.date) -> CareContext:
    """The child's care as the 903 return says on ``today`` (two queries)."""
    episode = (
        Episode.objects.filter(child=child, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gt=today))
        .order_by("-start")
        .first()
    )
    last_review = Review.objects.filter(child=child, date__lte=today).order_by("-date").values_list("date", flat=True)
    legal = episode.legal_status if episode else child.legal_status
    return CareContext(
        age=age_on(child.date_of_birth, today),
        legal_status=f"{legal}: {LEGAL_STATUS[legal]}" if legal in LEGAL_STATUS else legal,
        placement=(
            f"{episode.placement_type}: {PLACEMENT_TYPE.get(episode.placement_type, 'code not known')}"
            if episode
            else ""
        ),
        placement_since=_placement_start(child, episode) if episode else None,
        last_review=last_review.first(),
    )


def age_on(born: dt.date | None, day: dt.date) -> int | None:
    """Age in whole years on ``day``."""
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _placement_start(child: Child, episode: Episode) -> dt.date:
    """When the current placement began: the episode's start, or an earlier one's when the episodes
    since only changed the legal status (RNE L)."""
    if episode.reason_new_episode != "L":
        return episode.start
    earlier = (
        Episode.objects.filter(child=child, start__lt=episode.start)
        .exclude(reason_new_episode="L")
        .order_by("-start")
        .values_list("start", flat=True)
        .first()
    )
    return earlier or episode.start
