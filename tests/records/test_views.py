"""The records management pages: each works for the people it is for, names bad input back and
keeps what was typed. (Who may open which page is the access matrix, tests/core/test_access.py.)"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from escalations.models import Escalation
from people.models import Role
from records.classes import RecordClass
from records.models import ErasureRequest, ErasureStatus, LegalHold, SubjectAccessExport
from records.services import erasure_request, retention_rule_update, retention_run
from tests.factories import UserFactory
from tests.records.helpers import family

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return family()


@pytest.fixture
def sm_client(client, world):
    client.force_login(world.sm)
    return client


def _admin_client(client):
    admin = UserFactory(role=Role.ADMIN)
    client.force_login(admin)
    return admin


@pytest.mark.parametrize(
    "name", ["records:index", "records:exports", "records:holds", "records:schedule", "records:dry_run", "records:runs"]
)
def test_the_service_manager_opens_each_page(sm_client, name):
    response = sm_client.get(reverse(name))
    assert response.status_code == 200
    assert b"govuk-heading-l" in response.content or b"govuk-heading-xl" in response.content


def test_an_unknown_case_id_is_named_back_and_kept(sm_client):
    response = sm_client.post(reverse("records:exports"), {"case_id": "NOPE-1", "once": "k1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "No child has the case-management ID &#x27;NOPE-1&#x27;" in body
    assert 'value="NOPE-1"' in body
    assert not SubjectAccessExport.objects.exists()


def test_starting_an_export_opens_its_page_and_it_downloads_once(sm_client, world):
    response = sm_client.post(reverse("records:exports"), {"case_id": "700001", "once": "k2"})
    export = SubjectAccessExport.objects.get()
    assert response.status_code == 302 and response.url == reverse("records:export", args=[export.pk])
    page = sm_client.get(response.url).content.decode()
    assert "Download" in page
    download = sm_client.post(reverse("records:export_download", args=[export.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Cache-Control"] == "no-store"
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert len(names) == 3
    again = sm_client.post(reverse("records:export_download", args=[export.pk]))
    assert again.status_code == 400
    assert "can be downloaded only once" in again.content.decode()


def test_another_person_cannot_download_it(client, world):
    client.force_login(world.sm)
    client.post(reverse("records:exports"), {"case_id": "700001", "once": "k3"})
    export = SubjectAccessExport.objects.get()
    _admin_client(client)
    response = client.post(reverse("records:export_download", args=[export.pk]))
    assert response.status_code == 403
    assert "Only the person who started this export can download it" in response.content.decode()


def test_a_hold_is_placed_on_an_escalation_by_its_reference(sm_client, world):
    response = sm_client.post(
        reverse("records:holds"), {"target": world.shared.reference, "reason": "A claim is expected.", "once": "k4"}
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.escalation == world.shared and hold.placed_by == world.sm
    assert world.shared.reference in sm_client.get(reverse("records:holds")).content.decode()


def test_a_hold_on_something_unknown_is_named_back_and_the_reason_kept(sm_client):
    response = sm_client.post(
        reverse("records:holds"), {"target": "ESC-1999-00001", "reason": "A claim is expected.", "once": "k5"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "No child or escalation has the ID or reference &#x27;ESC-1999-00001&#x27;" in body
    assert "A claim is expected." in body
    assert not LegalHold.objects.exists()


def test_the_dry_run_page_counts_what_is_due_per_class(sm_client, world, settings):
    settings.RECORDS_CASE_RECORD_UNTIL_AGE = 0
    Escalation.objects.filter(pk=world.alone.pk).update(closed_at=timezone.now() - dt.timedelta(days=7 * 366))
    body = sm_client.get(reverse("records:dry_run")).content.decode()
    assert "Escalations" in body and "Access log entries" in body
    row = body[body.index(f'id="class-{RecordClass.ESCALATIONS}"') :][:600]
    assert ">1<" in row.replace(" ", "")


def test_a_run_page_lists_its_tombstones(sm_client, world, settings):
    settings.RECORDS_CASE_RECORD_UNTIL_AGE = 0
    run = retention_run(as_of=timezone.localdate() + dt.timedelta(days=7 * 366))
    body = sm_client.get(reverse("records:run", args=[run.pk])).content.decode()
    assert "escalations.escalation" in body or "Escalation" in body
    assert str(world.alone.pk) in body
    assert world.alone.concern not in body


def test_an_admin_changes_a_rule_and_a_bad_period_is_named_back(client):
    _admin_client(client)
    url = reverse("records:rule_change", args=[RecordClass.ACCESS_LOG])
    response = client.post(url, {"keep_for": "0", "unit": "years", "action": "delete", "reason": "Kept.", "once": "a"})
    assert response.status_code == 400
    assert "Kept." in response.content.decode()
    data = {"keep_for": "2", "unit": "years", "action": "delete", "reason": "Shorter.", "once": "b"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert "2 years" in client.get(reverse("records:schedule")).content.decode()


def test_erasure_is_asked_by_one_admin_and_approved_by_another(client, world):
    asker = _admin_client(client)
    response = client.post(
        reverse("records:erasures"), {"case_id": "700001", "reason": "Granted by the DPO.", "once": "e1"}
    )
    request = ErasureRequest.objects.get()
    assert response.status_code == 302 and request.requested_by == asker
    page = client.get(reverse("records:erasure", args=[request.pk])).content.decode()
    assert "another admin" in page.lower()
    for words in ("1 episode from the 903 return", "1 social worker visit", "1 drift watch flag", "1 access log entry"):
        assert f"<li>{words}</li>" in page
    assert "UASC" not in page  # she has none
    _admin_client(client)
    response = client.post(
        reverse("records:erasure", args=[request.pk]), {"decision": "approve", "note": "", "once": "e2"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ErasureStatus.ERASED


def test_an_erasure_under_a_hold_is_refused_on_the_page(client, world):
    client.force_login(world.sm)
    client.post(reverse("records:holds"), {"target": "700001", "reason": "A claim.", "once": "h1"})
    request = erasure_request(by=UserFactory(role=Role.ADMIN), case_id="700001", reason="Granted.")
    _admin_client(client)
    response = client.post(
        reverse("records:erasure", args=[request.pk]), {"decision": "approve", "note": "", "once": "e3"}
    )
    assert response.status_code == 400
    assert "under a legal hold" in response.content.decode()


def test_the_privacy_notice_gives_the_schedule_as_it_stands(client, settings):
    settings.RECORDS_EXPORT_STAFF_NAMES = False
    admin = _admin_client(client)
    retention_rule_update(
        record_class=RecordClass.ACCESS_LOG, by=admin, keep_for=18, unit="months", action="delete", reason="Shorter."
    )
    page = " ".join(client.get(reverse("privacy")).content.decode().split())
    assert 'Access log entries</th><td class="govuk-table__cell">18 months after the page was opened</td>' in page
    assert "6 years after it was closed, and at least until the child’s 75th birthday" in page
    assert "answers a subject access request within one month" in page
    assert "Staff are shown by their role, not named." in page
    assert "a second administrator must approve it" in page
