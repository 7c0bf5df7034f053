"""Sessions end after a configurable time without a request; "Stay signed in" starts it again."""

import json
import os
import re
import subprocess
import sys
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from core.sessions import LAST_WRITTEN
from tests.core.test_settings import ROOT
from tests.factories import IroFactory

pytestmark = pytest.mark.django_db


def _signed_in_client(**kwargs):
    client = Client(**kwargs)
    client.force_login(IroFactory())
    return client


def test_keep_alive_answers_how_long_the_session_now_has(settings):
    response = _signed_in_client().post(reverse("session_keep_alive"))
    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "expires_in": settings.SESSION_COOKIE_AGE}


def test_keep_alive_renews_the_session_cookie(settings):
    response = _signed_in_client().post(reverse("session_keep_alive"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_keep_alive_after_the_session_ended_says_so_without_a_redirect(client):
    response = client.post(reverse("session_keep_alive"))
    assert response.status_code == 401
    assert response.json() == {"signed_in": False}


def test_keep_alive_refuses_a_post_without_the_csrf_token():
    response = _signed_in_client(enforce_csrf_checks=True).post(reverse("session_keep_alive"))
    assert response.status_code == 403


def test_keep_alive_accepts_the_csrf_token_in_a_header():
    client = _signed_in_client(enforce_csrf_checks=True)
    token = client.get(reverse("accessibility")).context["csrf_token"]  # the warning's own form
    response = client.post(reverse("session_keep_alive"), HTTP_X_CSRFTOKEN=str(token))
    assert response.status_code == 200


def test_keep_alive_is_post_only():
    assert _signed_in_client().get(reverse("session_keep_alive")).status_code == 405


def test_every_request_starts_the_inactivity_count_again(settings):
    client = _signed_in_client()
    response = client.get(reverse("accessibility"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def _session_row(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_a_second_request_within_the_minute_does_not_write_the_session(settings):
    client = _signed_in_client()
    client.get(reverse("accessibility"))
    expiry = _session_row(client).expire_date
    response = client.get(reverse("accessibility"))
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert _session_row(client).expire_date == expiry


def test_a_request_a_minute_after_the_last_write_writes_the_session_again(settings):
    client = _signed_in_client()
    client.get(reverse("accessibility"))
    session = client.session
    session[LAST_WRITTEN] -= 60  # written a minute ago
    session.save()
    response = client.get(reverse("accessibility"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    assert client.session[LAST_WRITTEN] >= time.time() - 5


def test_the_warning_counts_from_the_last_write_not_from_the_page(settings):
    client = _signed_in_client()
    client.get(reverse("accessibility"))
    session = client.session
    session[LAST_WRITTEN] -= 40  # written 40 seconds ago: not written again now
    session.save()
    page = client.get(reverse("accessibility")).content.decode()
    left = int(page.split('data-timeout-seconds="')[1].split('"')[0])
    assert settings.SESSION_COOKIE_AGE - 42 <= left <= settings.SESSION_COOKIE_AGE - 40


def test_keep_alive_writes_the_session_even_within_the_minute(settings):
    client = _signed_in_client()
    client.get(reverse("accessibility"))
    response = client.post(reverse("session_keep_alive"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_a_short_timeout_writes_the_session_more_often(settings):
    settings.SESSION_COOKIE_AGE = 6  # as in the browser tests: written on every request
    client = _signed_in_client()
    client.get(reverse("accessibility"))
    response = client.get(reverse("accessibility"))
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 6


def test_signed_out_requests_create_no_session(client):
    client.get(reverse("accessibility"))
    assert Session.objects.count() == 0


def test_signed_in_pages_carry_the_timeout_for_the_warning(settings):
    settings.SESSION_COOKIE_AGE = 600
    settings.SESSION_TIMEOUT_WARNING_SECONDS = 90
    page = _signed_in_client().get(reverse("accessibility")).content.decode()
    left, warning = re.search(r'data-timeout-seconds="(\d+)" data-warning-seconds="(\d+)"', page).groups()
    assert 590 <= int(left) <= 600  # the seconds since signing in are counted off: a loaded machine is slow
    assert warning == "90"
    assert "js/session-timeout.js" in page


def test_signed_out_pages_have_no_timeout_warning(client):
    page = client.get(reverse("login")).content.decode()
    assert "session-timeout" not in page


def test_the_sign_in_page_says_why_after_a_timeout(client, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    page = client.get(reverse("login") + "?next=/escalations/raise/&timed_out=1").content.decode()
    assert "You were signed out because you had not done anything for 30 minutes." in page
    assert 'name="next" value="/escalations/raise/"' in page


def _run(script, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SESSION_", "OIDC_", "DJANGO_SETTINGS"))}
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


SESSION_SCRIPT = (
    "import json, iro_escalations.settings as s; "
    "print(json.dumps([s.SESSION_COOKIE_AGE, s.SESSION_SAVE_EVERY_REQUEST, s.SESSION_WRITE_INTERVAL_SECONDS]))"
)


def test_the_timeout_is_30_minutes_by_default_and_the_session_is_written_at_most_once_a_minute():
    assert json.loads(_run(SESSION_SCRIPT).stdout) == [1800, False, 60]


def test_the_timeout_comes_from_the_environment():
    assert json.loads(_run(SESSION_SCRIPT, SESSION_TIMEOUT_MINUTES="15").stdout) == [900, False, 60]


def test_a_timeout_too_short_to_warn_is_refused():
    result = _run(SESSION_SCRIPT, SESSION_TIMEOUT_MINUTES="1")
    assert result.returncode != 0
    assert "SESSION_TIMEOUT_MINUTES must be at least 2" in result.stderr
