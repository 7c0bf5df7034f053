"""Plain-row bulk writes (imports.bulk): what the import writes with COPY or executemany."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction

from escalations.models import Escalation, Step
from imports.bulk import BulkWriter, Shape, shape_history
from imports.services import ESCALATION_COLUMNS, STEP_COLUMNS
from tests.factories import raise_escalation

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="sequences are PostgreSQL's")


def test_a_shape_fills_the_columns_not_given_with_their_defaults():
    shape = Shape(Step, STEP_COLUMNS)
    fixed = dict(zip(shape.names[shape.width :], shape.tail))
    assert (fixed["response"], fixed["action_due_on"], "id" in fixed) == ("", None, False)


def test_a_shape_refuses_a_column_that_has_no_default():
    with pytest.raises(ImproperlyConfigured, match="Escalation.iro_id has no default"):
        Shape(Escalation, ["id", "reference"])


def test_a_shape_refuses_a_column_the_model_does_not_have():
    with pytest.raises(ImproperlyConfigured, match="no column colour"):
        Shape(Step, ["id", "colour"])


def test_an_audit_shape_has_the_models_columns_then_the_audits():
    shape = shape_history(Shape(Step, STEP_COLUMNS), with_history_id=True)
    assert shape.names[: len(STEP_COLUMNS) + 5] == [
        *STEP_COLUMNS,
        "history_id",
        "history_date",
        "history_change_reason",
        "history_type",
        "history_user_id",
    ]


def test_new_ids_come_after_those_already_used():
    entered = raise_escalation()
    with transaction.atomic():
        ids = BulkWriter().take(Escalation, 3)
    assert len(ids) == 3 and min(ids) > entered.pk and list(ids) == sorted(set(ids))


def test_a_second_take_for_a_table_follows_the_first():
    with transaction.atomic():
        writer = BulkWriter()
        first, second = writer.take(Step, 2), writer.take(Step, 2)
    assert min(second) > max(first)


@on_postgres
def test_ids_that_are_not_one_run_are_all_returned():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('escalations_step', 'id')")
        cursor.execute(f"ALTER SEQUENCE {cursor.fetchone()[0]} INCREMENT BY 2")
        ids = BulkWriter().take(Step, 3)
        assert (len(ids), ids[1] - ids[0], ids[2] - ids[1]) == (3, 2, 2)
        transaction.set_rollback(True)


@on_postgres
def test_a_broken_foreign_key_found_by_the_later_check_is_raised_as_an_integrity_error():

    entered = raise_escalation()
    row = list(Escalation.objects.values_list(*ESCALATION_COLUMNS).get())
    for column, value in (("id", 10**9), ("reference", "BROKEN-1"), ("iro_id", 10**9)):  # no such user
        row[ESCALATION_COLUMNS.index(column)] = value
    with pytest.raises(IntegrityError), transaction.atomic():
        writer = BulkWriter()
        writer.insert(Shape(Escalation, ESCALATION_COLUMNS), [tuple(row)])
        writer.check_constraints_later()
        writer.settle()
    assert list(Escalation.objects.values_list("pk", flat=True)) == [entered.pk]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: its page cache")
def test_the_writer_gives_back_sqlites_page_cache_when_it_closes():
    def cache_size():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    with transaction.atomic():
        writer = BulkWriter()
        during = cache_size()
        writer.close()
    assert (during, cache_size()) == (-256 * 1024, before)
