import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from extract import forms
from extract.models import ExtractImportRun, Visit
from tests.extract.files import extract_files, visit
from tests.factories import ChildFactory, ServiceManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sm_client(client):
    client.force_login(ServiceManagerFactory())
    return client


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_the_upload_page_shows_the_three_files_and_the_mapping(sm_client):
    body = sm_client.get(reverse("extract:upload")).content.decode()

    for name in ("visits", "care_plans", "allocations", "mapping"):
        assert f'name="{name}" type="file"' in body


def test_uploaded_files_are_imported_and_the_page_says_so(sm_client):
    ChildFactory(case_id="1001")
    files = extract_files(visits=[visit()])

    response = sm_client.post(
        reverse("extract:upload"), {"visits": upload("council visits.csv", files["visits.csv"])}, follow=True
    )

    assert Visit.objects.count() == 1
    assert "The extract was imported. visits: 1 created, 0 updated, 0 unchanged." in response.content.decode()
    run = ExtractImportRun.objects.get()
    assert run.tables == ["visits"]
    assert run.imported_by.role == "service_manager"
    assert run.source == "Uploaded: council visits.csv as visits.csv"


def test_every_problem_is_listed_naming_file_row_and_column_and_nothing_is_stored(sm_client):
    ChildFactory(case_id="1001")
    files = extract_files(visits=[visit(), visit(date="31/02/2025"), visit(person="9999", date="01/07/2025")])

    response = sm_client.post(reverse("extract:upload"), {"visits": upload("visits.csv", files["visits.csv"])})

    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body
    assert (
        '<a href="#id_visits">visits.csv row 3, column visit_date: &#x27;31/02/2025&#x27; is not a real date</a>'
        in body
    )
    assert "visits.csv row 4, column person_id: &#x27;9999&#x27; is not a child known here" in body
    assert Visit.objects.count() == 0


def test_only_the_first_50_problems_are_listed_with_a_count_of_the_rest(sm_client):
    rows = [visit(person="9999", date=f"{day:02d}/{month:02d}/2025") for month in (1, 2) for day in range(1, 29)]
    files = extract_files(visits=rows)

    body = sm_client.post(reverse("extract:upload"), {"visits": upload("visits.csv", files["visits.csv"])}).content
    body = body.decode()

    assert body.count("is not a child known here") == 50
    assert "And 6 more problems" in body


def test_no_file_is_an_error(sm_client):
    response = sm_client.post(reverse("extract:upload"), {})

    assert response.status_code == 400
    assert '<a href="#id_visits">Choose at least one of the extract&#x27;s files</a>' in response.content.decode()


def test_a_file_that_is_not_csv_is_an_error(sm_client):
    response = sm_client.post(reverse("extract:upload"), {"care_plans": upload("plans.xlsx", b"PK...")})

    assert "plans.xlsx is not a CSV file." in response.content.decode()


def test_a_file_over_the_size_limit_is_an_error(sm_client, monkeypatch):
    monkeypatch.setattr(forms, "MAX_FILE_BYTES", 1024 * 1024)

    response = sm_client.post(
        reverse("extract:upload"), {"visits": upload("visits.csv", b"person_id,visit_date\n" + b"x" * (1024 * 1024))}
    )

    assert "visits.csv is larger than 1 MB" in response.content.decode()
    assert Visit.objects.count() == 0


def test_a_mapping_file_is_used(sm_client):
    ChildFactory(case_id="1001")
    data = b"Client,Date\n1001,01/06/2025\n"
    mapping = SimpleUploadedFile("map.yaml", b"columns:\n  Client: person_id\n  Date: visit_date\n")

    sm_client.post(reverse("extract:upload"), {"visits": upload("visits.csv", data), "mapping": mapping})

    assert Visit.objects.count() == 1
