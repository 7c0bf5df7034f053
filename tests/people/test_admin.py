"""Staff in the Django admin: an edit goes through the service that keeps the escalations an IRO
raised sorting by their name (``escalations.services.user_save``)."""

import pytest
from django.urls import reverse

from escalations.models import Escalation
from people.models import Role, User
from tests.factories import IroFactory, UserFactory, raise_escalation

pytestmark = pytest.mark.django_db


def _user_form(user: User, **changes) -> dict:
    form = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    return {**form, **changes}


def test_renaming_an_iro_in_the_admin_gives_their_escalations_the_new_sort_key(client):
    iro = IroFactory(first_name="Ada", last_name="Adams")
    esc = raise_escalation(iro=iro)
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(reverse("admin:people_user_change", args=[iro.pk]), _user_form(iro, last_name="Young"))
    assert response.status_code == 302, response.content.decode()[:3000]
    iro.refresh_from_db()
    assert (iro.last_name, Escalation.objects.get(pk=esc.pk).iro_sort_key) == ("Young", iro.sort_key)
    assert iro.history.latest().history_user == admin
