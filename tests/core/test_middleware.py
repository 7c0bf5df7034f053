"""One log line per request with its ID, and the security headers (core/middleware.py)."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import IroFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_every_answer_carries_a_request_id(client):
    assert len(client.get(reverse("login"))["X-Request-ID"]) == 32


def test_the_proxys_request_id_is_kept(client):
    response = client.get(reverse("login"), headers={"X-Request-ID": "nginx-0123456789abcdef"})
    assert response["X-Request-ID"] == "nginx-0123456789abcdef"


def test_a_request_id_that_is_not_one_is_replaced(client):
    response = client.get(reverse("login"), headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert response["X-Request-ID"] != "<script>alert(1)</script>" and len(response["X-Request-ID"]) == 32


def test_a_request_is_logged_once_without_its_query_string(client, caplog):
    iro = IroFactory()
    client.force_login(iro)
    with caplog.at_level(logging.INFO, logger="iro.requests"):
        response = client.get(reverse("children:list") + "?q=Marigold")
    [record] = [r for r in caplog.records if r.name == "iro.requests"]
    assert (record.method, record.path, record.status, record.user_id) == ("GET", "/children/", 200, iro.pk)
    assert record.request_id == response["X-Request-ID"] and record.route == "children/"
    assert "Marigold" not in record.getMessage()


def test_a_signed_in_answer_is_never_stored_and_a_signed_out_one_may_be(client):
    assert client.get(reverse("login")).get("Cache-Control") != "no-store"
    client.force_login(IroFactory())
    assert client.get(reverse("children:list"))["Cache-Control"] == "no-store"


def test_every_answer_has_a_permissions_policy_and_a_strict_csp(client):
    response = client.get(reverse("login"))
    assert "camera=()" in response["Permissions-Policy"]
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


def test_plain_http_is_sent_to_https_when_the_redirect_is_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("login"))
    assert (response.status_code, response["Location"]) == (301, "https://testserver/sign-in/")


def test_the_health_checks_are_not_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("healthz")).status_code == 200


def _production(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS"))}
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 20 + "production-like-secret-key-for-the-check-" + "y" * 20}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **production, "ALLOWED_HOSTS": "iro.example.org", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_logs_are_json_lines():
    script = (
        "import logging, django; django.setup(); "
        "logging.getLogger('iro.requests').info('GET / 200', extra={'status': 200})"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "iro_escalations.settings",
            "DEBUG": "0",
            "SECRET_KEY": "z" * 60,
            "LOG_FORMAT": "json",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"], line["status"]) == (
        "INFO",
        "iro.requests",
        "GET / 200",
        200,
    )
