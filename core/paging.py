"""Pagination whose cost follows the page, not the table.

- :class:`CappedPaginator` counts at most ``COUNT_CAP`` rows. A longer list is said to hold "more
  than 10,000", and only its first ``COUNT_CAP`` rows can be paged through (a bounded offset): the
  last page offered ends there, and says so. Counting a million rows exactly would cost more than
  the page itself; nobody reads page 40,000 of a list, and the filters find what is further on.
- :func:`page_links` gives the GOV.UK pagination pattern: the first and last pages, the pages either
  side of the current one, and ellipses between (Django's ``get_elided_page_range``), each link
  keeping the other query parameters.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
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
