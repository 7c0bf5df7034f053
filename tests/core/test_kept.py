"""core.kept.kept_unchanged (and kept_unchanged_each, row by row): a result kept while the records and
the minute are the same."""

import datetime as dt

import pytest
from django.db import connection

from core.kept import kept_unchanged, kept_unchanged_each
from tests.factories import IroFactory

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the data version is PostgreSQL's")

NOW = dt.datetime(2026, 12, 2, 10, 30, 5, tzinfo=dt.UTC)


def _counting():
    made = []

    def make():
        made.append(1)
        return len(made)

    return made, make


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_records_and_minute_are_computed_once():
    made, make = _counting()
    assert kept_unchanged("test", {"a": 1}, make, now=NOW) == 1
    assert kept_unchanged("test", {"a": 1}, make, now=NOW + dt.timedelta(seconds=50)) == 1
    assert len(made) == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_what_it_is_made_from_is_part_of_the_key():
    made, make = _counting()
    kept_unchanged("test", {"a": 1}, make, now=NOW)
    kept_unchanged("test", {"a": 2}, make, now=NOW)
    kept_unchanged("other", {"a": 1}, make, now=NOW)
    assert len(made) == 3


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_computes_it_again():
    made, make = _counting()
    kept_unchanged("test", {}, make, now=NOW)
    IroFactory()
    assert kept_unchanged("test", {}, make, now=NOW) == 2


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_the_next_minute_computes_it_again():
    made, make = _counting()
    kept_unchanged("test", {}, make, now=NOW)
    assert kept_unchanged("test", {}, make, now=NOW + dt.timedelta(seconds=55)) == 2


@pytest.mark.django_db
def test_without_a_data_version_it_is_computed_every_time():
    """In a transaction that has written (every test in a test transaction), or on SQLite."""
    IroFactory()
    made, make = _counting()
    kept_unchanged("test", {}, make, now=NOW)
    kept_unchanged("test", {}, make, now=NOW)
    assert len(made) == 2


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_refusal_is_not_kept():
    calls = []

    def refuse():
        calls.append(1)
        raise ValueError("refused")

    for _ in range(2):
        with pytest.raises(ValueError, match="refused"):
            kept_unchanged("test", {}, refuse, now=NOW)
    assert len(calls) == 2


# --- kept_unchanged_each: the rows of a list ----------------------------------------------------


def _rows():
    asked = []

    def make(ids):
        asked.append(list(ids))
        return {i: f"row {i} made {len(asked)}" for i in ids}

    return asked, make


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_only_the_rows_not_kept_are_made():
    asked, make = _rows()
    kept_unchanged_each("test-row", [3, 2, 1], make, now=NOW)
    assert kept_unchanged_each("test-row", [5, 4, 3, 2], make, now=NOW) == [
        "row 5 made 2",
        "row 4 made 2",
        "row 3 made 1",
        "row 2 made 1",
    ]
    assert asked == [[3, 2, 1], [5, 4]]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_rows_all_kept_are_not_made_at_all():
    asked, make = _rows()
    kept_unchanged_each("test-row", [2, 1], make, now=NOW)
    kept_unchanged_each("test-row", [2, 1], make, now=NOW)
    assert asked == [[2, 1]]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_makes_every_row_again():
    asked, make = _rows()
    kept_unchanged_each("test-row", [2, 1], make, now=NOW)
    IroFactory()
    kept_unchanged_each("test-row", [2, 1], make, now=NOW)
    assert asked == [[2, 1], [2, 1]]


@pytest.mark.django_db
def test_without_a_data_version_every_row_is_made_every_time():
    IroFactory()
    asked, make = _rows()
    kept_unchanged_each("test-row", [2, 1], make, now=NOW)
    assert kept_unchanged_each("test-row", [2, 1], make, now=NOW) == ["row 2 made 2", "row 1 made 2"]


@pytest.mark.django_db
def test_no_rows_make_nothing():
    asked, make = _rows()
    assert kept_unchanged_each("test-row", [], make, now=NOW) == []
    assert asked == []
