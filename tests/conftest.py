"""Fixtures shared by the test modules (factories are in tests/factories.py)."""

import pytest
from django.core.cache import cache, caches

from core.kept import RESULTS, ROWS
from reports import charts
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
    caches[RESULTS].clear()
    caches[ROWS].clear()
    yield


@pytest.fixture
def draws(monkeypatch):
    """Counts the charts matplotlib draws (reports.charts makes one figure a chart), from an empty
    charts cache: a list, one item a drawing."""
    caches[charts.CACHE].clear()
    made = []
    figure = charts._figure

    def counting(*args, **kwargs):
        made.append(args)
        return figure(*args, **kwargs)

    monkeypatch.setattr(charts, "_figure", counting)
    return made
