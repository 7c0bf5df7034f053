"""Import jobs for the upload page: a check (a dry run) or an import of an uploaded escalation log,
recorded as an ``ImportJob``, run in the background, with its progress on its page; and the pruning
of uploaded files no job needs any more. The import itself is ``imports.services``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from imports.models import CHECK_KEPT_FOR, ImportJob, ImportJobStatus
from imports.parsing import mapping_load
from imports.progress import ProgressFile, job_upload_id, job_upload_path, progress_remove, upload_dir
from imports.selectors import import_job_state
from imports.services import Progress, escalation_log_import
from people.models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def import_job_create(
    *,
    by: User,
    data: bytes,
    filename: str,
    sheet: str = "",
    encoding: str = "",
    create_missing: bool = False,
    mapping: str = "",
    dry_run: bool = False,
    preview: ImportJob | None = None,
) -> ImportJob:
    """Record an upload as a job waiting to run (``dry_run``: a preview, which stores nothing),
    and keep its file for the run."""
    job = ImportJob.objects.create(
        created_by=by,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        sheet=sheet,
        encoding=encoding,
        create_missing=create_missing,
        mapping=mapping,
        dry_run=dry_run,
        preview=preview,
    )
    job_upload_path(job.pk).write_bytes(data)
    return job


class AlreadyConfirmed(DomainError):
    """The check was confirmed before: ``job`` is the import it started."""

    def __init__(self, job: ImportJob):
        self.job = job
        super().__init__(
            f"An import of {job.filename} was already started from this check: see 'Recent checks and imports' "
            f"on the import page."
        )


@transaction.atomic
def import_job_confirm(*, preview: ImportJob, by: User, sha256: str) -> ImportJob:
    """Import the file a finished preview checked: the very same file, checked by its SHA-256
    hash, with the same options. Only the person who uploaded it may confirm it, once, and within
    ``CHECK_KEPT_FOR`` (the records may have changed since). Returns the import job, waiting
    to run (start it with :func:`import_job_start`); :class:`AlreadyConfirmed` names the import
    a second confirmation would repeat."""
    preview = ImportJob.objects.select_for_update().get(pk=preview.pk)
    if not preview.dry_run or preview.status != ImportJobStatus.DONE:
        raise DomainError("This file has not passed its checks, so it cannot be imported. Upload it again.")
    if preview.created_by_id != by.pk:
        raise DomainError("Only the person who uploaded the file can import it. Upload it yourself to import it.")
    started = ImportJob.objects.filter(preview=preview).first()
    if started is not None:
        raise AlreadyConfirmed(started)
    if preview.confirm_by < timezone.now():
        hours = int(CHECK_KEPT_FOR.total_seconds() // 3600)
        raise DomainError(
            f"This check is more than {hours} hours old, and the records may have changed since. "
            "Upload the file again to check it again."
        )
    path = job_upload_path(preview.pk)
    data = path.read_bytes() if path.exists() else b""
    if sha256 != preview.sha256 or hashlib.sha256(data).hexdigest() != preview.sha256:
        raise DomainError("The file to import is no longer the file that was checked. Upload it again.")
    job = import_job_create(
        by=by,
        data=data,
        filename=preview.filename,
        sheet=preview.sheet,
        encoding=preview.encoding,
        create_missing=preview.create_missing,
        mapping=preview.mapping,
        preview=preview,
    )
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    return job


def import_job_start(*, job: ImportJob) -> None:
    """Queue the job for the background worker (``imports.tasks.run_import_job``); its page follows it."""
    from imports.tasks import run_import_job  # noqa: PLC0415 (imports.tasks imports this module)

    run_import_job.enqueue(job.pk)


@transaction.atomic
def import_job_retry(*, job: ImportJob) -> ImportJob:
    """Run again a job whose worker stopped before it finished (nothing of it was stored: the import
    is one transaction), with the same file and options, if the file is still here."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.finished or not import_job_state(job).stalled:
        raise DomainError("This job has not stopped, so there is nothing to try again. Its page shows how it is going.")
    if not job_upload_path(job.pk).exists():
        raise DomainError("The uploaded file has been removed since the job stopped. Upload the file again.")
    job.status, job.started_at, job.worker_id, job.rows_total = ImportJobStatus.QUEUED, None, "", None
    job.save(update_fields=["status", "started_at", "worker_id", "rows_total"])
    progress_remove(job.pk)
    import_job_start(job=job)
    return job


