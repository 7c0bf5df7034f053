"""The audit trail is append-only: nothing in the app edits it, and PostgreSQL refuses to."""

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction

from audit.models import AccessLogEntry
from audit.services import access_log_children_shown, audit_protect_tables, audit_tables
from escalations.models import Escalation
from tests.factories import ChildFactory, IroFactory, raise_escalation

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the audit triggers are PostgreSQL's")


def test_every_audited_model_has_an_audit_table():
    tables = audit_tables()
    for expected in [
        "children_historicalchild",
        "escalations_historicalescalation",
        "escalations_historicalstep",
        "people_historicaluser",
        "themes_historicaltheme",
        "ladder_historicalstage",
        "ladder_historicalladdersettings",
    ]:
        assert expected in tables


def test_no_audit_table_is_editable_in_the_admin(rf):
    """An append-only table may be shown in the admin (the API's key uses are), but never added to,
    changed or deleted from there."""
    request = rf.get("/admin/")
    request.user = type("Superuser", (), {"is_active": True, "is_staff": True, "is_superuser": True})()
    request.user.has_perm = lambda *args, **kwargs: True
    editable = [
        model._meta.db_table
        for model, model_admin in admin.site._registry.items()
        if model._meta.db_table in audit_tables()
        and (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
    ]
    assert editable == []


def test_the_admin_cannot_revert_to_an_old_version(settings):
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True


@on_postgres
def test_every_audit_table_has_the_append_only_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || '_append_only' AND NOT t.tgisinternal"
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert protected == set(audit_tables())


@on_postgres
def test_postgres_refuses_an_update_of_an_audit_entry():
    esc = raise_escalation()
    entry = esc.history.first()
    with pytest.raises(DatabaseError, match="append-only: UPDATE"):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE escalations_historicalescalation SET concern = 'rewritten' WHERE history_id = %s",
                    [entry.history_id],
                )
    entry.refresh_from_db()
    assert entry.concern != "rewritten"


@on_postgres
def test_postgres_refuses_a_delete_of_an_audit_entry():
    esc = raise_escalation()
    count = esc.history.count()
    with pytest.raises(DatabaseError, match="append-only: DELETE"):
        with transaction.atomic():
            esc.history.all().delete()
    assert esc.history.count() == count


@on_postgres
def test_postgres_refuses_an_update_through_the_orm_too():
    esc = raise_escalation()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic():
            Escalation.history.filter(id=esc.pk).update(concern="rewritten")


@on_postgres
def test_installing_the_triggers_again_is_harmless():
    assert sorted(audit_protect_tables()) == audit_tables()
    assert sorted(audit_protect_tables()) == audit_tables()


def test_new_audit_rows_can_still_be_written():
    esc = raise_escalation()
    before = esc.history.count()
    esc.concern = "Updated wording"
    esc.save()
    assert esc.history.count() == before + 1


@pytest.mark.django_db
def test_the_children_a_page_showed_are_logged_one_entry_each():
    iro = IroFactory()
    children = ChildFactory.create_batch(3, iro=iro)
    pks = {child.pk for child in children}
    assert access_log_children_shown(user=iro, path="/children/" + "x" * 400, children=pks) == 3
    entries = AccessLogEntry.objects.filter(user=iro)
    assert sorted(entries.values_list("child_id", flat=True)) == sorted(pks)
    assert {(e.path, e.escalation_id) for e in entries} == {("/children/" + "x" * 290, None)}
    assert len({e.viewed_at for e in entries}) == 1


@pytest.mark.django_db(transaction=True)
def test_a_child_that_does_not_exist_logs_nothing():
    """All or none: an entry the database refuses (when it commits) takes the others with it."""
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    with pytest.raises(DatabaseError):
        access_log_children_shown(user=iro, path="/children/", children={child.pk, 987654321})
    assert AccessLogEntry.objects.count() == 0
