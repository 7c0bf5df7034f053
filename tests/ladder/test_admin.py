"""The ladder in the Django admin: a stage's edit goes through the service that keeps the
escalations at that stage in step (``escalations.services.stage_save``)."""

import pytest
from django.urls import reverse

from escalations.models import Escalation
from people.models import Role
from tests.factories import UserFactory, raise_escalation, stage

pytestmark = pytest.mark.django_db


def _stage_form(code: str, **changes) -> dict:
    current = stage(code)
    form = {
        "code": current.code,
        "label": current.label,
        "order": current.order,
        "target_working_days": current.target_working_days,
        "formal": "on" if current.formal else "",
        "active": "on" if current.active else "",
    }
    return {**{name: value for name, value in form.items() if value != ""}, **changes}


def test_reordering_a_stage_in_the_admin_gives_its_escalations_the_new_order(client):
    esc = raise_escalation(stage_code="team_manager")
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:ladder_stage_change", args=[stage("team_manager").pk])
    response = client.post(url, _stage_form("team_manager", order=99))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (stage("team_manager").order, Escalation.objects.get(pk=esc.pk).current_stage_order) == (99, 99)
    assert stage("team_manager").history.latest().history_user == admin
