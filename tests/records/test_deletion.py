"""Deleting across the apps, and the audit trail's one exception: only a retention run's own
transaction, while the run is open, may change or delete audit rows (PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.services import RETENTION_SETTING
from children.models import Child
from escalations.models import Escalation, Note, Step
from escalations.services import escalation_note_add, escalation_withdraw
from records.models import RetentionRun, RunKind, Tombstone
from records.services import retention_run
from reports.models import CaseStory
from tests.factories import raise_escalation, reseed_vocabularies

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the audit triggers are PostgreSQL's")

LATER = timezone.localdate() + dt.timedelta(days=7 * 366)

# Every table that refers to a child, an escalation, a step or a case story, and where
# records.deletion deals with it. A new one fails the test below until it is covered there.
COVERED = {
    "audit.accesslogentry",
    "notices.notice",
    "escalations.escalation",
    "escalations.historicalescalation",
    "escalations.historicalescalation_children",
    "escalations.historicalescalation_themes",
    "escalations.historicalescalation_subthemes",
    "escalations.historicalescalation_drift_reasons",
    "escalations.step",
    "escalations.historicalstep",
    "escalations.note",
    "reports.casestory",
    "reports.historicalcasestory",
    "reports.storyoverride",
    "reports.historicalstoryoverride",
    "ssda903.headerrecord",
    "ssda903.historicalheaderrecord",
    "ssda903.episode",
    "ssda903.historicalepisode",
    "ssda903.review",
    "ssda903.historicalreview",
    "ssda903.missingepisode",
    "ssda903.historicalmissingepisode",
    "ssda903.uascrecord",
    "ssda903.historicaluascrecord",
    "extract.visit",
    "extract.historicalvisit",
    "extract.careplan",
    "extract.historicalcareplan",
    "extract.allocation",
    "extract.historicalallocation",
    "drift.driftflag",
    "records.legalhold",
    "records.historicallegalhold",
    "records.erasurerequest",
    "records.historicalerasurerequest",
    "records.subjectaccessexport",
}


def test_every_table_about_a_child_or_an_escalation_is_covered_by_the_deletion():
    targets = (Child, Escalation, Step, CaseStory, Note)
    found = {
        model._meta.label_lower
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model in targets
    }
    assert found == COVERED


def _closed_escalation():
    escalation = raise_escalation()
    return escalation_withdraw(escalation=escalation, by=escalation.iro, reason="Raised in error.")


def _delete_history(escalation_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM escalations_historicalescalation WHERE id = %s", [escalation_id])


def _release(value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [RETENTION_SETTING, value])


def _txid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        return cursor.fetchone()[0]


def _run(**fields) -> RetentionRun:
    today, now = timezone.localdate(), timezone.now()
    return RetentionRun.objects.create(kind=RunKind.SCHEDULE, as_of=today, started_at=now, **fields)


@on_postgres
def test_a_raw_delete_on_an_audit_table_is_still_refused():
    escalation = _closed_escalation()
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        _delete_history(escalation.pk)
    assert Escalation.history.filter(id=escalation.pk).exists()


@on_postgres
def test_a_raw_delete_is_refused_after_a_run_has_finished_in_the_same_transaction(settings):
    settings.RECORDS_CASE_RECORD_UNTIL_AGE = 0
    kept = raise_escalation()  # open: not due
    run = retention_run(as_of=LATER)
    assert run.finished_at is not None
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        _delete_history(kept.pk)  # the setting still names the run, which has finished
    assert Escalation.history.filter(id=kept.pk).exists()


@on_postgres
@pytest.mark.parametrize(
    "setting",
    ["", "nonsense", "1; DELETE FROM escalations_historicalescalation", "999999999", "-1", "1" * 30],
)
def test_a_setting_that_names_no_open_run_of_this_transaction_is_refused(setting):
    escalation = _closed_escalation()
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        _release(setting)
        _delete_history(escalation.pk)
    assert Escalation.history.filter(id=escalation.pk).exists()


@on_postgres
def test_an_open_run_of_another_transaction_lets_nothing_through():
    escalation = _closed_escalation()
    other = _run(transaction_id=_txid() - 1)
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        _release(str(other.pk))
        _delete_history(escalation.pk)
    assert Escalation.history.filter(id=escalation.pk).exists()


@on_postgres
def test_a_finished_run_of_this_transaction_lets_nothing_through():
    escalation = _closed_escalation()
    finished = _run(transaction_id=_txid(), finished_at=timezone.now())
    with pytest.raises(DatabaseError, match="append-only: UPDATE"), transaction.atomic():
        _release(str(finished.pk))
        Escalation.history.filter(id=escalation.pk).update(concern="rewritten")
    assert not Escalation.history.filter(concern="rewritten").exists()


@on_postgres
def test_runs_and_tombstones_are_append_only_too():
    run = _run(transaction_id=_txid())
    with pytest.raises(DatabaseError, match="append-only: UPDATE"), transaction.atomic():
        RetentionRun.objects.filter(pk=run.pk).update(counts={"escalations": 0})
    stone = Tombstone.objects.create(
        run=run,
        record_class="escalations",
        model="escalations.escalation",
        object_id=1,
        action="deleted",
        rule="Escalations: 6 years after it was closed, then delete",
        at=timezone.now(),
    )
    with pytest.raises(DatabaseError, match="append-only: UPDATE"), transaction.atomic():
        Tombstone.objects.filter(pk=stone.pk).update(rule="rewritten")
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        Tombstone.objects.filter(pk=stone.pk)._raw_delete(connection.alias)


@on_postgres
def test_notes_stay_append_only_outside_a_run():
    escalation = raise_escalation()
    note = escalation_note_add(escalation=escalation, by=escalation.iro, text="A note.")
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        Note.objects.filter(pk=note.pk)._raw_delete(connection.alias)
    assert Note.objects.filter(pk=note.pk).exists()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_the_release_ends_with_the_runs_transaction(settings):
    """On a real commit (not the test's enclosing transaction): the next transaction on the same
    connection has no release left, and its raw DELETE is refused."""
    reseed_vocabularies()
    settings.RECORDS_CASE_RECORD_UNTIL_AGE = 0
    due, kept = _closed_escalation(), raise_escalation()
    retention_run(as_of=LATER)
    assert not Escalation.objects.filter(pk=due.pk).exists()
    assert not Escalation.history.filter(id=due.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [RETENTION_SETTING])
        assert cursor.fetchone()[0] in (None, "")
    with pytest.raises(DatabaseError, match="append-only: DELETE"), transaction.atomic():
        _delete_history(kept.pk)
    assert Escalation.history.filter(id=kept.pk).exists()
