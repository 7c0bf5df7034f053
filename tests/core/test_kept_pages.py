"""``{% kept_page %}``: a page's parts kept while the records are unchanged, per session and address,
with the access log written as if they had been rendered (core.templatetags.kept_pages)."""

import re

import pytest
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLogEntry
from core.templatetags import kept_pages
from escalations.models import Escalation
from people.models import Role, User
from reports import selectors as report_selectors
from tests.factories import ManagerFactory, ServiceManagerFactory, raise_escalation, reseed_vocabularies

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the data version is PostgreSQL's")


@pytest.fixture
def seeded(transactional_db):
    """Committed data (each request commits on its own), with the ladder and themes the last
    transactional test's flush removed."""
    reseed_vocabularies()


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


@on_postgres
@pytest.mark.usefixtures("seeded")
def test_a_list_read_again_is_the_same_page_with_fewer_queries():
    raise_escalation()
    client = _signed_in(ServiceManagerFactory())
    first, first_queries = _get(client, "/escalations/all/")
    again, again_queries = _get(client, "/escalations/all/")
    assert _main(again) == _main(first)
    assert again_queries < first_queries


@on_postgres
@pytest.mark.usefixtures("seeded")
def test_a_write_shows_on_the_next_read():
    client = _signed_in(ServiceManagerFactory())
    before, _ = _get(client, "/escalations/all/")
    escalation = raise_escalation()
    after, _ = _get(client, "/escalations/all/")
    assert escalation.reference not in before
    assert escalation.reference in after


@on_postgres
@pytest.mark.usefixtures("seeded")
def test_a_kept_read_logs_the_same_children():
    escalation = raise_escalation()
    child = escalation.children.get()
    client = _signed_in(ServiceManagerFactory())
    _get(client, "/escalations/all/")
    _get(client, "/escalations/all/")
    logged = AccessLogEntry.objects.filter(path="/escalations/all/").values_list("child_id", flat=True)
    assert list(logged) == [child.pk, child.pk]


@on_postgres
@pytest.mark.usefixtures("seeded")
def test_the_address_is_part_of_the_key():
    escalation = raise_escalation()
    client = _signed_in(ServiceManagerFactory())
    _get(client, "/escalations/all/")
    closed, _ = _get(client, "/escalations/all/?status=closed")
    assert escalation.reference not in closed


@on_postgres
@pytest.mark.usefixtures("seeded")
def test_each_session_has_its_own_parts():
    """The escalation page's case story form carries the session's CSRF token."""
    escalation = raise_escalation()
    manager = ServiceManagerFactory()
    one, other = _signed_in(manager), _signed_in(manager)
    path = f"/escalations/{escalation.pk}/"
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    first = token.findall(_main(_get(one, path)[0]))
    assert first == token.findall(_main(_get(one, path)[0]))  # kept for this session
    assert first != token.findall(_main(_get(other, path)[0]))


@on_postgres
@pytest.mark.usefixtures("seeded")
def test_the_committee_report_is_computed_once_while_nothing_changes(monkeypatch):
    computed = []
    real = report_selectors._report_computed
    monkeypatch.setattr(report_selectors, "_report_computed", lambda *a: computed.append(1) or real(*a))
    raise_escalation()
    client = _signed_in(ServiceManagerFactory())
    _get(client, "/reports/?period=2026-27")  # its first reading makes the report's settings row
    _get(client, "/reports/?period=2026-27")
    computed.clear()
    _get(client, "/reports/?period=2026-27")
    _get(client, "/reports/?period=2026-27")
    assert computed == []
    raise_escalation()
    _get(client, "/reports/?period=2026-27")
    assert len(computed) == 1


@on_postgres
@pytest.mark.usefixtures("seeded")
def test_the_dashboard_counts_a_new_escalation_at_once():
    client = _signed_in(ServiceManagerFactory())
    before, _ = _get(client, "/dashboard/")
    raise_escalation()
    after, _ = _get(client, "/dashboard/")
    assert _main(after) != _main(before)


@on_postgres
@pytest.mark.usefixtures("seeded")
def test_a_page_read_back_reads_the_data_version_once():
    """Its header and its title and content parts share one reading."""
    raise_escalation()
    client = _signed_in(ServiceManagerFactory())
    _get(client, "/escalations/all/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/escalations/all/")
    assert [q["sql"] for q in queries.captured_queries if "core_datachange" in q["sql"]] != []
    assert len([q for q in queries.captured_queries if "core_datachange" in q["sql"]]) == 1


@on_postgres
@pytest.mark.usefixtures("seeded")
def test_the_menus_count_follows_a_write():
    """The header is kept too, and a new escalation for the manager counts in it at once."""
    manager = ManagerFactory()
    raise_escalation(addressee=manager)
    client = _signed_in(manager)
    _get(client, "/escalations/inbox/")
    before, _ = _get(client, "/escalations/inbox/")
    raise_escalation(addressee=manager)
    after, _ = _get(client, "/escalations/inbox/")
    assert "Awaiting my response (1)" in before
    assert "Awaiting my response (2)" in after


def _write_after_the_first_part(monkeypatch, write):
    """Run ``write`` (committed at once) just after the first kept part of the next page is made."""
    real = kept_pages.KeptPageNode.render
    written = []

    def render(self, context):
        html = real(self, context)
        if not written:
            written.append(write())
        return html

    monkeypatch.setattr(kept_pages.KeptPageNode, "render", render)
    return written


@on_postgres
@pytest.mark.usefixtures("seeded")
def test_a_write_while_a_page_is_made_shows_on_the_next_read(monkeypatch):
    """The parts are keyed by the version read before the page read anything, so what they show is
    never older than their key: a write committed between two parts is seen by the next read."""
    escalation = raise_escalation(concern="The care plan was not reviewed.")
    path = f"/escalations/{escalation.pk}/"
    written = _write_after_the_first_part(
        monkeypatch, lambda: Escalation.objects.filter(pk=escalation.pk).update(concern="The placement ended early.")
    )
    client = _signed_in(ServiceManagerFactory())
    _get(client, path)
    after, _ = _get(client, path)
    assert written == [1]
    assert "The placement ended early." in _main(after)


@on_postgres
@pytest.mark.usefixtures("seeded")
def test_a_role_changed_while_a_page_is_made_does_not_keep_the_old_roles_page(monkeypatch):
    """A service manager made an IRO while their *Children* page was being made (the person already
    read as a service manager) sees only their own caseload next, not the kept list of every child."""
    other = raise_escalation().children.get()
    manager = ServiceManagerFactory()
    client = _signed_in(manager)
    written = _write_after_the_first_part(monkeypatch, lambda: User.objects.filter(pk=manager.pk).update(role=Role.IRO))
    during, _ = _get(client, "/children/")
    after, _ = _get(client, "/children/")
    assert written == [1]
    assert other.case_id in during
    assert other.case_id not in after


def test_a_part_must_be_named():
    with pytest.raises(TemplateSyntaxError, match="kept_page"):
        Template("{% load kept_pages %}{% kept_page %}x{% endkept_page %}").render(Context())


@pytest.mark.django_db
def test_outside_a_request_the_part_is_rendered():
    assert Template('{% load kept_pages %}{% kept_page "x" %}shown{% endkept_page %}').render(Context()) == "shown"
