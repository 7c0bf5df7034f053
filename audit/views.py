"""The access log, for the IRO service manager and admins: who opened a child's page, or an
escalation page that showed the child, and when.

The page shows the child's name and case ID (to say whose log it is) and none of their record;
as it names them, opening it is logged too, like any page that shows a child
(``audit.middleware``).
"""

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string

from audit.selectors import access_log_entries, access_log_opened, access_log_page
from children.models import Child
from children.selectors import child_visible_to
from core.access import role_required
from core.kept import kept_unchanged_each
from core.paging import keyset_anchors
from people.access import OVERSIGHT

PAGE_SIZE = 50


@role_required(*OVERSIGHT)
def child_access_log(request, pk: int):
    try:
        child = child_visible_to(user=request.user).get(pk=pk)  # the page shows only their name
    except Child.DoesNotExist:
        raise Http404("No child found") from None
    page = access_log_page(child=child, size=PAGE_SIZE, **keyset_anchors(request.GET))
    rows = kept_unchanged_each("access-log-row", page.items, _rows)
    return render(request, "audit/child_access_log.html", {"child": child, "page": page, "rows": rows})


def _rows(ids: list[int]) -> dict[int, str]:
    """Each entry's row of the table. An entry never changes once written (the log is append-only),
    so a row is kept until the records change (who opened it, the escalation) or the minute turns,
    and a page read again makes only the rows written since (``core.kept.kept_unchanged_each``)."""
    entries = access_log_entries(ids=ids)
    return {
        pk: render_to_string(
            "audit/access_log_row.html", {"entry": entries[pk], "opened": access_log_opened(entries[pk])}
        )
        for pk in ids
    }
