"""Fixtures shared by the test modules (factories are in tests/factories.py)."""

import pytest
from django.core.cache import cache

from tests.factories import ServiceManagerFactory


@pytest.fixture
def sm_client(client):
    """The test client, signed in as an IRO service manager."""
    client.force_login(ServiceManagerFactory())
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Django's cache (the POST rate limit counts there) starts empty for every test."""
    cache.clear()
    yield