def import_job_run(*, job_id: int, worker_id: str = "") -> ImportJob:
    """Run a waiting job: the import (all or nothing, in its own transaction) or the preview,
    then its outcome. A preview that passed keeps its file for :func:`import_job_confirm`.

    Not itself atomic: the job's own row must show it running, and how it ended, whatever
    happens to the import's transaction.
    """
    # Claimed by one conditional UPDATE: of two runs started for the same job, one runs it.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING, started_at=timezone.now(), worker_id=worker_id[:64]
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    progress = ProgressFile(job.pk)
    progress(READING, 0, 0)
    path = job_upload_path(job.pk)
    try:
        data = path.read_bytes() if path.exists() else b""
        if hashlib.sha256(data).hexdigest() != job.sha256:
            raise DomainError("The uploaded file is no longer the file you checked. Upload it again.")
        result = escalation_log_import(
            data=data,
            filename=job.filename,
            by=job.created_by,
            create_missing=job.create_missing,
            sheet=job.sheet or None,
            encoding=job.encoding or None,
            progress=_counting(job, progress),
            dry_run=job.dry_run,
            mapping=mapping_load(job.mapping),
        )
    except DomainError as error:
        job.status, job.problems = ImportJobStatus.FAILED, getattr(error, "problems", None) or [error.message]
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        job.status, job.problems = (
            ImportJobStatus.FAILED,
            [
                "The import stopped because of an error in the service: nothing was stored. Try again later, or "
                "import the file with the import_escalations command."
            ],
        )
    else:
        job.status, job.result = ImportJobStatus.DONE, dataclasses.asdict(result)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "problems", "result", "rows_total", "finished_at"])
    if not (job.dry_run and job.status == ImportJobStatus.DONE):
        path.unlink(missing_ok=True)
    progress_remove(job.pk)
    return job


READING = "Reading the file"

RECENT_FILE = dt.timedelta(hours=1)  # a file this new may belong to a job whose row is not yet committed


def import_uploads_prune(*, keep_for: dt.timedelta = CHECK_KEPT_FOR, now: dt.datetime | None = None) -> int:
    """Remove the uploaded files no job needs any more: a check (preview) that passed but was not
    confirmed within ``keep_for``; the file of a job that has ended, or stopped reporting
    (stalled), or is gone; and files left by earlier versions (named by their SHA-256). A file
    written in the last hour is kept (its job may not be committed yet), and so is the file of a
    job waiting or running. Uploaded logs name children: none is kept longer than it is needed.
    The number of files removed."""
    now = now or timezone.now()
    cutoff, recent = now - keep_for, (now - RECENT_FILE).timestamp()
    files, legacy = {}, []
    for path in upload_dir().iterdir():
        job_id = job_upload_id(path)
        if job_id is not None:
            files[job_id] = path
        elif len(path.name) == 64 and all(c in "0123456789abcdef" for c in path.name):
            legacy.append(path)
    jobs = {job.pk: job for job in ImportJob.objects.filter(pk__in=files)}
    removed = 0
    for path in legacy:
        if _written_before(path, recent):
            path.unlink(missing_ok=True)
            removed += 1
    for pk, path in files.items():
        job = jobs.get(pk)
        if not _written_before(path, recent):
            continue
        if job is not None and not job.finished and not import_job_state(job).stalled:
            continue  # waiting or running
        if job is not None and job.confirm_by is not None and job.finished_at > cutoff:
            continue  # a check that may still be confirmed
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def _written_before(path, timestamp: float) -> bool:
    try:
        return path.stat().st_mtime <= timestamp
    except FileNotFoundError:
        return False


def _counting(job: ImportJob, progress: Progress) -> Progress:
    """The progress callback, which also notes the file's row count on the job."""

    def report(phase: str, done: int, total: int) -> None:
        if total and job.rows_total is None:
            job.rows_total = total
        progress(phase, done, total)

    return report
