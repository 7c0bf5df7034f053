"""Letting the IRO service manager configure the service (people.services)."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.errors import DomainError
from people.services import configuration_group_ensure, user_grant_configuration
from tests.factories import IroFactory, ServiceManagerFactory

pytestmark = pytest.mark.django_db


def test_the_configuration_group_may_view_add_and_change_but_not_delete():
    codenames = set(configuration_group_ensure().permissions.values_list("codename", flat=True))
    assert {"change_stage", "add_theme", "view_closureday", "change_user", "add_team"} <= codenames
    assert not any(code.startswith("delete_") for code in codenames)
    assert "change_escalation" not in codenames


def test_a_service_manager_given_configuration_can_open_the_themes_admin(client):
    user = user_grant_configuration(user=ServiceManagerFactory())
    client.force_login(user)
    assert client.get(reverse("admin:themes_theme_changelist")).status_code == 200
    assert client.get(reverse("admin:escalations_escalation_changelist")).status_code == 403


def test_only_a_service_manager_can_be_given_configuration():
    with pytest.raises(DomainError, match="is not an IRO service manager"):
        user_grant_configuration(user=IroFactory())


def test_the_command_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="There is no user called 'nobody'"):
        call_command("grant_configuration", "nobody")
