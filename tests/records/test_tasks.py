"""The retention job and the exports' expiry on the worker's scheduler."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils.module_loading import import_string

from background.schedule import schedule
from escalations.models import Escalation
from records.models import RetentionRun, SubjectAccessExport
from records.services import export_start
from records.tasks import apply_retention_schedule, expire_subject_access_exports
from tests.records.helpers import family

pytestmark = pytest.mark.django_db


def test_the_retention_job_runs_nightly_and_the_expiry_hourly():
    jobs = {job.name: job for job in schedule()}
    assert jobs["records.retention"].at == dt.time(4, 0)
    assert import_string(jobs["records.retention"].task) is apply_retention_schedule
    assert jobs["records.expire_exports"].every == dt.timedelta(hours=1)
    assert import_string(jobs["records.expire_exports"].task) is expire_subject_access_exports


def test_the_retention_task_applies_the_schedule_as_the_scheduler(settings):
    settings.RECORDS_CASE_RECORD_UNTIL_AGE = 0
    world = family()
    Escalation.objects.filter(pk=world.alone.pk).update(closed_at=world.alone.closed_at - dt.timedelta(days=7 * 366))
    counts = apply_retention_schedule.call()
    run = RetentionRun.objects.get()
    assert counts == run.counts == {"escalations": 1}
    assert run.started_by is None
    assert not Escalation.objects.filter(pk=world.alone.pk).exists()


def test_the_expiry_task_removes_files_past_their_time():
    world = family()
    export = export_start(by=world.sm, case_id="700001")
    SubjectAccessExport.objects.filter(pk=export.pk).update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert expire_subject_access_exports.call() == 1
    assert SubjectAccessExport.objects.get(pk=export.pk).content is None
