"""Import jobs: the upload page checks a file with a preview job, whose confirmation runs the
import of the same file as a second job; both report their progress."""

import datetime as dt
import os
import time

import pytest
from django.utils import timezone

from background.models import WorkerHeartbeat
from background.selectors import heartbeat_stale
from background.services import worker_heartbeat_beat
from core.errors import DomainError
from escalations.models import Escalation
from imports import jobs
from imports.jobs import (
    READING,
    AlreadyConfirmed,
    import_job_confirm,
    import_job_create,
    import_job_retry,
    import_job_run,
    import_uploads_prune,
)
from imports.models import ImportJob
from imports.progress import (
    Progress,
    ProgressFile,
    job_upload_id,
    job_upload_path,
    progress_path,
    progress_read,
    progress_write,
)
from imports.selectors import import_job_state
from imports.services import CHECKING, STORING
from tests.factories import ChildFactory, IroFactory, ServiceManagerFactory, raise_escalation
from tests.imports.helpers import log_csv, row

pytestmark = pytest.mark.django_db


def _job(rows, **options):
    return import_job_create(by=ServiceManagerFactory(), data=log_csv(rows), filename="log.csv", **options)


def _rows(count=2):
    iro = IroFactory()
    return [row(f"LOG-{n}", iro, [ChildFactory(iro=iro)]) for n in range(1, count + 1)]


def test_a_new_job_waits_to_run():
    job = _job(_rows())
    assert (job.status, job.result, job.finished) == ("queued", None, False)


def test_running_a_job_imports_the_file_and_records_the_counts():
    job = import_job_run(job_id=_job(_rows(3)).pk)
    assert (job.status, job.rows_total, job.result["created"], job.result["updated"], job.result["unchanged"]) == (
        "done",
        3,
        3,
        0,
        0,
    )
    assert Escalation.objects.count() == 3


def test_the_importer_is_the_jobs_user_in_the_audit():
    job = _job(_rows(1))
    import_job_run(job_id=job.pk)
    assert Escalation.history.get().history_user == job.created_by


def test_a_job_with_bad_rows_records_every_problem_and_stores_nothing():
    rows = _rows(3)
    rows[0]["raised_at"] = "31/02/2015"
    rows[2]["highest_stage"] = "boss"
    job = import_job_run(job_id=_job(rows).pk)
    assert job.status == "failed"
    assert [problem.split(":")[0] for problem in job.problems] == [
        "Row 2, column raised_at",
        "Row 4, column highest_stage",
    ]
    assert Escalation.objects.count() == 0


def test_a_job_conflicting_with_an_escalation_entered_in_the_app_stores_nothing():
    entered = raise_escalation()
    rows = _rows(2)
    rows[1]["reference"] = entered.reference
    job = import_job_run(job_id=_job(rows).pk)
    assert job.status == "failed"
    assert job.problems[0].startswith("Row 3, column reference: an escalation entered in the app already has")
    assert Escalation.objects.count() == 1


def test_a_job_whose_file_changed_after_the_check_is_refused(settings):
    job = _job(_rows())
    (settings.VAR_DIR / "uploads" / f"job-{job.pk}.upload").write_bytes(b"reference\r\nOTHER\r\n")
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.problems) == (
        "failed",
        ["The uploaded file is no longer the file you checked. Upload it again."],
    )
    assert Escalation.objects.count() == 0


def test_an_error_in_the_service_fails_the_job_and_stores_nothing(monkeypatch):
    def broken(**options):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(jobs, "escalation_log_import", broken)
    job = import_job_run(job_id=_job(_rows()).pk)
    assert job.status == "failed"
    assert job.problems[0].startswith("The import stopped because of an error in the service: nothing was stored.")


def test_a_finished_job_is_not_run_again():
    job = import_job_run(job_id=_job(_rows(1)).pk)
    Escalation.objects.update(concern="Changed since")
    assert import_job_run(job_id=job.pk).finished_at == job.finished_at


def test_a_job_already_running_is_not_run_again():
    job = _job(_rows(1))
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    assert import_job_run(job_id=job.pk).status == "running"
    assert Escalation.objects.count() == 0


@pytest.fixture
def reports(monkeypatch) -> list[tuple[str, int, int]]:
    """Every progress report a job makes, as (phase, done, total)."""
    made = []

    class Recording(ProgressFile):
        def __call__(self, phase, done, total):
            made.append((phase, done, total))
            super().__call__(phase, done, total)

    monkeypatch.setattr(jobs, "ProgressFile", Recording)
    return made


def test_the_job_reports_reading_the_file_then_every_row_checked_and_stored(reports):
    import_job_run(job_id=_job(_rows(3)).pk)
    assert reports == [(READING, 0, 0), (STORING, 3, 3)]


def test_a_preview_job_checks_every_row_and_stores_nothing():
    preview = import_job_run(job_id=_job(_rows(3), dry_run=True).pk)
    assert (preview.status, preview.result["created"], preview.result["dry_run"]) == ("done", 3, True)
    assert Escalation.objects.count() == 0


