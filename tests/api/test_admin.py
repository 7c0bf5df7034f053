"""API keys in the Django admin: made (the key shown once, in the message), revoked with the action,
never deleted; a service manager given the configuration pages does not see them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from api.models import ServiceKey
from people.models import Role
from people.services import user_grant_configuration
from tests.api.conftest import key_client
from tests.factories import ServiceManagerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def test_an_admin_makes_a_key_and_sees_it_once(admin_client):
    viewer = UserFactory(role=Role.REPORT_VIEWER)
    url = reverse("admin:api_servicekey_add")
    response = admin_client.post(url, {"name": "Power BI", "user": viewer.pk, "scope": "reporting", "expiry_date": ""})
    assert response.status_code == 302
    key = ServiceKey.objects.get(name="Power BI")
    shown = admin_client.get(reverse("admin:api_servicekey_changelist")).content.decode()
    secret = re.search(rf"is ({key.prefix}\.\S+) \.", shown).group(1)
    again = admin_client.get(reverse("admin:api_servicekey_changelist")).content.decode()
    assert secret not in again
    assert secret.startswith(key.prefix) and secret not in key.hashed_key
    assert key_client(secret).get(reverse("api:issued_reports")).status_code == 200


def test_the_admin_refuses_a_key_the_account_may_not_hold(admin_client):
    iro_account = UserFactory(role=Role.IRO)
    response = admin_client.post(
        reverse("admin:api_servicekey_add"), {"name": "BI", "user": iro_account.pk, "scope": "reporting"}
    )
    assert response.status_code == 200
    assert "A reporting key must belong to an account that may read the committee report" in response.content.decode()
    assert not ServiceKey.objects.exists()


def test_the_revoke_action_stops_a_key(admin_client, api_world):
    key = ServiceKey.objects.get(name="Power BI")
    admin_client.post(
        reverse("admin:api_servicekey_changelist"), {"action": "revoke", "_selected_action": [key.pk]}, follow=True
    )
    key.refresh_from_db()
    assert key.revoked and key.revoked_at
    assert key_client(api_world["keys"]["reporting"]).get(reverse("api:issued_reports")).status_code == 401


def test_a_service_manager_with_the_configuration_pages_cannot_see_keys(client):
    client.force_login(user_grant_configuration(user=ServiceManagerFactory()))
    assert client.get(reverse("admin:api_servicekey_changelist")).status_code == 403
