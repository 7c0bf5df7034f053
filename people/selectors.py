"""Reads for people."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from ladder.models import Stage
from people.models import Absence, Role, Team, User


def manager_list(*, stages: Iterable[Stage], exclude: User | None = None) -> QuerySet[User]:
    """The active responding managers at any of ``stages`` (but ``exclude``), with their stage, by name:
    the people an escalation can be sent to."""
    managers = User.objects.filter(role=Role.MANAGER, is_active=True, stage__in=list(stages)).select_related(
        "stage", "team"
    )
    if exclude is not None:
        managers = managers.exclude(pk=exclude.pk)
    return managers.order_by("last_name", "first_name", "username")


def service_manager_list() -> QuerySet[User]:
    """The active IRO service managers (who hear of Cafcass referrals and get the overdue digest)."""
    return User.objects.filter(role=Role.SERVICE_MANAGER, is_active=True).order_by("last_name", "first_name")


def absence_on(*, manager: User, day) -> Absence | None:
    """The absence covering ``day`` for ``manager`` (not cancelled), if any, with its delegate."""
    return (
        Absence.objects.filter(manager=manager, starts_on__lte=day, ends_on__gte=day, cancelled_at__isnull=True)
        .select_related("delegate")
        .order_by("-recorded_at")
        .first()
    )


def absences_current(*, on) -> dict[int, Absence]:
    """Every manager away on ``on`` -> their absence (with the delegate), for the addressee pickers."""
    found = (
        Absence.objects.filter(starts_on__lte=on, ends_on__gte=on, cancelled_at__isnull=True)
        .select_related("delegate")
        .order_by("recorded_at")
    )
    return {absence.manager_id: absence for absence in found}


def absence_list(*, manager: User | None = None, from_day=None) -> QuerySet[Absence]:
    """Absences not cancelled and not over before ``from_day``, soonest first."""
    absences = Absence.objects.filter(cancelled_at__isnull=True).select_related("manager", "delegate", "manager__stage")
    if manager is not None:
        absences = absences.filter(manager=manager)
    if from_day is not None:
        absences = absences.filter(ends_on__gte=from_day)
    return absences.order_by("starts_on", "manager__last_name")


def teams_by_name(names: Iterable[str]) -> dict[str, Team]:
    """The teams with these names (exactly), by name."""
    return {team.name: team for team in Team.objects.filter(name__in=list(names))}


def iros_by_id(ids: Iterable[int]) -> dict[int, User]:
    """The active IROs with these ids, by id: the people a child can be allocated to."""
    return {user.pk: user for user in User.objects.filter(role=Role.IRO, is_active=True, pk__in=list(ids))}
