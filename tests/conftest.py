"""Fixtures shared by the test modules (factories are in tests/factories.py)."""

import pytest

from tests.factories import ServiceManagerFactory


@pytest.fixture
def sm_client(client):
    """The test client, signed in as an IRO service manager."""
    client.force_login(ServiceManagerFactory())
    return client
