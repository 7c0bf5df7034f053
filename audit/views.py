"""The access log, for the IRO service manager and admins: who opened a child's page, or an
escalation page that showed the child, and when.

The page shows the child's name and case ID (to say whose log it is) and none of their record;
as it names them, opening it is logged too, like any page that shows a child
(``audit.middleware``).
"""

from django.http import Http404
from django.shortcuts import render

from audit.selectors import access_log_for_child
from children.models import Child
from children.selectors import child_get_for
from core.access import role_required
from core.paging import CappedPaginator
from people.access import OVERSIGHT

PAGE_SIZE = 50


@role_required(*OVERSIGHT)
def child_access_log(request, pk: int):
    try:
        child = child_get_for(user=request.user, pk=pk)
    except Child.DoesNotExist:
        raise Http404("No child found") from None
    page = CappedPaginator(access_log_for_child(child=child), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/child_access_log.html", {"child": child, "page": page})
