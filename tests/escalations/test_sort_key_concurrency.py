"""A rename and an escalation raised at the same moment, on two real database connections: the
escalation ends up with the IRO's new name sort key (``escalations.services.user_save`` waits for
the IRO names lock that the raise holds). PostgreSQL only, as the lock is an advisory lock."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from escalations import services
from escalations.models import Escalation
from people.models import User
from tests.factories import ChildFactory, IroFactory, ManagerFactory, reseed_vocabularies, stage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the IRO names lock is PostgreSQL's")
def test_a_rename_while_an_escalation_is_being_raised_reaches_that_escalation():
    reseed_vocabularies()
    iro = IroFactory(first_name="Ada", last_name="Adams")
    child, manager = ChildFactory(iro=iro), ManagerFactory(stage=stage("team_manager"))
    raising, renaming = threading.Event(), threading.Event()
    finished = {}

    def raise_it():
        try:
            with transaction.atomic():
                services.escalation_raise(
                    by=iro, children=[child], stage=stage("team_manager"), addressee=manager, concern="No plan."
                )
                raising.set()
                renaming.wait(timeout=10)
                time.sleep(0.5)  # the rename is waiting for the lock meanwhile
                finished["raise"] = time.monotonic()  # then the raise commits
        finally:
            connections.close_all()

    def rename():
        try:
            raising.wait(timeout=10)
            renamed = User.objects.get(pk=iro.pk)
            renamed.last_name = "Young"
            renaming.set()
            services.user_save(user=renamed, by=None)
            finished["rename"] = time.monotonic()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=raise_it), threading.Thread(target=rename)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert finished["rename"] > finished["raise"]  # the rename waited for the raise to commit
    renamed = User.objects.get(pk=iro.pk)
    assert renamed.last_name == "Young"
    assert Escalation.objects.get(iro=iro).iro_sort_key == renamed.sort_key
