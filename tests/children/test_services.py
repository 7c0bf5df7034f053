"""child_bulk_upsert: the one writer of child records (both importers, the extract and the demo)."""

import datetime as dt

import pytest

from children.models import Child
from children.services import child_bulk_upsert
from tests.factories import ChildFactory, ServiceManagerFactory

pytestmark = pytest.mark.django_db


def test_a_new_case_id_becomes_a_child_with_its_values_and_the_defaults():
    done = child_bulk_upsert(
        values={"C1": {"first_name": "Ada"}}, new_defaults={"details_to_complete": True}, reason="903 import"
    )
    child = Child.objects.get(case_id="C1")
    assert (child.first_name, child.details_to_complete) == ("Ada", True)
    assert (done.created, done.updated, done.unchanged, done.children["C1"].pk) == (1, 0, 0, child.pk)


def test_a_stored_child_gets_only_the_values_that_differ():
    child = ChildFactory(case_id="C1", first_name="Ada", last_name="Lovelace")
    done = child_bulk_upsert(values={"C1": {"first_name": "Ada", "legal_status": "E1"}}, reason="903 import")
    child.refresh_from_db()
    assert (child.first_name, child.last_name, child.legal_status) == ("Ada", "Lovelace", "E1")
    assert (done.created, done.updated, done.unchanged) == (0, 1, 0)


def test_the_same_values_again_change_nothing_and_write_no_audit_row():
    child_bulk_upsert(values={"C1": {"first_name": "Ada"}}, reason="first")
    audit_rows = Child.history.count()
    done = child_bulk_upsert(values={"C1": {"first_name": "Ada"}}, reason="second")
    assert (done.created, done.updated, done.unchanged) == (0, 0, 1)
    assert Child.history.count() == audit_rows


def test_update_false_leaves_stored_children_as_they_are():
    ChildFactory(case_id="C1", first_name="Ada")
    done = child_bulk_upsert(
        values={"C1": {"first_name": "Grace"}, "C2": {"first_name": "Mary"}}, update=False, reason="Demo data"
    )
    assert Child.objects.get(case_id="C1").first_name == "Ada"
    assert (done.created, done.updated, done.unchanged) == (1, 0, 1)


def test_each_write_is_audited_with_who_when_and_why():
    by = ServiceManagerFactory()
    when = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
    child_bulk_upsert(values={"C1": {}}, reason="Imported from log.csv", by=by, when=when)
    child_bulk_upsert(values={"C1": {"legal_status": "V2"}}, reason="903 import 2017-18", by=by, when=when)
    entries = list(Child.history.filter(case_id="C1").order_by("history_id"))
    assert [(e.history_type, e.history_change_reason, e.history_user_id, e.history_date) for e in entries] == [
        ("+", "Imported from log.csv", by.pk, when),
        ("~", "903 import 2017-18", by.pk, when),
    ]
