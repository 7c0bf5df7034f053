"""Reads for children, and who may see which child.

Access rules live here, not in templates: a view asks for ``child_visible_to(user=...)`` and
anything outside it is a 404, so its existence is not revealed.

- An IRO sees the children on their caseload.
- A responding manager sees the children of escalations addressed to them, now or before.
- The IRO service manager and admins see every child.
- Anyone else (a report viewer) sees none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery

from children.models import UNNAMED, Child, SiblingGroup
from people.models import Role, User


def child_visible_to(*, user: User) -> QuerySet[Child]:
    children = Child.objects.all()
    if user.sees_everything:
        return children
    if user.role == Role.IRO:
        return children.filter(iro=user)
    if user.role == Role.MANAGER:
        # Through the reverse relations (child -> escalation links -> steps), so this app need not
        # import escalations, which imports it.
        links = Child.escalations.through.objects.filter(child=OuterRef("pk"), escalation__steps__addressee=user)
        return children.filter(Exists(links))
    return children.none()


def child_get_for(*, user: User, pk: int) -> Child:
    """The child, if ``user`` may see them; ``Child.DoesNotExist`` otherwise."""
    return child_visible_to(user=user).select_related("iro", "team", "sibling_group").get(pk=pk)


def child_siblings(*, child: Child, user: User) -> QuerySet[Child]:
    """The child's brothers and sisters in the same sibling group that ``user`` may see."""
    if child.sibling_group_id is None:
        return Child.objects.none()
    return (
        child_visible_to(user=user)
        .filter(sibling_group_id=child.sibling_group_id)
        .exclude(pk=child.pk)
        .order_by("first_name", "last_name", "case_id")
    )


def child_caseload(*, iro: User, q: str = "") -> QuerySet[Child]:
    """An IRO's caseload (those matching ``q``), named children first. Paginate it, then give the
    page's rows their figures with :func:`child_with_open_escalations`: the figures of a page cost
    that page, not the whole caseload."""
    return child_named_first(child_matching(Child.objects.filter(iro=iro), q).select_related("sibling_group"))


def child_with_open_escalations(children: Iterable[Child]) -> list[Child]:
    """``children`` as a list, each with ``open_escalations`` (how many open escalations are about
    them) and ``next_due_at`` (the soonest reply due among those, or None), in one query."""
    rows = list(children)
    figures = {
        row["child"]: row
        for row in Child.escalations.through.objects.filter(
            child__in=[child.pk for child in rows], escalation__status="open"
        )
        .values("child")
        .annotate(open_escalations=Count("escalation"), next_due_at=Min("escalation__next_due_at"))
        .order_by()
    }
    for child in rows:
        row = figures.get(child.pk, {})
        child.open_escalations = row.get("open_escalations", 0)
        child.next_due_at = row.get("next_due_at")
    return rows


CASE_ID_CHUNK = 5000  # case IDs per lookup query (SQLite allows at most 32,766 parameters)


def children_by_case_id(case_ids: Iterable[str]) -> dict[str, Child]:
    """The children with these case-management IDs, by case ID (exactly as stored)."""
    case_ids = list(case_ids)
    found = {}
    for start in range(0, len(case_ids), CASE_ID_CHUNK):
        for child in Child.objects.filter(case_id__in=case_ids[start : start + CASE_ID_CHUNK]):
            found[child.case_id] = child
    return found


def child_matching(children: QuerySet[Child], q: str) -> QuerySet[Child]:
    """``children`` narrowed to those whose name or case ID matches ``q``: a case ID exactly (any
    case), or every word of ``q`` in the first or last name ("ada ok" finds Ada Okafor)."""
    q = (q or "").strip()[:100]
    if not q:
        return children
    words = q.split()
    by_name = Q()
    for word in words[:5]:
        by_name &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return children.filter(Q(case_id__iexact=q) | by_name)


def child_named_first(children: QuerySet[Child]) -> QuerySet[Child]:
    """Children with a name first, by last then first name; then those with none recorded, by case ID."""
    return children.annotate(unnamed=UNNAMED).order_by("unnamed", "last_name", "first_name", "case_id")


def child_changed_since(children: QuerySet[Child], since: dt.datetime) -> QuerySet[Child]:
    """``children`` narrowed to those created or changed at or after ``since`` (by their audit trail)."""
    changes = Child.history.model.objects.filter(id=OuterRef("pk"), history_date__gte=since)
    return children.filter(Exists(changes))


def child_with_updated_at(children: QuerySet[Child]) -> QuerySet[Child]:
    """``children``, each with ``updated_at``: when their record was last created or changed (the audit
    trail's latest entry), and their IRO, team and sibling group."""
    latest = Child.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date").values("history_date")
    return children.select_related("iro", "team", "sibling_group").annotate(updated_at=Subquery(latest[:1]))


def sibling_groups_by_name(names) -> dict[str, SiblingGroup]:
    """The sibling groups with these names, by name."""
    return {group.name: group for group in SiblingGroup.objects.filter(name__in=list(names))}
