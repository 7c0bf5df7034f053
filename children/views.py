"""Pages about children: an IRO's caseload (or, for the service manager, every child), and a child's
page with their escalations as a timeline. Opening a child's page is written to the access log."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from children.models import Child
from children.selectors import (
    child_caseload,
    child_get_for,
    child_matching,
    child_named_first,
    child_siblings,
    child_visible_to,
    child_with_open_escalations,
)
from core.access import role_required
from core.paging import CappedPaginator
from drift.selectors import drift_child_clocks
from escalations import selectors as escalation_selectors
from people.access import CASEWORKERS
from people.models import Role
from ssda903.selectors import child_care_context
from workdays.selectors import working_calendar

PAGE_SIZE = 50


@role_required(Role.IRO, Role.SERVICE_MANAGER, Role.ADMIN)
def child_list(request):
    q = request.GET.get("q", "").strip()[:100]
    if request.user.role == Role.IRO:
        children = child_caseload(iro=request.user, q=q)
        title = "My children"
    else:
        children = child_named_first(
            child_matching(child_visible_to(user=request.user), q).select_related("iro", "sibling_group")
        )
        title = "Children"
    # Lazy: computed only if the page's kept content is not (core.templatetags.kept_pages).
    page = SimpleLazyObject(lambda: CappedPaginator(children, PAGE_SIZE).get_page(request.GET.get("page")))

    def rows():
        shown = page.object_list
        if request.user.role == Role.IRO:  # the figures of this page's children only
            shown = child_with_open_escalations(shown)
        now = timezone.now()
        return [
            (child, escalation_selectors.is_overdue(getattr(child, "next_due_at", None), now=now)) for child in shown
        ]

    rows = SimpleLazyObject(rows)
    return render(request, "children/list.html", {"page": page, "rows": rows, "title": title, "q": q})


@role_required(*CASEWORKERS)
def detail(request, pk: int):
    try:
        child = child_get_for(user=request.user, pk=pk)
    except Child.DoesNotExist:
        raise Http404("No child found") from None
    escalations = escalation_selectors.escalation_list_rows(
        escalation_selectors.escalation_visible_to(user=request.user).filter(children=child)
    ).order_by("-raised_at", "-pk")
    # Lazy: computed only if the page's kept content is not (core.templatetags.kept_pages).
    rows = SimpleLazyObject(
        lambda: escalation_selectors.escalation_with_due_states(escalations, calendar=working_calendar())
    )
    return render(
        request,
        "children/detail.html",
        {
            "child": child,
            "siblings": SimpleLazyObject(lambda: list(child_siblings(child=child, user=request.user))),
            "escalations": rows,
            "open_escalations": SimpleLazyObject(lambda: sum(1 for e in rows if e.status == "open")),
            "care": SimpleLazyObject(lambda: child_care_context(child=child, today=timezone.localdate())),
            "can_raise": request.user.role == Role.IRO and child.iro_id == request.user.pk,
            "clocks": SimpleLazyObject(lambda: drift_child_clocks(child=child, calendar=working_calendar())),
        },
    )
