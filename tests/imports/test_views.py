"""The upload page: preview stores nothing; confirm imports the very same file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from escalations.models import Escalation
from imports.views import SESSION_KEY
from tests.factories import ChildFactory, IroFactory, ServiceManagerFactory
from tests.imports.helpers import log_csv, row

pytestmark = pytest.mark.django_db


def _log(rows):
    return SimpleUploadedFile("log.csv", log_csv(rows), content_type="text/csv")


def _good_rows():
    iro = IroFactory(username="iro-upload")
    return [row("LOG-1", iro, [ChildFactory(iro=iro)]), row("LOG-2", iro, [ChildFactory(iro=iro)])]


def test_only_the_service_manager_and_admins_may_import(client):
    client.force_login(IroFactory())
    assert client.get(reverse("imports:upload")).status_code == 403


def test_the_preview_counts_the_rows_and_stores_nothing(client):
    client.force_login(ServiceManagerFactory())
    response = client.post(reverse("imports:upload"), {"file": _log(_good_rows())})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check the import of log.csv" in page
    assert "Import 2 rows" in page
    assert Escalation.objects.count() == 0


def test_confirm_imports_the_previewed_file(client):
    client.force_login(ServiceManagerFactory())
    client.post(reverse("imports:upload"), {"file": _log(_good_rows())})
    digest = client.session[SESSION_KEY]["sha256"]
    response = client.post(reverse("imports:confirm"), {"sha256": digest})
    assert "2 created, 0 updated, 0 unchanged" in response.content.decode()
    assert set(Escalation.objects.values_list("reference", flat=True)) == {"LOG-1", "LOG-2"}


def test_confirm_refuses_a_file_other_than_the_one_previewed(client):
    client.force_login(ServiceManagerFactory())
    client.post(reverse("imports:upload"), {"file": _log(_good_rows())})
    response = client.post(reverse("imports:confirm"), {"sha256": "0" * 64})
    assert response.status_code == 400
    assert "has changed since its preview" in response.content.decode()
    assert Escalation.objects.count() == 0


def test_bad_rows_are_listed_with_row_and_column_and_nothing_is_stored(client):
    client.force_login(ServiceManagerFactory())
    rows = _good_rows()
    rows[1]["raised_at"] = "31/02/2015"
    response = client.post(reverse("imports:upload"), {"file": _log(rows)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Row 3, column raised_at" in page
    assert Escalation.objects.count() == 0


def test_a_file_that_is_not_a_log_is_refused_by_name(client):
    client.force_login(ServiceManagerFactory())
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("notes.docx", b"PK")})
    assert "notes.docx is not a CSV or .xlsx file" in response.content.decode()
