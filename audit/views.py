"""The access log, for the IRO service manager and admins: who opened a child's page, or an
escalation page that showed the child, and when.

Reading the log is oversight of the log, so it is not itself written to the log: the page shows
the child's name and case ID only (to say whose log it is), none of their record, and every
opening of the child's record it lists is already there.
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