def test_a_preview_reports_reading_the_file_then_every_row_checked(reports):
    import_job_run(job_id=_job(_rows(3), dry_run=True).pk)
    assert reports == [(READING, 0, 0), (CHECKING, 3, 3)]


def test_a_preview_that_passed_keeps_its_file_for_the_import(settings):
    preview = import_job_run(job_id=_job(_rows(1), dry_run=True).pk)
    assert (settings.VAR_DIR / "uploads" / f"job-{preview.pk}.upload").exists()


def test_confirming_a_preview_imports_the_same_file_with_the_same_options(settings, django_capture_on_commit_callbacks):
    preview = import_job_run(job_id=_job(_rows(2), dry_run=True, create_missing=True, encoding="utf-8").pk)
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_confirm(preview=preview, by=preview.created_by, sha256=preview.sha256)
    assert (job.dry_run, job.preview, job.sha256, job.create_missing, job.encoding) == (
        False,
        preview,
        preview.sha256,
        True,
        "utf-8",
    )
    assert not (settings.VAR_DIR / "uploads" / f"job-{preview.pk}.upload").exists()
    assert import_job_run(job_id=job.pk).result["created"] == 2


def test_a_preview_that_failed_cannot_be_confirmed():
    rows = _rows()
    rows[0]["raised_at"] = "31/02/2015"
    preview = import_job_run(job_id=_job(rows, dry_run=True).pk)
    with pytest.raises(DomainError, match="has not passed its checks"):
        import_job_confirm(preview=preview, by=preview.created_by, sha256=preview.sha256)


def test_an_import_is_not_a_preview_to_confirm():
    job = import_job_run(job_id=_job(_rows()).pk)
    with pytest.raises(DomainError, match="has not passed its checks"):
        import_job_confirm(preview=job, by=job.created_by, sha256=job.sha256)


def test_only_the_uploader_confirms_a_preview():
    preview = import_job_run(job_id=_job(_rows(), dry_run=True).pk)
    with pytest.raises(DomainError, match="Only the person who uploaded the file can import it"):
        import_job_confirm(preview=preview, by=ServiceManagerFactory(), sha256=preview.sha256)
    assert not ImportJob.objects.filter(dry_run=False).exists()


def test_a_preview_whose_file_changed_since_its_check_is_refused(settings):
    preview = import_job_run(job_id=_job(_rows(), dry_run=True).pk)
    (settings.VAR_DIR / "uploads" / f"job-{preview.pk}.upload").write_bytes(b"reference\r\nOTHER\r\n")
    with pytest.raises(DomainError, match="no longer the file that was checked"):
        import_job_confirm(preview=preview, by=preview.created_by, sha256=preview.sha256)


def test_a_second_confirmation_names_the_import_the_first_started():
    preview = import_job_run(job_id=_job(_rows(), dry_run=True).pk)
    job = import_job_confirm(preview=preview, by=preview.created_by, sha256=preview.sha256)
    with pytest.raises(AlreadyConfirmed, match="An import of log.csv was already started from this check") as again:
        import_job_confirm(preview=preview, by=preview.created_by, sha256=preview.sha256)
    assert again.value.job == job


def test_a_check_older_than_a_day_cannot_be_confirmed_even_with_its_file():
    preview = _checked(hours_ago=25)
    assert job_upload_path(preview.pk).exists()
    with pytest.raises(DomainError, match="This check is more than 24 hours old"):
        import_job_confirm(preview=preview, by=preview.created_by, sha256=preview.sha256)
    assert import_job_state(preview).expired


def _aged(path, hours: float):
    """Make a file look written ``hours`` ago."""
    then = time.time() - hours * 3600
    os.utime(path, (then, then))
    return path


def _checked(hours_ago: float):
    preview = import_job_run(job_id=_job(_rows(1), dry_run=True).pk)
    ImportJob.objects.filter(pk=preview.pk).update(finished_at=timezone.now() - dt.timedelta(hours=hours_ago))
    _aged(job_upload_path(preview.pk), hours_ago)
    preview.refresh_from_db()
    return preview


def test_pruning_removes_a_check_not_confirmed_in_time_and_keeps_a_recent_one():
    old, recent = _checked(hours_ago=25), _checked(hours_ago=2)
    assert import_uploads_prune(keep_for=dt.timedelta(hours=24)) == 1
    assert (job_upload_path(old.pk).exists(), job_upload_path(recent.pk).exists()) == (False, True)


def test_pruning_keeps_the_file_of_a_job_waiting_to_run():
    waiting = _job(_rows(1))
    _aged(job_upload_path(waiting.pk), 2)
    assert import_uploads_prune(keep_for=dt.timedelta(0)) == 0
    assert job_upload_path(waiting.pk).exists()


def test_pruning_keeps_a_file_written_in_the_last_hour_even_without_its_job():
    job_upload_path(999999).write_bytes(b"reference\r\n")  # its job's transaction may not have committed yet
    assert import_uploads_prune(keep_for=dt.timedelta(0)) == 0
    assert job_upload_path(999999).exists()


