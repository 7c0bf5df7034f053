"""Optional single sign-on (core/oidc.py): off unless configured, and it only signs people in to
accounts that already exist, matched by email. No identity provider is contacted: its answers
(token, claims) are stood in for."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.contrib.auth import get_user
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from core import oidc
from people.models import User
from tests.core.test_settings import ROOT
from tests.factories import IroFactory

pytestmark = pytest.mark.django_db

IDP = {
    "OIDC_RP_CLIENT_ID": "iro-escalations",
    "OIDC_RP_CLIENT_SECRET": "not-a-real-secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.example.invalid/tenant/oauth2/v2.0/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://login.example.invalid/tenant/oauth2/v2.0/token",
    "OIDC_OP_USER_ENDPOINT": "https://graph.example.invalid/oidc/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://login.example.invalid/tenant/discovery/v2.0/keys",
}

# --- the switch, in a fresh interpreter as at start-up --------------------------------------------

SWITCH_SCRIPT = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "iro_escalations.settings"
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import NoReverseMatch, reverse
setup_test_environment()
try:
    sso_url = reverse("oidc_authentication_init")
except NoReverseMatch:
    sso_url = None
print(json.dumps({
    "enabled": settings.OIDC_ENABLED,
    "backends": settings.AUTHENTICATION_BACKENDS,
    "pkce": getattr(settings, "OIDC_USE_PKCE", None),
    "create_users": getattr(settings, "OIDC_CREATE_USER", None),
    "sso_url": sso_url,
    "sign_in_page": Client().get("/sign-in/").content.decode(),
}))
"""


