"""The API's tests: keys of each scope for accounts of two caseloads, and a client that sends them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.scopes import Scope
from api.services import api_key_create
from people.models import Role
from tests.factories import ChildFactory, IroFactory, ManagerFactory, UserFactory, raise_escalation


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """The throttle counts live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def make_key(user, scope: str, name: str = "test key") -> str:
    _, secret = api_key_create(name=name, user=user, scope=scope, by=None)
    return secret


def key_client(secret: str | None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
    return client


@pytest.fixture
def api_world(db):
    """Two caseloads (A and B), each with an IRO, a manager, a child and an open escalation, and
    accounts for the case-management (an admin service account) and reporting (a report viewer) keys."""
    iro_a, iro_b = IroFactory(), IroFactory()
    manager_a, manager_b = ManagerFactory(), ManagerFactory()
    child_a = ChildFactory(iro=iro_a, first_name="Wendeline", last_name="Thrushcombe")
    child_b = ChildFactory(iro=iro_b, first_name="Quokkabel", last_name="Zanzibarre")
    own = raise_escalation(iro=iro_a, children=[child_a], addressee=manager_a)
    other = raise_escalation(iro=iro_b, children=[child_b], addressee=manager_b)
    service_account = UserFactory(username="cms-sync", role=Role.ADMIN)
    viewer = UserFactory(username="bi-reader", role=Role.REPORT_VIEWER)
    return {
        "iro": iro_a,
        "iro_b": iro_b,
        "manager": manager_a,
        "manager_b": manager_b,
        "own_child": child_a,
        "other_child": child_b,
        "own": own,
        "other": other,
        "keys": {
            Scope.CASE_MANAGEMENT: make_key(service_account, Scope.CASE_MANAGEMENT, "Mosaic nightly"),
            Scope.REPORTING: make_key(viewer, Scope.REPORTING, "Power BI"),
            Scope.IRO_TOOLS: make_key(iro_a, Scope.IRO_TOOLS, "IRO tools"),
        },
        "service_account": service_account,
        "viewer": viewer,
    }
