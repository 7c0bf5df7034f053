"""The upload page: the upload is checked by a preview job, which stores nothing and whose page
shows its progress and then what would be imported; confirming it imports the very same file as a
second job, whose page shows its progress and then how it ended."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from escalations.models import Escalation
from imports.models import ImportJob
from imports.progress import ProgressFile, job_upload_path
from imports.services import STORING
from tests.factories import ChildFactory, IroFactory, ManagerFactory, ServiceManagerFactory, raise_escalation
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


def _preview(client, rows=None):
    """Upload a log as the signed-in user; the preview job (run at once in the tests)."""
    client.post(reverse("imports:upload"), {"file": _log(rows or _good_rows())})
    return ImportJob.objects.get(dry_run=True)


def _confirm(client, preview, **options):
    return client.post(reverse("imports:confirm", args=[preview.pk]), {"sha256": preview.sha256}, **options)


def test_the_upload_is_checked_by_a_preview_job_whose_page_follows_it(client):
    client.force_login(ServiceManagerFactory())
    response = client.post(reverse("imports:upload"), {"file": _log(_good_rows())})
    preview = ImportJob.objects.get()
    assert (response.status_code, response["Location"]) == (302, reverse("imports:job", args=[preview.pk]))
    assert preview.dry_run and preview.status == "done"


def test_the_preview_counts_the_rows_and_stores_nothing(client):
    client.force_login(ServiceManagerFactory())
    response = client.post(reverse("imports:upload"), {"file": _log(_good_rows())}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check the import of log.csv" in page
    assert "Import 2 rows" in page
    assert Escalation.objects.count() == 0


def test_confirm_imports_the_previewed_file_as_a_job_and_shows_its_page(client):
    client.force_login(ServiceManagerFactory())
    preview = _preview(client)
    response = _confirm(client, preview)
    job = ImportJob.objects.get(dry_run=False)
    assert (response.status_code, response["Location"]) == (302, reverse("imports:job", args=[job.pk]))
    assert job.preview == preview
    assert set(Escalation.objects.values_list("reference", flat=True)) == {"LOG-1", "LOG-2"}


def test_the_page_of_a_finished_job_shows_the_counts(client):
    client.force_login(ServiceManagerFactory())
    page = _confirm(client, _preview(client), follow=True).content.decode()
    assert "Import complete" in page and "2 created, 0 updated, 0 unchanged" in page


def test_a_confirmed_preview_links_to_its_import_instead_of_offering_it_again(client):
    client.force_login(ServiceManagerFactory())
    preview = _preview(client)
    _confirm(client, preview)
    page = client.get(reverse("imports:job", args=[preview.pk])).content.decode()
    job = ImportJob.objects.get(dry_run=False)
    assert f'href="{reverse("imports:job", args=[job.pk])}">see the import</a>' in page
    assert "Import 2 rows" not in page


def test_a_check_not_confirmed_in_time_asks_for_the_file_again(client):
    client.force_login(ServiceManagerFactory())
    preview = _preview(client)
    ImportJob.objects.filter(pk=preview.pk).update(finished_at=timezone.now() - dt.timedelta(hours=25))
    page = client.get(reverse("imports:job", args=[preview.pk])).content.decode()
    assert "This check was not confirmed within a day" in page
    assert "Import 2 rows" not in page


def test_a_second_click_on_import_shows_the_import_the_first_started(client):
    client.force_login(ServiceManagerFactory())
    preview = _preview(client)
    _confirm(client, preview)
    response = _confirm(client, preview)
    job = ImportJob.objects.get(dry_run=False)
    assert (response.status_code, response["Location"]) == (302, reverse("imports:job", args=[job.pk]))


def test_a_check_whose_import_failed_says_so(client):
    client.force_login(ServiceManagerFactory())
    preview = _preview(client)
    Escalation.objects.filter(pk=raise_escalation().pk).update(reference="LOG-2")
    _confirm(client, preview)
    page = client.get(reverse("imports:job", args=[preview.pk])).content.decode()
    assert "The import of this file failed, and nothing was stored" in page


@pytest.mark.parametrize("factory", [IroFactory, ManagerFactory])
def test_only_the_service_manager_and_admins_may_confirm(client, factory):
    client.force_login(ServiceManagerFactory())
    preview = _preview(client)
    client.force_login(factory())
    assert _confirm(client, preview).status_code == 403
    assert not ImportJob.objects.filter(dry_run=False).exists()


def test_upload_again_keeps_the_options_chosen_before(client):
    client.force_login(ServiceManagerFactory())
    client.post(
        reverse("imports:upload"),
        {"file": _log(_good_rows()), "encoding": "cp1252", "sheet": "2015-16", "create_missing": "on"},
    )
    preview = ImportJob.objects.get()
    page = client.get(reverse("imports:upload"), {"again": preview.pk}).content.decode()
    assert 'value="cp1252"' in page and 'value="2015-16"' in page
    assert 'name="create_missing" type="checkbox" value="on" checked' in page


def test_only_the_uploader_is_offered_the_import(client):
    client.force_login(ServiceManagerFactory(username="uploader", first_name="Una", last_name="Loader"))
    preview = _preview(client)
    client.force_login(ServiceManagerFactory())
    page = client.get(reverse("imports:job", args=[preview.pk])).content.decode()
    assert "Import 2 rows" not in page and "Una Loader uploaded this file: only they can import it" in page
    assert _confirm(client, preview).status_code == 400
    assert Escalation.objects.count() == 0


def test_confirm_queues_the_import_for_the_background_worker(client, settings):
    client.force_login(ServiceManagerFactory())
    preview = _preview(client)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    _confirm(client, preview)
    job = ImportJob.objects.get(dry_run=False)
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.args_kwargs["args"], job.status) == (
        "imports.tasks.run_import_job",
        [job.pk],
        "queued",
    )
    assert Escalation.objects.count() == 0


def test_confirm_refuses_a_file_other_than_the_one_previewed(client):
    client.force_login(ServiceManagerFactory())
    preview = _preview(client)
    response = client.post(reverse("imports:confirm", args=[preview.pk]), {"sha256": "0" * 64})
    assert response.status_code == 400
    assert "no longer the file that was checked" in response.content.decode()
    assert Escalation.objects.count() == 0


def test_bad_rows_are_listed_with_row_and_column_and_nothing_is_stored(client):
    client.force_login(ServiceManagerFactory())
    rows = _good_rows()
    rows[1]["raised_at"] = "31/02/2015"
    response = client.post(reverse("imports:upload"), {"file": _log(rows)}, follow=True)
    page = response.content.decode()
    assert "The log was not imported" in page
    assert "There is a problem" in page
    assert "Row 3, column raised_at" in page
    assert Escalation.objects.count() == 0


def test_a_file_that_is_not_a_log_is_refused_by_name(client):
    client.force_login(ServiceManagerFactory())
    response = client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("notes.docx", b"PK")})
    assert response.status_code == 400
    assert "notes.docx is not a CSV or .xlsx file" in response.content.decode()


def test_a_conflict_found_at_confirm_is_listed_on_the_job_page_and_nothing_is_stored(client):
    client.force_login(ServiceManagerFactory())
    preview = _preview(client)
    entered = raise_escalation()
    Escalation.objects.filter(pk=entered.pk).update(reference="LOG-2")
    response = _confirm(client, preview, follow=True)
    page = response.content.decode()
    assert "The log was not imported" in page
    assert "Row 3, column reference: an escalation entered in the app already has this reference" in page
    assert Escalation.objects.count() == 1


def _running_job(done, total):
    job = ImportJob.objects.create(
        created_by=ServiceManagerFactory(), filename="big.csv", sha256="0" * 64, status="running"
    )
    ProgressFile(job.pk)(STORING, done, total)
    return job


def test_a_running_jobs_page_shows_the_rows_done_out_of_the_rows(client):
    job = _running_job(42000, 100000)
    client.force_login(ServiceManagerFactory())
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert STORING in page and "42,000 of 100,000 rows (42%)" in page
    assert '<progress class="app-import-progress" id="import-progress" max="100000" value="42000">' in page


def test_a_running_jobs_page_has_a_button_to_check_progress_without_javascript(client):
    job = _running_job(1, 10)
    client.force_login(ServiceManagerFactory())
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert f'href="{reverse("imports:job", args=[job.pk])}">Check progress</a>' in page


def test_a_running_jobs_page_fetches_its_progress_and_never_reloads_itself(client):
    job = _running_job(1, 10)
    client.force_login(ServiceManagerFactory())
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert f'data-job-progress-url="{reverse("imports:job_progress", args=[job.pk])}"' in page
    assert "js/job-progress.js" in page and 'http-equiv="refresh"' not in page


def test_the_progress_part_of_the_page_is_served_on_its_own(client):
    job = _running_job(5, 10)
    client.force_login(ServiceManagerFactory())
    page = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert 'data-job-state="running"' in page and "5 of 10 rows (50%)" in page and "<html" not in page


def test_a_finished_jobs_page_stops_fetching_its_progress(client):
    job = ImportJob.objects.create(
        created_by=ServiceManagerFactory(),
        filename="log.csv",
        sha256="0" * 64,
        status="done",
        result={"rows": 1, "created": 1, "updated": 0, "unchanged": 0},
    )
    client.force_login(ServiceManagerFactory())
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "data-job-progress-url" not in page and "job-progress.js" not in page


def test_the_import_page_lists_recent_imports_with_their_status(client):
    ImportJob.objects.create(
        created_by=ServiceManagerFactory(),
        filename="2015-16.csv",
        sha256="0" * 64,
        status="failed",
        problems=["Row 2, column iro: ..."],
    )
    client.force_login(ServiceManagerFactory())
    page = client.get(reverse("imports:upload")).content.decode()
    assert "Recent checks and imports" in page and "2015-16.csv" in page and "Not imported" in page


@pytest.mark.parametrize("name", ["imports:job", "imports:job_progress"])
def test_only_the_service_manager_and_admins_may_see_a_job(client, name):
    job = _running_job(1, 10)
    client.force_login(IroFactory())
    assert client.get(reverse(name, args=[job.pk])).status_code == 403


def test_an_unknown_job_is_not_found(client):
    client.force_login(ServiceManagerFactory())
    assert client.get(reverse("imports:job", args=[999])).status_code == 404


def test_a_checks_counts_are_shown_with_thousands_separators(client):
    manager = ServiceManagerFactory()
    check = ImportJob.objects.create(
        created_by=manager,
        filename="big.csv",
        sha256="0" * 64,
        status="done",
        dry_run=True,
        finished_at=timezone.now(),
        result={"rows": 30000, "created": 29000, "updated": 1000, "unchanged": 0},
    )
    job_upload_path(check.pk).write_bytes(b"")
    client.force_login(manager)
    page = client.get(reverse("imports:job", args=[check.pk])).content.decode()
    assert "Import 30,000 rows" in page and "29,000" in page and "1,000" in page


def test_a_mapping_file_uploaded_with_the_log_maps_its_headings(client):
    client.force_login(ServiceManagerFactory())
    iro, child = IroFactory(), ChildFactory(case_id="C1")
    data = log_csv([row("LOG-1", iro, [child])]).replace(b"reference,", b"Ref no,", 1)
    response = client.post(
        reverse("imports:upload"),
        {
            "file": SimpleUploadedFile("log.csv", data),
            "mapping": SimpleUploadedFile("map.yaml", b"columns:\n  Ref no: reference\n"),
        },
    )
    job = ImportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert (job.status, job.result["created"]) == ("done", 1)


def test_a_mapping_file_that_is_not_yaml_is_refused_on_the_form(client):
    client.force_login(ServiceManagerFactory())
    response = client.post(
        reverse("imports:upload"),
        {"file": SimpleUploadedFile("log.csv", b"reference\n"), "mapping": SimpleUploadedFile("m.yaml", b"columns: [")},
    )
    assert response.status_code == 400 and "The mapping file is not valid YAML" in response.content.decode()


def test_problems_on_the_page_name_the_option_not_a_command_line_flag(client):
    client.force_login(ServiceManagerFactory())
    preview = _preview(client, [row("LOG-1", IroFactory(), [ChildFactory.build(case_id="NOPE")])])
    page = client.get(reverse("imports:job", args=[preview.pk])).content.decode()
    assert "create children and IROs the system does not know yet" in page and "--create-missing" not in page


# --- issue 16: input that once crashed the upload page ----------------------------------------------


@pytest.mark.parametrize(
    ("field", "length", "message"),
    [
        ("sheet", 101, "‘Sheet (optional)’ can have at most 100 characters (it has 101)"),
        ("encoding", 41, "‘Encoding (optional)’ can have at most 40 characters (it has 41)"),
    ],
)
def test_a_sheet_or_encoding_longer_than_its_column_is_refused_on_the_page(client, field, length, message):
    client.force_login(ServiceManagerFactory())
    response = client.post(reverse("imports:upload"), {"file": _log(_good_rows()), field: "x" * length})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_sheet_name_with_a_nul_is_refused_on_the_page(client):
    client.force_login(ServiceManagerFactory())
    response = client.post(reverse("imports:upload"), {"file": _log(_good_rows()), "sheet": "2015\x00"})
    assert response.status_code == 400
    assert "‘Sheet (optional)’ contains a NUL character at character 5" in response.content.decode()
    assert not ImportJob.objects.exists()
