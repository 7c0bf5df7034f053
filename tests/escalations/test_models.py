"""The indexes of the tables, as the database has them (SQLite or PostgreSQL): every index costs
each write (an import writes a million index entries for 100,000 rows), so none is kept that
another index already serves, and the audit tables index only what the audit is read by."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from escalations.models import Escalation, Step

pytestmark = pytest.mark.django_db


def _indexes(model) -> dict[str, dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: info
        for name, info in found.items()
        if info["columns"] and (info["index"] or info["unique"] or info["primary_key"])
    }


def _project_models():
    """The project's own models and their audit models; Django's auto-made link tables are not ours."""
    root = Path(settings.BASE_DIR).resolve()
    for model in apps.get_models():
        if Path(apps.get_app_config(model._meta.app_label).path).resolve().parent == root:
            yield model


def test_no_single_column_index_repeats_the_start_of_another_index():
    redundant = []
    for model in _project_models():
        indexes = _indexes(model)
        for name, info in indexes.items():
            if len(info["columns"]) != 1 or info["unique"] or info["primary_key"]:
                continue
            column = info["columns"][0]
            covering = [
                other for other, found in indexes.items() if len(found["columns"]) > 1 and found["columns"][0] == column
            ]
            if covering:
                redundant.append(f"{model._meta.db_table}.{column} ({name}, served by {covering[0]})")
    assert redundant == []


def test_every_foreign_key_starts_an_index_outside_the_audit_tables():
    """SQLite checks a foreign key from the other end too: storing a step looks up the
    escalations that point at it. Without an index on the pointing column that is a scan of the
    table for each row stored (an import of 100,000 rows took 15 minutes instead of 30 s)."""
    unindexed = []
    for model in _project_models():
        if model.__name__.startswith("Historical"):
            continue
        leading = {info["columns"][0] for info in _indexes(model).values()}
        unindexed += [
            f"{model._meta.db_table}.{field.column}"
            for field in model._meta.concrete_fields
            if field.is_relation and field.db_constraint and field.column not in leading
        ]
    assert unindexed == []


def test_project_models_are_found():
    tables = {model._meta.db_table for model in _project_models()}
    assert {"escalations_escalation", "escalations_historicalescalation", "ssda903_episode"} <= tables


def _indexed_columns(model) -> set[str]:
    return {column for info in _indexes(model).values() for column in info["columns"]}


@pytest.mark.parametrize("model", [Escalation, Step], ids=["escalation", "step"])
def test_audit_table_indexes_only_the_record_its_time_and_who(model):
    assert _indexed_columns(model.history.model) == {"history_id", "id", "history_date", "history_user_id"}


@pytest.mark.parametrize("name", ["children", "themes", "subthemes", "drift_reasons"])
def test_audit_of_links_indexes_only_its_own_id_and_its_audit_row(name):
    link_history = getattr(Escalation.history.model, name).model
    assert _indexed_columns(link_history) == {"m2m_history_id", "id", "history_id"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite compares text by its bytes already")
def test_the_iro_sort_key_compares_by_code_point_whatever_the_databases_collation():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns WHERE table_name = %s AND column_name = %s",
            [Escalation._meta.db_table, "iro_sort_key"],
        )
        assert cursor.fetchone() == ("C",)
