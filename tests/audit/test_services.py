"""The audit trail is append-only: nothing in the app edits it, and PostgreSQL refuses to."""

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction

from audit.services import audit_protect_tables, audit_tables
from escalations.models import Escalation
from tests.factories import raise_escalation

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
