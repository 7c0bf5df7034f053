"""Admins configure the ladder, themes, teams, users and closure days in the Django admin."""

import pytest
from django.contrib import admin
from django.urls import reverse

from people.models import Role
from tests.factories import UserFactory
from workdays.models import ClosureDay

pytestmark = pytest.mark.django_db

CONFIGURABLE = [
    "ladder.stage",
    "ladder.laddersettings",
    "themes.theme",
    "themes.subtheme",
    "themes.driftreason",
    "themes.outcome",
    "people.team",
    "people.user",
    "workdays.closureday",
]


def _login_admin(client):
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))


@pytest.mark.parametrize("label", CONFIGURABLE)
def test_admins_can_open_each_configuration_list(client, label):
    _login_admin(client)
    app_label, model = label.split(".")
    response = client.get(reverse(f"admin:{app_label}_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("label", ["ladder.stage", "themes.theme", "people.user"])
def test_configuration_is_retired_not_deleted(label):
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    assert admin.site._registry[model].has_delete_permission(request=None) is False


def test_an_admin_can_add_a_closure_day(client):

    _login_admin(client)
    response = client.post(
        reverse("admin:workdays_closureday_add"), {"date": "2026-12-24", "reason": "Council closure"}
    )
    assert response.status_code == 302
    day = ClosureDay.objects.get()
    assert day.reason == "Council closure"
    assert day.history.get().history_user.role == Role.ADMIN
