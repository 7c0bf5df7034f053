import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import Absence
from tests.factories import ManagerFactory, ServiceManagerFactory, stage
from tests.querycount import assert_same_queries

pytestmark = pytest.mark.django_db


def _dates(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def test_a_manager_records_their_own_absence_with_a_delegate(client):
    manager, cover = ManagerFactory(), ManagerFactory(stage=stage("team_manager"))
    client.force_login(manager)
    today = timezone.localdate()
    response = client.post(
        reverse("people:absences"),
        {
            "manager": manager.pk,
            "delegate": cover.pk,
            **_dates("starts_on", today),
            **_dates("ends_on", today + dt.timedelta(days=7)),
            "once": "a1",
        },
    )
    assert response.status_code == 302
    assert Absence.objects.get().delegate == cover


def test_a_delegate_at_another_stage_is_refused_on_the_form(client):
    manager, other = ManagerFactory(), ManagerFactory(stage=stage("head_of_service"))
    sm = ServiceManagerFactory()
    client.force_login(sm)
    today = timezone.localdate()
    response = client.post(
        reverse("people:absences"),
        {"manager": manager.pk, "delegate": other.pk, **_dates("starts_on", today), **_dates("ends_on", today)},
    )
    assert response.status_code == 400
    assert "is not an active responding manager at the Team manager stage" in response.content.decode()
    assert not Absence.objects.exists()


def test_someone_elses_absence_cannot_be_cancelled(client):
    manager, cover = ManagerFactory(), ManagerFactory()
    absence = Absence.objects.create(
        manager=manager,
        delegate=cover,
        recorded_by=manager,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    client.force_login(ManagerFactory())
    assert client.post(reverse("people:absence_cancel", args=[absence.pk])).status_code == 404
    assert Absence.objects.get().cancelled_at is None


def test_the_absences_page_runs_the_same_queries_for_1_or_20_absences(client):
    def one():
        away, cover = ManagerFactory(), ManagerFactory()
        Absence.objects.create(
            manager=away, delegate=cover, recorded_by=away, starts_on=timezone.localdate(), ends_on=timezone.localdate()
        )

    one()
    client.force_login(ServiceManagerFactory())
    assert_same_queries(client, reverse("people:absences"), lambda: [one() for _ in range(19)])
