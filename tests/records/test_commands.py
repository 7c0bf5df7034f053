"""python manage.py apply_retention [--dry-run]."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from escalations.models import Escalation
from records.models import RetentionRun, Tombstone
from tests.records.helpers import family

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(settings):
    settings.RECORDS_CASE_RECORD_UNTIL_AGE = 0
    world = family()
    Escalation.objects.filter(pk=world.alone.pk).update(closed_at=world.alone.closed_at - dt.timedelta(days=7 * 366))
    return world


def _run(*args) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_the_dry_run_prints_each_class_and_changes_nothing(due):
    out = _run("--dry-run")
    assert "Escalations: 1 would be deleted (Escalations: 6 years after it was closed, then delete)" in out
    assert "Access log entries: 0 would be deleted" in out
    assert out.rstrip().endswith("Dry run: nothing was changed.")
    assert Escalation.objects.filter(pk=due.alone.pk).exists()
    assert not RetentionRun.objects.exists()


def test_the_run_does_what_the_dry_run_printed(due):
    dry = _run("--dry-run")
    out = _run()
    assert out.splitlines()[0] == dry.splitlines()[0].replace(" would be ", " ")
    assert out.rstrip().endswith("1 record, one tombstone each.")
    assert Tombstone.objects.get().object_id == due.alone.pk
