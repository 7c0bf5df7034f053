"""Nothing duplicated: the same form sent three times at once, over HTTP to the live server, makes
one change, and every answer is the first one's result page (never a 5xx).

Each test opens the form once, as a person would, then sends it from three threads released
together by a barrier. On PostgreSQL the second and third wait on the one-time key's unique
index; on SQLite on the write lock. Both databases run these tests (``make test``).
"""

from __future__ import annotations

import re
import threading

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from escalations.models import Escalation, Step
from tests.factories import ChildFactory, ManagerFactory, raise_escalation, reseed_vocabularies, stage, theme

pytestmark = pytest.mark.django_db(transaction=True)
TIMES = 3


def _session_for(user) -> requests.Session:
    """A browser-like HTTP session signed in as ``user`` (a real session row, as sign-in makes)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key)
    return http


def _form_fields(html: str) -> dict:
    """The hidden inputs of the page's change form (CSRF token, version, one-time key)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def _three_at_once(http: requests.Session, url: str, data: dict) -> list[requests.Response]:
    barrier = threading.Barrier(TIMES)
    answers: list = [None] * TIMES

    def send(i):
        barrier.wait(timeout=10)
        answers[i] = http.post(url, data=data, headers={"Referer": url}, allow_redirects=False, timeout=60)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(TIMES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return answers


def _one_result(answers, expected_path: str):
    assert [a.status_code for a in answers] == [302] * TIMES, [a.status_code for a in answers]
    assert {a.headers["Location"] for a in answers} == {expected_path}


@pytest.fixture
def seeded(settings):
    reseed_vocabularies()  # a transactional test empties every table when it ends
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False  # the live server is plain HTTP


def test_three_confirmations_of_one_raise_store_one_escalation(live_server, seeded):
    child = ChildFactory()
    manager = ManagerFactory(stage=stage("team_manager"))
    http = _session_for(child.iro)
    form_url = f"{live_server.url}/escalations/raise/?child={child.pk}"
    page = http.get(form_url)
    csrf = _form_fields(page.text)["csrfmiddlewaretoken"]
    http.post(
        form_url,
        data={
            "csrfmiddlewaretoken": csrf,
            "child_anchor": child.pk,
            "children": [child.pk],
            "themes": [theme("drift").pk],
            "addressee": manager.pk,
            "concern": "The plan has drifted.",
            "desired_outcome": "",
        },
        headers={"Referer": form_url},
    )
    check_url = f"{live_server.url}/escalations/raise/check/?child={child.pk}"
    fields = _form_fields(http.get(check_url).text)
    answers = _three_at_once(http, check_url, fields)
    assert Escalation.objects.count() == 1
    _one_result(answers, f"/escalations/{Escalation.objects.get().pk}/")


def _opened(http, live_server, path):
    return _form_fields(http.get(f"{live_server.url}{path}").text)


def test_three_sends_of_one_response_record_one_response(live_server, seeded):
    esc = raise_escalation()
    http = _session_for(esc.current_addressee)
    path = f"/escalations/{esc.pk}/respond/"
    fields = _opened(http, live_server, path) | {"response": "We will update the plan.", "action_agreed": ""}
    answers = _three_at_once(http, f"{live_server.url}{path}", fields)
    _one_result(answers, f"/escalations/{esc.pk}/")
    step = Step.objects.get(escalation=esc)
    assert (step.response, Escalation.objects.get(pk=esc.pk).version) == ("We will update the plan.", esc.version + 1)


def test_three_sends_of_one_escalation_send_it_up_once(live_server, seeded):
    esc = raise_escalation()
    hos = ManagerFactory(stage=stage("head_of_service"))
    http = _session_for(esc.iro)
    path = f"/escalations/{esc.pk}/escalate/"
    fields = _opened(http, live_server, path) | {"addressee": hos.pk, "reason": "No reply from the team manager."}
    answers = _three_at_once(http, f"{live_server.url}{path}", fields)
    _one_result(answers, f"/escalations/{esc.pk}/")
    assert Step.objects.filter(escalation=esc).count() == 2


def test_three_sends_of_one_resolve_close_it_once(live_server, seeded):
    esc = raise_escalation()
    audit_before = esc.history.count()
    http = _session_for(esc.iro)
    path = f"/escalations/{esc.pk}/resolve/"
    fields = _opened(http, live_server, path)
    page = http.get(f"{live_server.url}{path}").text
    outcome = re.search(r'<input[^>]*name="outcome"[^>]*value="(\d+)"', page)[1]
    answers = _three_at_once(http, f"{live_server.url}{path}", fields | {"outcome": outcome, "reason": "Plan agreed."})
    _one_result(answers, f"/escalations/{esc.pk}/")
    closed = Escalation.objects.get(pk=esc.pk)
    assert (closed.status, closed.version, closed.history.count()) == ("closed", esc.version + 1, audit_before + 1)
