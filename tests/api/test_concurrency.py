"""Two clients at once, on PostgreSQL (production's database, where requests really run in
parallel): the same ETag twice gives one 200 and one 412; the same Idempotency-Key twice gives one
escalation. Each client is a thread with its own connection, released together by a barrier."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from api.scopes import Scope
from escalations.models import Escalation
from tests.api.conftest import key_client, make_key
from tests.factories import ChildFactory, IroFactory, ManagerFactory, raise_escalation, reseed_vocabularies

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="SQLite runs one write at a time; the parallel case is PostgreSQL's",
    ),
]


def _at_once(*calls):
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            answers[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.fixture
def caseload():
    reseed_vocabularies()
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    manager = ManagerFactory()
    return {"iro": iro, "child": child, "manager": manager}


def test_two_clients_with_the_same_etag_get_one_200_and_one_412(caseload):
    escalation = raise_escalation(iro=caseload["iro"], children=[caseload["child"]], addressee=caseload["manager"])
    first = key_client(make_key(caseload["iro"], Scope.IRO_TOOLS, "tool one"))
    second = key_client(make_key(caseload["iro"], Scope.IRO_TOOLS, "tool two"))
    etag = first.get(f"/api/v1/escalations/{escalation.pk}/")["ETag"]
    assert etag == f'"{escalation.version}"'

    def resolve(client):
        return lambda: client.post(
            f"/api/v1/escalations/{escalation.pk}/resolve/",
            {"outcome": "resolved", "reason": "The plan was updated."},
            format="json",
            HTTP_IF_MATCH=etag,
        )

    def withdraw(client):
        return lambda: client.post(
            f"/api/v1/escalations/{escalation.pk}/withdraw/",
            {"reason": "Raised in error."},
            format="json",
            HTTP_IF_MATCH=etag,
        )

    answers = _at_once(resolve(first), withdraw(second))
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200, 412], [a.content for a in answers]
    won = next(a for a in answers if a.status_code == 200)
    stale = next(a for a in answers if a.status_code == 412).json()
    assert stale["current_version"] == won.json()["version"] == escalation.version + 1
    assert won["ETag"] == f'"{stale["current_version"]}"'
    assert stale["changes"] and stale["changes"][0]["fields"], stale
    before = escalation.version
    escalation.refresh_from_db()
    assert escalation.version == before + 1  # one change only: the winner's
    assert escalation.status == won.json()["status"] == "closed"


def test_the_same_idempotency_key_twice_at_once_raises_one_escalation(caseload):
    client_a = key_client(make_key(caseload["iro"], Scope.IRO_TOOLS, "tool one"))
    client_b = key_client(make_key(caseload["iro"], Scope.IRO_TOOLS, "tool two"))
    body = {
        "children": [caseload["child"].pk],
        "stage": "team_manager",
        "addressee": caseload["manager"].pk,
        "concern": "The care plan has not been updated since the review.",
    }
    key = "3f1c7a52-7d0e-4b53-9d5e-1b0f4c1f6a01"

    def raise_with(client):
        return lambda: client.post("/api/v1/escalations/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    answers = _at_once(raise_with(client_a), raise_with(client_b))
    assert [a.status_code for a in answers] == [201, 201], [a.content for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert Escalation.objects.filter(children=caseload["child"]).count() == 1
