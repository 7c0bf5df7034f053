"""The scopes of an API key, and who may hold each: the one place that says so.

A key acts as the account it belongs to. Which objects it reaches is that account's (the selectors:
``children.selectors.child_visible_to``, ``escalations.selectors.escalation_visible_to``); which
operations it may call is its scope's, and its account's role must also be one that may use them
(``people.access``), so a key never does more than its account could on the pages.
"""

from __future__ import annotations

from django.db import models

from people.access import REPORT_READERS
from people.models import Role, User


class Scope(models.TextChoices):
    CASE_MANAGEMENT = "case-management", "Case management: children, allocations and sibling groups"
    REPORTING = "reporting", "Reporting: the committee report and its figures, no child data"
    IRO_TOOLS = "iro-tools", "IRO tools: what the IRO whose key it is may do"


ALL_SCOPES = frozenset(Scope)


def scope_refusal(scope: str, user: User) -> str | None:
    """Why ``user``'s account cannot hold a key of ``scope``, or None when it can."""
    if scope not in Scope.values:
        return f"{scope!r} is not a scope. Choose one of: {', '.join(Scope.values)}."
    if not user.is_active:
        return f"{user} is deactivated, so cannot hold an API key."
    if scope == Scope.CASE_MANAGEMENT and not user.sees_everything:
        return (
            "A case-management key must belong to an account that sees every child: an admin or IRO service "
            f"manager account (a service account with the Admin role, say). {user}'s role is {user.get_role_display()}."
        )
    if scope == Scope.REPORTING and user.role not in REPORT_READERS:
        return (
            "A reporting key must belong to an account that may read the committee report (a report viewer, "
            f"say). {user}'s role is {user.get_role_display()}."
        )
    if scope == Scope.IRO_TOOLS and user.role != Role.IRO:
        return f"An iro-tools key belongs to an IRO and acts as them. {user}'s role is {user.get_role_display()}."
    return None
