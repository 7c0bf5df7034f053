"""No lost updates across two real database connections.

Two people read the same escalation, then both try to change it at the same moment, each on
their own connection. Exactly one change commits; the other is refused as stale. This needs
row locks across connections, so it runs on PostgreSQL (``make test`` runs the suite there).
"""

import threading

import pytest
from django.db import connection, connections, transaction

from core.errors import StaleUpdate
from escalations import services
from escalations.models import Escalation, Step
from tests.factories import raise_escalation, reseed_vocabularies

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def _in_thread(barrier, results, name, work):
    try:
        barrier.wait(timeout=10)
        work()
        results[name] = "committed"
    except StaleUpdate as error:
        results[name] = error
    finally:
        connections.close_all()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections need PostgreSQL")
def test_two_connections_racing_exactly_one_update_commits():
    reseed_vocabularies()
    esc = raise_escalation()
    manager, iro = esc.current_addressee, esc.iro
    # Both people read version 1 before either writes.
    read_by_manager = Escalation.objects.get(pk=esc.pk)
    read_by_iro = Escalation.objects.get(pk=esc.pk)
    barrier = threading.Barrier(2)
    results = {}
    threads = [
        threading.Thread(
            target=_in_thread,
            args=(
                barrier,
                results,
                "manager",
                lambda: services.escalation_respond(
                    escalation=read_by_manager, by=manager, response="We will update the plan this week."
                ),
            ),
        ),
        threading.Thread(
            target=_in_thread,
            args=(
                barrier,
                results,
                "iro",
                lambda: services.escalation_withdraw(escalation=read_by_iro, by=iro, reason="Raised in error."),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    committed = [name for name, outcome in results.items() if outcome == "committed"]
    refused = [outcome for outcome in results.values() if isinstance(outcome, StaleUpdate)]
    assert len(committed) == 1 and len(refused) == 1, results
    assert "Nothing has been saved" in str(refused[0])

    final = Escalation.objects.get(pk=esc.pk)
    assert final.version == esc.version + 1
    step = Step.objects.get(escalation=esc)
    if committed == ["manager"]:
        assert step.response == "We will update the plan this week." and final.status == "open"
    else:
        assert step.response == "" and final.status == "closed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections need PostgreSQL")
def test_a_second_connection_waits_for_the_row_lock_then_sees_the_new_version():
    reseed_vocabularies()
    esc = raise_escalation()
    manager = esc.current_addressee
    stale = Escalation.objects.get(pk=esc.pk)
    locked = threading.Event()
    release = threading.Event()
    outcome = {}

    def hold_lock():

        try:
            with transaction.atomic():
                Escalation.objects.select_for_update().get(pk=esc.pk)
                locked.set()
                release.wait(timeout=10)
                services.escalation_first_response(escalation=stale, by=manager)
        finally:
            connections.close_all()

    def second_writer():
        try:
            locked.wait(timeout=10)
            services.escalation_respond(escalation=stale, by=manager, response="Done.")
            outcome["second"] = "committed"
        except StaleUpdate:
            outcome["second"] = "stale"
        finally:
            connections.close_all()

    first = threading.Thread(target=hold_lock)
    second = threading.Thread(target=second_writer)
    first.start()
    second.start()
    locked.wait(timeout=10)
    second.join(timeout=0.5)
    assert second.is_alive(), "the second writer should be waiting on the row lock"
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert outcome == {"second": "stale"}
    assert Escalation.objects.get(pk=esc.pk).version == esc.version + 1
