"""Writes for people: who may configure the service, managers' absences, and the teams imports name."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.errors import DomainError, NotPermitted
from core.formats import format_date
from people.models import Absence, Role, Team, User

CONFIGURATION_GROUP = "Service configuration"

# What the IRO service manager configures in the admin: the ladder, themes, teams, users, closure
# days and the drift watch's rule-to-theme map. View, add and change only: nothing is deleted
# (entries are retired, people deactivated).
CONFIGURATION_MODELS = {
    "ladder": ["stage", "laddersettings"],
    "themes": ["theme", "subtheme", "driftreason", "outcome"],
    "people": ["team", "user"],
    "workdays": ["closureday"],
    "drift": ["ruletheme"],
}


@transaction.atomic
def configuration_group_ensure() -> Group:
    """The "Service configuration" group with exactly its permissions (made if missing)."""
    for label in CONFIGURATION_MODELS:
        create_permissions(apps.get_app_config(label), verbosity=0)
    group, _ = Group.objects.get_or_create(name=CONFIGURATION_GROUP)
    wanted = [
        Permission.objects.get(content_type__app_label=label, codename=f"{action}_{model}")
        for label, models in CONFIGURATION_MODELS.items()
        for model in models
        for action in ("view", "add", "change")
    ]
    group.permissions.set(wanted)
    return group


@transaction.atomic
def user_grant_configuration(*, user: User) -> User:
    """Let an IRO service manager configure the service in the admin."""
    if user.role != Role.SERVICE_MANAGER:
        raise DomainError(f"{user} is not an IRO service manager, so cannot be given the configuration pages.")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(configuration_group_ensure())
    return user


@transaction.atomic
def absence_record(*, by: User, manager: User, starts_on, ends_on, delegate: User) -> Absence:
    """Record that ``manager`` is away from ``starts_on`` to ``ends_on`` (both included), with
    ``delegate`` covering: escalations sent to them meanwhile go to the delegate. The manager
    records their own; the IRO service manager or an admin may record anyone's."""
    if manager.role != Role.MANAGER:
        raise DomainError(f"{manager} is not a responding manager, so has no escalations to cover.", field="manager")
    if by.pk != manager.pk and not by.sees_everything:
        raise NotPermitted("You can record your own absence only. The IRO service manager can record anyone's.")
    if ends_on < starts_on:
        raise DomainError("The last day away is before the first. Check the dates.", field="ends_on")
    if ends_on < timezone.localdate():
        raise DomainError("The absence has already ended. Enter days from today on.", field="ends_on")
    if delegate.pk == manager.pk:
        raise DomainError("Choose someone else to cover: a manager cannot cover for themselves.", field="delegate")
    if not delegate.is_active or delegate.role != Role.MANAGER or delegate.stage_id != manager.stage_id:
        raise DomainError(
            f"{delegate} is not an active responding manager at the {manager.stage.label} stage. "
            "Choose someone who is.",
            field="delegate",
        )
    overlapping = Absence.objects.filter(
        manager=manager, cancelled_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if overlapping is not None:
        raise DomainError(
            f"{manager} is already recorded as away from {format_date(overlapping.starts_on)} to "
            f"{format_date(overlapping.ends_on)}. Cancel that absence first, or choose other dates.",
            field="starts_on",
        )
    absence = Absence(manager=manager, starts_on=starts_on, ends_on=ends_on, delegate=delegate, recorded_by=by)
    absence._history_user = by
    absence.save()
    return absence


@transaction.atomic
def absence_cancel(*, by: User, absence: Absence) -> Absence:
    """Cancel an absence (the manager is back, or it was recorded by mistake)."""
    absence = Absence.objects.select_for_update().get(pk=absence.pk)
    if by.pk != absence.manager_id and not by.sees_everything:
        raise NotPermitted("You can cancel your own absence only. The IRO service manager can cancel anyone's.")
    if absence.cancelled_at is None:
        absence.cancelled_at = timezone.now()
        absence._history_user = by
        absence.save(update_fields=["cancelled_at"])
    return absence


@transaction.atomic
def teams_ensure(*, names, reason: str, by: User | None = None, when=None) -> tuple[dict[str, Team], int]:
    """The teams with these names (matched ignoring case), creating those not stored yet.

    Returns the teams by lower-cased name, and how many were created. Each new team gets an audit
    row with ``reason``, ``by`` and ``when``. Blank names are skipped."""
    wanted = {name.strip().lower(): name.strip() for name in names if name and name.strip()}
    found = {team.name.lower(): team for team in Team.objects.all() if team.name.lower() in wanted}
    new = [Team(name=wanted[key]) for key in sorted(wanted) if key not in found]
    if new:
        bulk_create_with_history(
            new, Team, default_change_reason=reason[:100], default_user=by, default_date=when or timezone.now()
        )
        for team in Team.objects.filter(name__in=[t.name for t in new]):
            found[team.name.lower()] = team
    return found, len(new)
