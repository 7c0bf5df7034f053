"""Every page that names a child writes the access log (audit/middleware.py, core/shown.py).

The walk is the access matrix's: every URL the project serves (and the admin's child pages),
requested as every signed-in role, in the matrix's world of two caseloads. Wherever an answer names
a child, by name or case ID, the access log must hold an entry for that person, that page and that
child.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry
from tests.core import test_access
from tests.core.test_access import ROLES, _cases, _url, _url_names
from tests.factories import ChildFactory, IroFactory

pytestmark = pytest.mark.django_db
SIGNED_IN = [role for role in ROLES if role != "anonymous"]
world = test_access.world  # the matrix's fixture: two caseloads, every kind of record


def _named(body: str, child) -> bool:
    return f"{child.first_name} {child.last_name}" in body or child.case_id in body


def _unlogged(client, world, url: str, named: list | None = None) -> list[str]:
    problems = []
    for role in SIGNED_IN:
        user = world["users"][role]
        client.force_login(user)
        before = set(AccessLogEntry.objects.values_list("pk", flat=True))
        response = client.get(url)
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        body = response.content.decode(errors="replace")
        new = AccessLogEntry.objects.exclude(pk__in=before).filter(user=user, path=url.split("?")[0])
        logged = set(new.values_list("child_id", flat=True))
        for key in ("own_child", "other_child"):
            child = world[key]
            if _named(body, child):
                if named is not None:
                    named.append((role, url))
                if child.pk not in logged:
                    problems.append(f"{role}: {url} names {key} but did not log it")
    return problems


def test_every_page_that_names_a_child_writes_the_access_log(client, world):
    names = dict(_url_names())
    problems, named = [], []
    for param in _cases():
        name, case, _expected = param.values
        problems += _unlogged(client, world, _url(name, names[name], case, world), named)
    assert problems == []
    assert len({url for _, url in named}) >= 15  # the walk found the pages that name children


@pytest.mark.parametrize("page", ["changelist", "change", "history"])
def test_the_admins_child_pages_write_the_access_log(client, world, page):
    child = world["other_child"]
    url = reverse(f"admin:children_child_{page}", args=[] if page == "changelist" else [child.pk])
    assert _unlogged(client, world, url) == []
    assert AccessLogEntry.objects.filter(user=world["users"]["admin"], child=child, path=url).exists()


def test_a_list_logs_each_child_it_showed(client):
    iro = IroFactory()
    children = ChildFactory.create_batch(3, iro=iro)
    client.force_login(iro)

    client.get(reverse("children:list"))

    logged = AccessLogEntry.objects.filter(user=iro, path=reverse("children:list"))
    assert sorted(logged.values_list("child_id", flat=True)) == sorted(c.pk for c in children)


def test_a_post_and_a_signed_out_request_log_nothing(client):
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    client.get(reverse("children:detail", args=[child.pk]))  # signed out: sent to sign in
    client.force_login(iro)
    client.post(reverse("children:list"))

    assert not AccessLogEntry.objects.exists()


def test_the_escalation_page_logs_each_child_once_with_the_escalation(client, world):
    iro, escalation = world["users"]["iro"], world["own"]
    client.force_login(iro)

    client.get(reverse("escalations:detail", args=[escalation.pk]))

    entries = AccessLogEntry.objects.filter(user=iro, path=reverse("escalations:detail", args=[escalation.pk]))
    assert sorted(entries.values_list("child_id", "escalation_id")) == sorted(
        (c.pk, escalation.pk) for c in escalation.children.all()
    )
