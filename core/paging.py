"""Pagination whose cost follows the page, not the table.

- :class:`CappedPaginator` counts at most ``COUNT_CAP`` rows. A longer list is said to hold "more
  than 10,000", and only its first ``COUNT_CAP`` rows can be paged through (a bounded offset): the
  last page offered ends there, and says so. Counting a million rows exactly would cost more than
  the page itself; nobody reads page 40,000 of a list, and the filters find what is further on.
- :func:`keyset_page` pages a list newest first by keyset, with no count at all: for a list that
  grows at the top and is read from the top (the access log, what was sent to a manager before),
  "Newer" and "Older" are all it needs, and a page costs its own rows however far back it is.
- :func:`page_links` gives the GOV.UK pagination pattern: the first and last pages, the pages either
  side of the current one, and ellipses between (Django's ``get_elided_page_range``), each link
  keeping the other query parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Subquery
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def capped_count(queryset, cap: int) -> int:
    """How many rows ``queryset`` has, counting no further than ``cap``: ``SELECT count(*) FROM
    (SELECT 1 ... LIMIT cap)``, without its ordering (which would not change the count)."""
    if isinstance(queryset, QuerySet):
        return queryset.order_by()[:cap].count()
    return len(queryset[:cap])


class CappedPaginator(Paginator):
    """A Paginator that counts at most ``cap`` rows (see the module's docstring).

    ``capped`` is true when the list holds more than ``cap`` rows: ``count`` is then ``cap``, and the
    pages end there."""

    def __init__(self, object_list, per_page, *, cap: int = COUNT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        return capped_count(self.object_list, self.cap + 1)

    @property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap

    @property
    def count_words(self) -> str:
        """The count as a page says it: "26", "1,250", or "more than 10,000"."""
        return f"more than {self.cap:,}" if self.capped else f"{self.count:,}"

    @property
    def num_pages_words(self) -> str:
        """How many pages, as a page's title says it: "40", or "more than 400"."""
        return f"more than {self.num_pages:,}" if self.capped else f"{self.num_pages:,}"


@dataclass(frozen=True)
class KeysetPage:
    """A page of :func:`keyset_page`: its items (ids, or rows after :func:`keyset_rows`), and the
    ids to page from for the next newer and older pages (None at either end)."""

    items: list
    newer_than: int | None
    older_than: int | None


def keyset_page(
    queryset: QuerySet, *, by: str, size: int, older_than: int | None = None, newer_than: int | None = None
) -> KeysetPage:
    """A page of the ids of ``size`` of ``queryset``'s rows, newest first (``by`` descending, then
    the id): the newest, or those just older (``older_than``) or just newer (``newer_than``) than
    one of its rows, named by id. One query of ids, served by an index on (``by``, id) or one that
    starts with the list's filter, whatever the list's length or how far back the page is; and a
    page stays the same while new rows are added at the top (an offset would shift it by one for
    each). ``by`` must never be null. An id that is not in the list (or no longer) gives the newest
    page. :func:`keyset_rows` makes the page's rows from its ids.

    Only ids are read, the one after the page's last (to know there are older) among them: a row
    read from the database (a child, or an escalation with its children prefetched) counts as
    shown to the person, for the access log (``core.shown``), so no row the page does not show is
    read."""
    if size < 1:
        raise ValueError("A keyset page holds at least one row.")
    ids = queryset.prefetch_related(None).values_list("pk", flat=True)
    anchor = older_than if older_than is not None else newer_than
    if anchor is not None:
        at = Subquery(ids.filter(pk=anchor).order_by().values(by)[:1])
        if older_than is not None:
            rows = ids.filter(**{f"{by}__lte": at}).filter(Q(**{f"{by}__lt": at}) | Q(pk__lt=anchor))
            found = list(rows.order_by(f"-{by}", "-pk")[: size + 1])
            if found:
                return KeysetPage(found[:size], newer_than=found[0], older_than=_last(found, size))
        else:
            rows = ids.filter(**{f"{by}__gte": at}).filter(Q(**{f"{by}__gt": at}) | Q(pk__gt=anchor))
            found = list(rows.order_by(by, "pk")[: size + 1])
            if len(found) > size:
                found = found[:size][::-1]
                return KeysetPage(found, newer_than=found[0], older_than=found[-1])
            # Less than a page is newer: the newest page, which holds it.
    found = list(ids.order_by(f"-{by}", "-pk")[: size + 1])
    return KeysetPage(found[:size], newer_than=None, older_than=_last(found, size))


def _last(ids: list[int], size: int) -> int | None:
    """The id to page on from to older rows: the page's last, if there are more after it."""
    return ids[size - 1] if len(ids) > size else None


def keyset_rows(page: KeysetPage, queryset: QuerySet) -> KeysetPage:
    """``page`` (of :func:`keyset_page`) with its rows from ``queryset`` in its order, in place of
    their ids: one query (and ``queryset``'s prefetches) for the page's rows alone."""
    rows = queryset.in_bulk(page.items)
    return KeysetPage([rows[pk] for pk in page.items if pk in rows], page.newer_than, page.older_than)


# The query parameters of a keyset page's links, each named as keyset_page's argument.
KEYSET_PARAMS = ("newer_than", "older_than")


def keyset_links(page: KeysetPage, query) -> dict:
    """The "Newer" and "Older" links of a :class:`KeysetPage`, keeping every other parameter of
    ``query`` (the request's GET)."""
    kept = query.copy()
    for param in KEYSET_PARAMS:
        kept.pop(param, None)
    prefix = f"?{kept.urlencode()}&" if kept else "?"
    return {
        "newer": f"{prefix}newer_than={page.newer_than}" if page.newer_than is not None else None,
        "older": f"{prefix}older_than={page.older_than}" if page.older_than is not None else None,
    }


def keyset_anchor(value: str | None) -> int | None:
    """The id a "Newer" or "Older" link pages from; anything else (a link edited by hand) is None,
    which gives the newest page."""
    return int(value) if value and value.isdecimal() and len(value) < 19 else None


def keyset_anchors(query) -> dict[str, int | None]:
    """``newer_than`` and ``older_than`` for :func:`keyset_page`, from ``query`` (the request's GET)."""
    return {param: keyset_anchor(query.get(param)) for param in KEYSET_PARAMS}


def page_links(page, query, param: str = "page") -> dict:
    """The links of the GOV.UK pagination for ``page`` (a Page of a Paginator), keeping every
    parameter of ``query`` (a QueryDict, the request's GET) but ``param``, the one that names the
    page (a page with two paginated lists gives each its own)."""
    kept = query.copy()
    kept.pop(param, None)
    prefix = f"?{kept.urlencode()}&{param}=" if kept else f"?{param}="

    def href(number: int) -> str:
        return f"{prefix}{number}"

    paginator = page.paginator
    items = []
    for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append({"number": number, "href": href(number), "current": number == page.number})
    return {
        "previous": href(page.previous_page_number()) if page.has_previous() else None,
        "next": href(page.next_page_number()) if page.has_next() else None,
        "items": items,
        "capped_last": getattr(paginator, "capped", False) and not page.has_next(),
        "cap": f"{paginator.cap:,}" if getattr(paginator, "cap", None) else None,
    }