def test_pruning_removes_a_file_whose_job_is_gone_ended_or_stalled():
    job_upload_path(999999).write_bytes(b"reference\r\n")
    _aged(job_upload_path(999999), 2)
    ended = import_job_run(job_id=_job(_rows(1)).pk)
    job_upload_path(ended.pk).write_bytes(b"reference\r\n")  # left behind, say by a crash
    _aged(job_upload_path(ended.pk), 2)
    stalled = _job(_rows(1))
    ImportJob.objects.filter(pk=stalled.pk).update(
        status="running",
        created_at=timezone.now() - dt.timedelta(hours=2),
        started_at=timezone.now() - dt.timedelta(hours=2),
    )
    _aged(job_upload_path(stalled.pk), 2)
    assert import_uploads_prune() == 3
    assert not any(job_upload_path(pk).exists() for pk in (999999, ended.pk, stalled.pk))


def test_pruning_removes_the_files_earlier_versions_named_by_their_hash(settings):
    legacy = settings.VAR_DIR / "uploads" / ("ab" * 32)
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_bytes(b"reference\r\n")
    _aged(legacy, 2)
    assert import_uploads_prune() == 1
    assert not legacy.exists()


def test_a_check_whose_file_was_pruned_is_shown_as_expired():
    preview = _checked(hours_ago=25)
    import_uploads_prune()
    assert import_job_state(preview).expired
    with pytest.raises(DomainError, match="more than 24 hours old"):
        import_job_confirm(preview=preview, by=preview.created_by, sha256=preview.sha256)


def test_a_recent_check_is_not_expired():
    assert not import_job_state(_checked(hours_ago=1)).expired


def test_the_progress_file_is_removed_when_the_job_ends():
    job = import_job_run(job_id=_job(_rows(1)).pk)
    assert not progress_path(job.pk).exists()


def test_the_uploaded_file_is_removed_when_the_job_ends(settings):
    job = import_job_run(job_id=_job(_rows(1)).pk)
    assert not (settings.VAR_DIR / "uploads" / f"job-{job.pk}.upload").exists()


def test_a_running_jobs_state_has_its_rows_done_out_of_its_rows():
    job = _job(_rows())
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    ProgressFile(job.pk)(STORING, 4000, 10000)
    job.refresh_from_db()
    progress = import_job_state(job).progress
    assert (progress.phase, progress.done, progress.total, progress.percent) == (STORING, 4000, 10000, 40)


def test_progress_is_written_at_most_twice_a_second_within_a_phase():
    job = _job(_rows())
    report = ProgressFile(job.pk)
    report(CHECKING, 5000, 100000)
    report(CHECKING, 10000, 100000)
    assert progress_read(job.pk).done == 5000


def test_the_last_row_of_a_phase_is_always_written():
    job = _job(_rows())
    report = ProgressFile(job.pk)
    report(CHECKING, 5000, 10000)
    report(CHECKING, 10000, 10000)
    assert progress_read(job.pk).done == 10000


def _running(job, *, worker_id="worker-1", silent_for=61):
    ImportJob.objects.filter(pk=job.pk).update(status="running", worker_id=worker_id)
    progress_write(progress_path(job.pk), Progress(STORING, 10, 100, time.time() - silent_for))
    job.refresh_from_db()
    return job


def test_a_running_job_whose_worker_stopped_beating_is_shown_as_stopped():
    job = _running(_job(_rows()))
    WorkerHeartbeat.objects.create(
        worker_id="worker-1", started_at=timezone.now(), beat_at=timezone.now() - heartbeat_stale()
    )
    assert (import_job_state(job).stalled, import_job_state(job).finished) == (True, True)


def test_a_silent_job_whose_worker_is_alive_is_still_running():
    job = _running(_job(_rows()))
    worker_heartbeat_beat(worker_id="worker-1")
    assert import_job_state(job).stalled is False


def test_a_running_job_that_reported_lately_is_not_stalled():
    job = _running(_job(_rows()), silent_for=0)
    assert import_job_state(job).stalled is False


def test_a_waiting_job_says_when_no_worker_is_running():
    job = _job(_rows())
    assert (import_job_state(job).stalled, import_job_state(job).no_worker) == (False, True)


def test_a_stopped_job_runs_again_with_its_file():
    job = _running(_job(_rows(2)))
    job = import_job_retry(job=job)
    job.refresh_from_db()
    assert (job.status, Escalation.objects.count()) == ("done", 2)


def test_a_job_that_has_not_stopped_is_not_run_again():
    job = _running(_job(_rows()), silent_for=0)
    with pytest.raises(DomainError, match="has not stopped"):
        import_job_retry(job=job)


def test_an_uploaded_files_name_gives_back_its_job_and_no_other_name_does(settings):
    assert job_upload_id(job_upload_path(42)) == 42
    assert [job_upload_id(settings.VAR_DIR / name) for name in ("job-42.progress.json", "job-x.upload", "ab" * 32)] == [
        None,
        None,
        None,
    ]
