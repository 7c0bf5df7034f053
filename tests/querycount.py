"""Query hygiene: a page runs the same number of queries with 1 row as with many."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for(client, url) -> list[str]:
    """The SQL a GET of ``url`` runs (the page must answer 200). A GET before it writes the session
    (core.sessions writes it at most once a minute), so neither this one nor the next GET does."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return [query["sql"] for query in captured.captured_queries]


def assert_same_queries(client, small_url, grow, big_url=None):
    """GET ``small_url``; call ``grow()`` to add rows; GET ``big_url`` (default: the same URL) and
    check it ran exactly as many queries."""
    before = queries_for(client, small_url)
    grow()
    after = queries_for(client, big_url or small_url)
    assert len(after) == len(before), f"{len(before)} queries before, {len(after)} after adding rows:\n" + "\n".join(
        after
    )