def _start(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OIDC_", "DJANGO_SETTINGS"))}
    return subprocess.run(
        [sys.executable, "-c", SWITCH_SCRIPT],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_single_sign_on_is_off_by_default():
    result = _start()
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["enabled"] is False
    assert "core.oidc.CouncilAccountBackend" not in values["backends"]
    assert values["sso_url"] is None
    assert "Sign in with your council account" not in values["sign_in_page"]


def test_the_environment_switches_it_on_with_its_urls_and_the_sign_in_link():
    result = _start(**IDP)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["enabled"] is True
    assert values["backends"] == [
        "axes.backends.AxesStandaloneBackend",  # lockout still checked first
        "django.contrib.auth.backends.ModelBackend",  # passwords still work
        "core.oidc.CouncilAccountBackend",
    ]
    assert (values["pkce"], values["create_users"]) == (True, False)
    assert values["sso_url"] == "/oidc/authenticate/"
    assert 'href="/oidc/authenticate/"' in values["sign_in_page"]
    assert "Sign in with your council account</a>" in values["sign_in_page"]


def test_half_a_configuration_is_refused_naming_what_is_missing():
    env = {k: v for k, v in IDP.items() if k not in ("OIDC_OP_TOKEN_ENDPOINT", "OIDC_RP_CLIENT_SECRET")}
    result = _start(**env)
    assert result.returncode != 0
    assert "Single sign-on is half set up: set OIDC_RP_CLIENT_SECRET, OIDC_OP_TOKEN_ENDPOINT too" in result.stderr


def test_signed_tokens_need_the_key_set_endpoint():
    env = {k: v for k, v in IDP.items() if k != "OIDC_OP_JWKS_ENDPOINT"}
    result = _start(**env)
    assert result.returncode != 0
    assert "set OIDC_OP_JWKS_ENDPOINT too" in result.stderr


# --- matching the identity provider's person to an account --------------------------------------


@pytest.fixture
def sso(settings):
    for name, value in IDP.items():
        setattr(settings, name, value)
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_CREATE_USER = False
    settings.OIDC_USE_PKCE = True
    settings.LOGIN_REDIRECT_URL_FAILURE = "/sign-in/"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "core.oidc.CouncilAccountBackend"]
    return settings


class _Request:
    """What the backend keeps its refusal on."""


def _match(claims):
    backend = oidc.CouncilAccountBackend()
    backend.request = _Request()
    return backend.user_for_claims(claims), getattr(backend.request, "oidc_refusal", None)


def test_the_account_with_the_same_email_is_signed_in_whatever_the_case(sso):
    user = IroFactory(email="Jo.Bloggs@Example.gov.uk")
    assert _match({"email": "jo.bloggs@example.GOV.uk", "sub": "abc"}) == (user, None)


def test_an_unknown_email_is_refused_and_no_account_is_created(sso):
    IroFactory(email="someone.else@example.gov.uk")
    before = User.objects.count()
    user, reason = _match({"email": "new.starter@example.gov.uk"})
    assert user is None
    assert reason == oidc.NO_ACCOUNT.format(email="new.starter@example.gov.uk")
    assert User.objects.count() == before


def test_two_accounts_with_the_email_are_refused(sso):
    IroFactory(email="shared@example.gov.uk")
    IroFactory(email="SHARED@example.gov.uk")
    assert _match({"email": "shared@example.gov.uk"}) == (
        None,
        oidc.SEVERAL_ACCOUNTS.format(email="shared@example.gov.uk"),
    )


def test_a_deactivated_account_is_refused(sso):
    IroFactory(email="left@example.gov.uk", is_active=False)
    assert _match({"email": "left@example.gov.uk"}) == (None, oidc.DEACTIVATED)


def test_claims_without_an_email_are_refused(sso):
    IroFactory(email="")
    assert _match({"sub": "abc", "email": ""}) == (None, oidc.NO_EMAIL)


def test_the_identity_provider_cannot_change_the_role(sso):
    user = IroFactory(email="jo@example.gov.uk")
    matched, _ = _match({"email": "jo@example.gov.uk", "roles": ["service_manager"], "role": "admin"})
    matched.refresh_from_db()
    assert matched.role == user.role == "iro"


@pytest.mark.parametrize(
    "audience, accepted",
    [
        ("iro-escalations", True),
        (["other-app", "iro-escalations"], True),
        ("other-app", False),
        (None, False),
    ],
)
def test_the_id_token_must_be_issued_to_this_service(sso, monkeypatch, audience, accepted):

    payload = {"nonce": "n0nce", "email": "jo@example.gov.uk", **({"aud": audience} if audience else {})}
    monkeypatch.setattr(OIDCAuthenticationBackend, "verify_token", lambda self, token, **kw: payload)
    backend = oidc.CouncilAccountBackend()
    if accepted:
        assert backend.verify_token("id.token.sig", nonce="n0nce") == payload
    else:
        with pytest.raises(SuspiciousOperation, match="not issued to this service"):
            backend.verify_token("id.token.sig", nonce="n0nce")


# --- the whole callback, with the identity provider's answers stood in for -----------------------


@pytest.fixture
def idp_says(monkeypatch):
    """Stand in for the token endpoint, the token's signature check and the userinfo endpoint."""

    def answer(claims):
        monkeypatch.setattr(
            oidc.CouncilAccountBackend,
            "get_token",
            lambda self, payload: {"id_token": "header.payload.signature", "access_token": "access"},
        )
        monkeypatch.setattr(oidc.CouncilAccountBackend, "verify_token", lambda self, token, **kw: {"nonce": "n0nce"})
        monkeypatch.setattr(oidc.CouncilAccountBackend, "get_userinfo", lambda self, *args: claims)

    return answer


def _come_back_from_the_idp(client):
    session = client.session
    session["oidc_states"] = {"st4te": {"nonce": "n0nce", "code_verifier": "v" * 64, "added_on": time.time()}}
    session.save()
    return client.get("/oidc/callback/", {"code": "c0de", "state": "st4te"}, follow=True)


@pytest.mark.urls("tests.core.oidc_urls")
def test_a_known_person_comes_back_signed_in(client, sso, idp_says):
    user = IroFactory(email="iro1@example.gov.uk")
    idp_says({"email": "iro1@example.gov.uk"})
    response = _come_back_from_the_idp(client)
    assert get_user(client) == user
    assert response.redirect_chain[-1][0] == reverse("children:list")


@pytest.mark.urls("tests.core.oidc_urls")
def test_an_unknown_person_is_back_on_sign_in_told_why(client, sso, idp_says):
    idp_says({"email": "stranger@example.gov.uk"})
    response = _come_back_from_the_idp(client)
    assert not get_user(client).is_authenticated
    assert response.redirect_chain == [("/sign-in/", 302)]
    assert (
        "There is no IRO Escalations account with the email address stranger@example.gov.uk."
        in response.content.decode()
    )


@pytest.mark.urls("tests.core.oidc_urls")
def test_an_error_from_the_identity_provider_is_back_on_sign_in_told_to_try_again(client, sso):
    response = client.get("/oidc/callback/", {"error": "access_denied"}, follow=True)
    assert response.redirect_chain == [("/sign-in/", 302)]
    assert oidc.SIGN_IN_FAILED in response.content.decode()


@pytest.mark.urls("tests.core.oidc_urls")
def test_the_sign_in_link_starts_single_sign_on_with_pkce(client, sso):
    response = client.get(reverse("oidc_authentication_init") + "?next=/escalations/mine/")
    location = response["Location"]
    assert location.startswith(IDP["OIDC_OP_AUTHORIZATION_ENDPOINT"] + "?")
    assert "client_id=iro-escalations" in location
    assert "code_challenge_method=S256" in location
