import pytest
from django.urls import reverse

from people.models import Role
from tests.factories import UserFactory, raise_escalation

pytestmark = pytest.mark.django_db


def _admin_client(client):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admins_can_read_an_escalation_in_the_admin(client):
    esc = raise_escalation()
    response = _admin_client(client).get(reverse("admin:escalations_escalation_change", args=[esc.pk]))
    assert response.status_code == 200
    assert esc.reference in response.content.decode()


def test_the_admin_cannot_change_an_escalation(client):
    esc = raise_escalation()
    response = _admin_client(client).post(
        reverse("admin:escalations_escalation_change", args=[esc.pk]), {"concern": "rewritten"}
    )
    assert response.status_code == 403
    esc.refresh_from_db()
    assert esc.concern != "rewritten"
