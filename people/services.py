"""Writes for people: who may configure the service, and the teams imports name."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.errors import DomainError
from people.models import Role, Team, User

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
