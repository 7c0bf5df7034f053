"""Reads for the import: the lookup caches, each built with one query, and the escalations a log
names. Nothing here runs a query per row."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from background.selectors import worker_alive, workers_alive
from children.models import Child
from core.errors import DomainError
from escalations.models import Escalation
from imports.models import ImportJob, ImportJobStatus
from imports.progress import Progress, job_upload_path, progress_read
from ladder.models import Stage
from people.models import User
from themes.models import DriftReason, Outcome, SubTheme, Theme

CHUNK = 5000


@dataclass
class Lookups:
    """Everything a row is matched against, keyed by lower-cased code, label, name or ID."""

    children: dict[str, int] = field(default_factory=dict)  # case ID -> pk
    users_by_username: dict[str, User] = field(default_factory=dict)
    users_by_name: dict[str, list[User]] = field(default_factory=lambda: defaultdict(list))
    stages: dict[str, Stage] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    subthemes: dict[tuple[int, str], SubTheme] = field(default_factory=dict)
    drift_reasons: dict[str, DriftReason] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)


def _by_code_and_label(entries) -> dict:
    table = {}
    for entry in entries:
        table.setdefault(entry.label.strip().lower(), entry)
    for entry in entries:  # a code wins over another entry's label
        table[entry.code.lower()] = entry
    return table


def import_lookups() -> Lookups:
    """The lookup caches for one import: one query per table. Retired entries are included
    (old logs use them)."""
    lookups = Lookups()
    lookups.children = {case_id.strip().lower(): pk for pk, case_id in Child.objects.values_list("pk", "case_id")}
    for user in User.objects.only("pk", "username", "first_name", "last_name", "role", "is_active"):
        lookups.users_by_username[user.username.lower()] = user
        name = " ".join(user.get_full_name().split()).lower()
        if name:
            lookups.users_by_name[name].append(user)
    lookups.stages = _by_code_and_label(list(Stage.objects.all()))
    lookups.themes = _by_code_and_label(list(Theme.objects.all()))
    subs = list(SubTheme.objects.all())
    for sub in subs:
        lookups.subthemes.setdefault((sub.theme_id, sub.label.strip().lower()), sub)
    for sub in subs:
        lookups.subthemes[(sub.theme_id, sub.code.lower())] = sub
    lookups.drift_reasons = _by_code_and_label(list(DriftReason.objects.all()))
    lookups.outcomes = _by_code_and_label(list(Outcome.objects.all()))
    return lookups


@dataclass(frozen=True)
class Existing:
    pk: int
    reference: str
    source: str
    version: int
    imported_version: int | None
    import_row_hash: str


def escalations_by_reference(references: list[str]) -> dict[str, Existing]:
    """The escalations already stored under these references (lower-cased): one query on
    PostgreSQL (the references as one array), a query per chunk elsewhere."""
    found = {}
    keys = sorted({reference.lower() for reference in references})
    if not keys:
        return found
    columns = ("pk", "reference", "source", "version", "imported_version", "import_row_hash")
    if connection.vendor == "postgresql":
        meta = Escalation._meta
        quoted = connection.ops.quote_name
        names = ", ".join(quoted(meta.get_field(name).column) for name in ("id", *columns[1:]))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {names} FROM {quoted(meta.db_table)} WHERE lower({quoted('reference')}) = ANY(%s)", [keys]
            )
            rows = cursor.fetchall()
    else:
        rows = []
        for start in range(0, len(keys), CHUNK):
            rows.extend(
                Escalation.objects.annotate(reference_lower=Lower("reference"))
                .filter(reference_lower__in=keys[start : start + CHUNK])
                .values_list(*columns)
            )
    for row in rows:
        found[row[1].lower()] = Existing(*row)
    return found


def importer_find(username: str) -> User:
    """The user named by ``--user``."""
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise DomainError(f"There is no user with the username {username!r} (given with --user).", field="user")
    return user


# --- import jobs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobState:
    """What the status page shows of a job: its row, and while it runs, how far it has got."""

    job: ImportJob
    progress: Progress | None
    stalled: bool  # started (or waiting) but its worker has stopped: it will not finish
    imported_as: ImportJob | None = None  # a preview's import, once confirmed
    expired: bool = False  # a preview not confirmed in time: its file has been removed
    no_worker: bool = False  # waiting, and no background worker is running to take it

    @property
    def finished(self) -> bool:
        return self.job.finished or self.stalled

    @property
    def retry_possible(self) -> bool:
        return self.stalled and job_upload_path(self.job.pk).exists()


def import_job_find(pk: int) -> ImportJob:
    """The job, or 404. Service managers and admins (the only ones with the upload page) see every job."""
    return get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)


def import_job_state(job: ImportJob) -> JobState:
    """A job's state. One that has started is stopped (``stalled``) when it has reported no progress
    for ``BACKGROUND_STALE_SECONDS`` and its worker's heartbeat is stale too; one still waiting after
    that long while workers are alive is stopped too (the worker that took it died first)."""
    if job.finished:
        imported_as = ImportJob.objects.filter(preview=job).first() if job.dry_run else None
        expired = (
            bool(job.confirm_by)
            and imported_as is None
            and (job.confirm_by < timezone.now() or not job_upload_path(job.pk).exists())
        )
        return JobState(job=job, progress=None, stalled=False, imported_as=imported_as, expired=expired)
    progress = progress_read(job.pk)
    last = progress.at if progress else (job.started_at or job.created_at).timestamp()
    silent = time.time() - last > settings.BACKGROUND_STALE_SECONDS
    alive = workers_alive()
    if job.status == ImportJobStatus.RUNNING:
        stalled = silent and not (job.worker_id and worker_alive(job.worker_id))
    else:
        stalled = silent and alive > 0
    return JobState(job=job, progress=progress, stalled=stalled, no_worker=not stalled and alive == 0)


def import_jobs_recent(limit: int = 10) -> list[ImportJob]:
    return list(ImportJob.objects.select_related("created_by")[:limit])
