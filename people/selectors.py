"""Reads for people."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from ladder.models import Stage
from people.models import Role, User


def manager_list(*, stages: Iterable[Stage], exclude: User | None = None) -> QuerySet[User]:
    """The active responding managers at any of ``stages`` (but ``exclude``), with their stage, by name:
    the people an escalation can be sent to."""
    managers = User.objects.filter(role=Role.MANAGER, is_active=True, stage__in=list(stages)).select_related("stage")
    if exclude is not None:
        managers = managers.exclude(pk=exclude.pk)
    return managers.order_by("last_name", "first_name", "username")
