"""The prune_import_uploads command: removes uploaded logs no job needs, and says how many."""

import datetime as dt
import os
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from imports.jobs import import_job_create, import_job_run
from imports.models import ImportJob
from imports.progress import job_upload_path
from tests.factories import ChildFactory, IroFactory, ServiceManagerFactory
from tests.imports.helpers import log_csv, row

pytestmark = pytest.mark.django_db


def _checked(hours_ago: float) -> ImportJob:
    iro = IroFactory()
    preview = import_job_create(
        by=ServiceManagerFactory(),
        data=log_csv([row("LOG-1", iro, [ChildFactory(iro=iro)])]),
        filename="log.csv",
        dry_run=True,
    )
    import_job_run(job_id=preview.pk)
    ImportJob.objects.filter(pk=preview.pk).update(finished_at=timezone.now() - dt.timedelta(hours=hours_ago))
    then = time.time() - hours_ago * 3600
    os.utime(job_upload_path(preview.pk), (then, then))
    return preview


def test_it_removes_checks_older_than_the_hours_given_and_says_how_many():
    old, recent = _checked(hours_ago=5), _checked(hours_ago=1.5)
    out = StringIO()
    call_command("prune_import_uploads", "--hours", "2", stdout=out)
    assert out.getvalue().strip() == "Removed 1 uploaded file."
    assert (job_upload_path(old.pk).exists(), job_upload_path(recent.pk).exists()) == (False, True)


def test_it_keeps_a_check_for_24_hours_by_default():
    kept = _checked(hours_ago=23)
    out = StringIO()
    call_command("prune_import_uploads", stdout=out)
    assert out.getvalue().strip() == "Removed 0 uploaded files."
    assert job_upload_path(kept.pk).exists()


def test_negative_hours_are_refused_by_value():
    with pytest.raises(CommandError, match="--hours must be 0 or more, not -1"):
        call_command("prune_import_uploads", "--hours", "-1")
