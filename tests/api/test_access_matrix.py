"""The API's access matrix: every API operation (every ``api:`` URL name, each method), called by
each kind of caller (anonymous, a key of each scope, a manager's signed-in session), with objects
inside and outside the caller's access. ``tests/core/test_access.py`` defers to this file for the
``api:`` URLs, and fails for one with no row here.

Expected answers are status codes. For a change, what matters is whether the caller got past the
access checks: a move sent without If-Match to an escalation the caller may reach is 428 (or 400 for
a note with no text); outside their access it is 404, as on the pages; a scope or role that may never
use the operation is 403. Every answer to a caller outside caseload B (and every refusal) is scanned
for the names of caseload B's child, which must never appear.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api import urls as api_urls
from api.scopes import Scope
from tests.api.conftest import key_client, make_key
from tests.factories import (
    ChildFactory,
    DriftFlagFactory,
    IroFactory,
    ManagerFactory,
    UserFactory,
    raise_escalation,
)

pytestmark = pytest.mark.django_db

SENTINEL_FIRST, SENTINEL_LAST = "Quokkabel", "Zanzibarre"
CALLERS = ("anonymous", "case-management", "reporting", "iro-tools", "manager session")


def _row(anonymous="401", **by_caller) -> dict:
    row = {
        "anonymous": anonymous,
        **{k.replace("_", "-").replace("-session", " session"): v for k, v in by_caller.items()},
    }
    missing = set(CALLERS) - set(row)
    assert not missing, f"matrix row without {missing}"
    return row


def _same(code: str, anonymous: str | None = None) -> dict:
    return {caller: code for caller in CALLERS} | ({"anonymous": anonymous} if anonymous else {})


# Who may call what (api.views, each view's ``access``), and what they reach (the selectors).
CASE_READ_OWN = _row(case_management="200", reporting="403", iro_tools="200", manager_session="200")
CASE_READ_OTHER = _row(case_management="200", reporting="403", iro_tools="404", manager_session="404")
IRO_MOVE_OWN = _row(case_management="403", reporting="403", iro_tools="428", manager_session="403")
IRO_MOVE_OTHER = _row(case_management="403", reporting="403", iro_tools="404", manager_session="403")
MANAGER_MOVE_OWN = _row(case_management="403", reporting="403", iro_tools="403", manager_session="428")
MANAGER_MOVE_OTHER = _row(case_management="403", reporting="403", iro_tools="403", manager_session="404")
REPORT = _row(case_management="403", reporting="200", iro_tools="403", manager_session="403")

# name -> [(method, case, expected)]
API_MATRIX: dict[str, list[tuple[str, str, dict]]] = {
    "api:schema": [("GET", "none", _same("200"))],
    "api:docs": [("GET", "none", _same("200"))],
    "api:not_found": [("GET", "none", _same("404"))],
    "api:vocabularies": [("GET", "none", _same("200", anonymous="401"))],
    "api:managers": [
        ("GET", "none", _row(case_management="403", reporting="403", iro_tools="200", manager_session="403"))
    ],
    "api:children": [
        ("GET", "own_case_id", CASE_READ_OWN),
        # another caseload's child: not 404 (a list), but an empty one (the sentinel check)
        ("GET", "other_case_id", _row(case_management="200", reporting="403", iro_tools="200", manager_session="200")),
    ],
    "api:child": [("GET", "own", CASE_READ_OWN), ("GET", "other", CASE_READ_OTHER)],
    "api:children_upsert": [
        ("POST", "empty", _row(case_management="400", reporting="403", iro_tools="403", manager_session="403"))
    ],
    "api:escalations": [
        ("GET", "none", CASE_READ_OWN),
        ("POST", "raise_own", _row(case_management="403", reporting="403", iro_tools="201", manager_session="403")),
        ("POST", "raise_other", _row(case_management="403", reporting="403", iro_tools="400", manager_session="403")),
    ],
    "api:escalation": [("GET", "own", CASE_READ_OWN), ("GET", "other", CASE_READ_OTHER)],
    "api:first_response": [("POST", "own", MANAGER_MOVE_OWN), ("POST", "other", MANAGER_MOVE_OTHER)],
    "api:respond": [("POST", "own", MANAGER_MOVE_OWN), ("POST", "other", MANAGER_MOVE_OTHER)],
    "api:escalate": [("POST", "own", IRO_MOVE_OWN), ("POST", "other", IRO_MOVE_OTHER)],
    "api:reassign": [("POST", "own", IRO_MOVE_OWN), ("POST", "other", IRO_MOVE_OTHER)],
    "api:resolve": [("POST", "own", IRO_MOVE_OWN), ("POST", "other", IRO_MOVE_OTHER)],
    "api:withdraw": [("POST", "own", IRO_MOVE_OWN), ("POST", "other", IRO_MOVE_OTHER)],
    "api:cafcass": [("POST", "own", IRO_MOVE_OWN), ("POST", "other", IRO_MOVE_OTHER)],
    "api:reopen": [("POST", "own", IRO_MOVE_OWN), ("POST", "other", IRO_MOVE_OTHER)],
    "api:note": [
        ("POST", "own", _row(case_management="403", reporting="403", iro_tools="400", manager_session="400")),
        ("POST", "other", _row(case_management="403", reporting="403", iro_tools="404", manager_session="404")),
    ],
    "api:drift_flags": [
        (
            "GET",
            "own_child_query",
            _row(case_management="200", reporting="403", iro_tools="200", manager_session="403"),
        ),
        (
            "GET",
            "other_child_query",
            _row(case_management="200", reporting="403", iro_tools="200", manager_session="403"),
        ),
    ],
    "api:committee_report": [("GET", "none", REPORT)],
    "api:issued_reports": [("GET", "none", REPORT)],
    "api:issued_report": [
        ("GET", "missing", _row(case_management="403", reporting="404", iro_tools="403", manager_session="403"))
    ],
}


def api_url_names() -> list[str]:
    return [f"api:{pattern.name}" for pattern in api_urls.urlpatterns]


def test_every_api_url_is_in_the_matrix():
    assert sorted(set(api_url_names()) - set(API_MATRIX)) == []


@pytest.fixture
def world():
    iro_a, iro_b = IroFactory(), IroFactory()
    manager_a, manager_b = ManagerFactory(), ManagerFactory()
    child_a = ChildFactory(iro=iro_a)
    child_b = ChildFactory(iro=iro_b, first_name=SENTINEL_FIRST, last_name=SENTINEL_LAST)
    own = raise_escalation(iro=iro_a, children=[child_a], addressee=manager_a)
    other = raise_escalation(iro=iro_b, children=[child_b], addressee=manager_b, concern=f"About {SENTINEL_FIRST}")
    for child in (child_a, child_b):
        DriftFlagFactory(child=child)
    keys = {
        Scope.CASE_MANAGEMENT.value: make_key(UserFactory(role="admin"), Scope.CASE_MANAGEMENT, "Mosaic"),
        Scope.REPORTING.value: make_key(UserFactory(role="report_viewer"), Scope.REPORTING, "Power BI"),
        Scope.IRO_TOOLS.value: make_key(iro_a, Scope.IRO_TOOLS, "IRO tools"),
    }
    return {
        "keys": keys,
        "manager": manager_a,
        "own_child": child_a,
        "other_child": child_b,
        "own": own,
        "other": other,
    }


def _client(caller: str, world) -> APIClient:
    if caller == "anonymous":
        return APIClient()
    if caller == "manager session":
        client = APIClient()
        client.force_login(world["manager"])
        return client
    return key_client(world["keys"][caller])


def _request(client, name: str, method: str, case: str, world):
    body = {}
    if name == "api:escalations" and method == "POST":
        child = world["own_child"] if case == "raise_own" else world["other_child"]
        body = {"children": [child.pk], "stage": "team_manager", "addressee": world["manager"].pk, "concern": "Drift."}
        return client.post(reverse(name), body, format="json")
    if case in ("own", "other") and name in ("api:child",):
        url = reverse(name, kwargs={"id": world[f"{case}_child"].pk})
    elif case in ("own", "other"):
        url = reverse(name, kwargs={"id": world[case].pk})
    elif case == "missing":
        url = reverse(name, kwargs={"id": 999999})
    elif case.endswith("_case_id"):
        url = reverse(name) + f"?case_id={world[case.removesuffix('_case_id') + '_child'].case_id}"
    elif case.endswith("_child_query"):
        url = reverse(name) + f"?child={world[case.removesuffix('_query')].pk}&status=any"
    elif name == "api:not_found":
        url = "/api/v1/no-such-thing/"
    else:
        url = reverse(name)
    if method == "POST":
        return client.post(url, body, format="json")
    return client.get(url)


def _cases():
    for name, rows in API_MATRIX.items():
        for method, case, expected in rows:
            yield pytest.param(name, method, case, expected, id=f"{name}[{method} {case}]")


@pytest.mark.parametrize("name, method, case, expected", list(_cases()))
def test_api_access(world, name, method, case, expected):
    failures = []
    for caller in CALLERS:
        response = _request(_client(caller, world), name, method, case, world)
        got = str(response.status_code)
        if got != expected[caller]:
            failures.append(f"{caller}: {method} {name} [{case}] answered {got}, expected {expected[caller]}")
        text = response.content.decode(errors="replace")
        sees_b = caller == "case-management"
        if (not got.startswith("2") or not sees_b) and (SENTINEL_FIRST in text or SENTINEL_LAST in text):
            failures.append(f"{caller}: {method} {name} [{case}] ({got}) shows a child outside their access")
    assert failures == []


@pytest.mark.parametrize("name", sorted(n for n in API_MATRIX if n != "api:not_found"))
def test_a_method_an_operation_lacks_is_405(world, name):
    rows = API_MATRIX[name]
    url = reverse(name, kwargs={"id": world["own"].pk}) if rows[0][1] in ("own", "other", "missing") else reverse(name)
    response = key_client(world["keys"][Scope.CASE_MANAGEMENT.value]).delete(url)
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
