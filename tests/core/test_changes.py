"""The data version (core.changes): a new one for every committed write to a watched table, and
none at all where a kept result could be wrong."""

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessLogEntry
from core.changes import (
    UNWATCHED,
    data_changes_compact,
    data_changes_install,
    data_version,
    data_version_bump,
    data_version_remembered,
    watched_tables,
)
from core.models import DataChange
from tests.factories import ChildFactory, IroFactory

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the change triggers are PostgreSQL's")


def test_every_unwatched_table_is_a_table():
    """A name in UNWATCHED that no model has (a typo, a renamed model) would leave nothing out."""
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    assert set(UNWATCHED) - tables == set()


def test_the_records_are_watched():
    watched = watched_tables()
    for table in ["escalations_escalation", "escalations_step", "escalations_escalation_children", "children_child"]:
        assert table in watched
    assert "audit_accesslogentry" not in watched
    assert "django_session" not in watched


@on_postgres
@pytest.mark.django_db
def test_every_watched_table_has_the_change_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgfoid = 'core_data_changed'::regproc"
        )
        triggered = {row[0] for row in cursor.fetchall()}
    assert set(watched_tables()) - triggered == set()


@on_postgres
@pytest.mark.django_db
def test_installing_again_changes_nothing():
    before = data_version()
    data_changes_install()
    assert data_changes_install() == [t for t in watched_tables() if t in connection.introspection.table_names()]
    assert data_version() == before


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only: the data version is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_sqlite_has_no_data_version():
    assert data_version() is None


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_committed_write_makes_a_new_version():
    before = data_version()
    IroFactory()
    after = data_version()
    assert before is not None and after is not None
    assert after != before


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_the_version_stays_while_nothing_is_written():
    assert data_version() == data_version()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_the_version():
    before = data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        IroFactory()
        raise RuntimeError("rolled back")
    assert data_version() == before


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_writing_the_access_log_leaves_the_version():
    child = ChildFactory()
    before = data_version()
    AccessLogEntry.objects.create(user=child.iro, child=child, path="/children/", viewed_at=timezone.now())
    assert data_version() == before


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_raw_sql_write_makes_a_new_version():
    """Not only the ORM: the importers' COPY and any SQL are seen, as the trigger is the database's."""
    iro = IroFactory()
    before = data_version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_user SET first_name = 'Renamed' WHERE id = %s", [iro.pk])
    assert data_version() != before


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_there_is_none_inside_a_transaction_that_has_written():
    """Its count would hold a change that may yet be rolled back."""
    with transaction.atomic():
        assert data_version() is not None  # nothing written yet
        IroFactory()
        assert data_version() is None


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_compacting_leaves_the_version_and_empties_the_changes():
    IroFactory()
    IroFactory()
    before = data_version()
    assert data_changes_compact() >= 2
    assert DataChange.objects.count() == 0
    assert data_version() == before
    IroFactory()
    assert data_version() != before


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_emptying_the_tables_starts_a_new_epoch():
    epoch = data_version().split(":")[0]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_dataversion, core_datachange")
    assert data_version() is None
    data_changes_install()
    assert data_version().split(":")[0] != epoch


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_bump_makes_a_new_version():
    before = data_version()
    data_version_bump()
    assert data_version() != before


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_within_a_request_the_version_is_read_once():
    """A page's counts and parts share one reading: a write after it does not change it."""
    with data_version_remembered():
        with CaptureQueriesContext(connection) as queries:
            first = data_version()
            again = data_version()
        IroFactory()
        after_a_write = data_version()
    assert len(queries) == 1
    assert first == again == after_a_write
    assert data_version() != first  # outside, it is read again


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_within_a_request_a_transaction_reads_it_again():
    """Inside a transaction the remembered reading could hide the transaction's own write."""
    with data_version_remembered():
        assert data_version() is not None
        with transaction.atomic():
            IroFactory()
            assert data_version() is None
