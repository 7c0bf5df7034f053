"""Writes for people: who may configure the service."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core.errors import DomainError
from people.models import Role, User

CONFIGURATION_GROUP = "Service configuration"

# What the IRO service manager configures in the admin: the ladder, themes, teams, users and closure
# days. View, add and change only: nothing is deleted (entries are retired, people deactivated).
CONFIGURATION_MODELS = {
    "ladder": ["stage", "laddersettings"],
    "themes": ["theme", "subtheme", "driftreason", "outcome"],
    "people": ["team", "user"],
    "workdays": ["closureday"],
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
