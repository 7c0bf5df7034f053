"""The service manager's *All escalations* list: filtered (escalations.filters), sorted by a column
on the server (``?sort=``) and paginated, keeping the filters and the order in every link. Thin:
the query is escalations.selectors.escalation_all_rows."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from children.selectors import child_matching, child_named_first, child_visible_to
from core.access import role_required
from core.forms import error_summary
from core.paging import CappedPaginator
from escalations import selectors
from escalations.filters import AllEscalationsFilter, all_escalations_query
from people.access import OVERSIGHT
from workdays.selectors import working_calendar

PAGE_SIZE = 25

# The columns of the table, in order: (sort key or None, heading).
COLUMNS = (
    ("reference", "Reference"),
    (None, "Children"),
    ("iro", "IRO"),
    (None, "Themes"),
    ("stage", "Current stage"),
    ("raised", "Raised"),
    ("due", "Response due"),
    (None, "Status"),
)
# How each order reads: (ascending, descending).
SORT_WORDS = {
    "reference": ("reference, A to Z", "reference, Z to A"),
    "iro": ("IRO, A to Z", "IRO, Z to A"),
    "stage": ("current stage, lowest first", "current stage, highest first"),
    "raised": ("date raised, oldest first", "date raised, newest first"),
    "due": ("response due, soonest first", "response due, latest first"),
}


def _headers(request, sort: str) -> list[dict]:
    """Each column's heading, with, for a sortable one, its aria-sort and the link that sorts by it
    (the other way round when it is the current order). The link keeps the filters and starts again
    at page 1."""
    descending, current = sort.startswith("-"), sort.lstrip("-")
    headers = []
    for key, label in COLUMNS:
        header = {"label": label, "key": key}
        if key:
            if key == current:
                header["aria_sort"] = "descending" if descending else "ascending"
                following = key if descending else f"-{key}"
            else:
                header["aria_sort"] = "none"
                following = key
            query = request.GET.copy()
            query.pop("page", None)
            query["sort"] = following
            header["href"] = f"?{query.urlencode()}"
            header["next"] = SORT_WORDS[key][following.startswith("-")]
        headers.append(header)
    return headers


def _listed(request, *, sort: str, now) -> dict:
    """The filters checked and, when they are right, the page of rows: everything the page shows
    that comes from the records."""
    filterset = AllEscalationsFilter(request.GET, queryset=selectors.escalation_visible_to(user=request.user))
    if not filterset.is_valid():
        return {"filter": filterset, "errors": error_summary(filterset.form), "page": None, "rows": []}
    escalations = selectors.escalation_all_rows(user=request.user, sort=sort, now=now, **filterset.criteria())
    page = CappedPaginator(escalations, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.escalation_with_due_states(page.object_list, now=now, calendar=working_calendar())
    return {"filter": filterset, "errors": [], "page": page, "rows": rows}


@role_required(*OVERSIGHT)
def all_escalations(request):
    sort = selectors.escalation_sort_key(request.GET.get("sort"))
    now = timezone.now()
    # Lazy: the filters are checked and the rows read only if the page's kept parts are not
    # (core.templatetags.kept_pages).
    listed = SimpleLazyObject(lambda: _listed(request, sort=sort, now=now))
    context = {
        "filter": SimpleLazyObject(lambda: listed["filter"]),
        "errors": SimpleLazyObject(lambda: listed["errors"]),
        "page": SimpleLazyObject(lambda: listed["page"]),
        "rows": SimpleLazyObject(lambda: listed["rows"]),
        "sort": sort,
        "sorted_by": SORT_WORDS[sort.lstrip("-")][sort.startswith("-")],
        "default_sort": sort == selectors.ESCALATION_DEFAULT_SORT,
        "headers": _headers(request, sort),
        "filtered": any(value for key, value in request.GET.items() if key not in ("sort", "page")),
    }
    return render(request, "escalations/oversight/all.html", context)


SEARCH_SHOWN = 25


@role_required(*OVERSIGHT)
def search(request):
    """The service manager's search: children by name or case ID, and escalations by reference or by
    a child's name or case ID."""
    q = request.GET.get("q", "").strip()[:100]
    children = escalations = None
    if q:
        children = child_named_first(child_matching(child_visible_to(user=request.user), q).select_related("iro"))
        escalations = selectors.escalation_all_rows(user=request.user, q=q)
    context = {
        "q": q,
        "children": children[:SEARCH_SHOWN] if children is not None else None,
        "children_count": children.count() if children is not None else 0,
        "escalations": escalations[:SEARCH_SHOWN] if escalations is not None else None,
        "escalations_count": escalations.count() if escalations is not None else 0,
        "all_escalations": all_escalations_query(q=q) if q else "",
        "shown": SEARCH_SHOWN,
    }
    return render(request, "escalations/oversight/search.html", context)
