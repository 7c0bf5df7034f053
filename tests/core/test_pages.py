"""The accessibility statement and the privacy notice: open to everyone, linked from every page."""

import logging
import sys

import pytest
from django.test import Client
from django.urls import path, reverse

from core.logs import QuietForbidden
from iro_escalations import urls as project_urls
from tests.factories import IroFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name, heading",
    [
        ("accessibility", "Accessibility statement for IRO Escalations"),
        ("privacy", "Privacy notice for IRO Escalations"),
    ],
)
def test_the_page_is_served_without_signing_in(client, name, heading):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in response.content.decode()


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_footer_links_to_both(client, signed_in):
    if signed_in:
        client.force_login(IroFactory())
    page = client.get(reverse("login")).content.decode()
    assert f'<a class="govuk-footer__link" href="{reverse("accessibility")}">Accessibility statement</a>' in page
    assert f'<a class="govuk-footer__link" href="{reverse("privacy")}">Privacy notice</a>' in page


def test_the_accessibility_statement_gives_the_councils_contact_email(client, settings):
    settings.SERVICE_CONTACT_EMAIL = "iro.service@example.gov.uk"
    page = client.get(reverse("accessibility")).content.decode()
    assert '<a class="govuk-link" href="mailto:iro.service@example.gov.uk">iro.service@example.gov.uk</a>' in page


def test_without_a_contact_email_the_statement_says_it_is_missing(client, settings):
    settings.SERVICE_CONTACT_EMAIL = ""
    page = client.get(reverse("accessibility")).content.decode()
    assert "The council has not yet given a contact email address for this service" in page
    assert "mailto:" not in page


def test_the_accessibility_statement_names_the_standard_and_the_timeout(client, settings):
    settings.SESSION_COOKIE_AGE = 20 * 60
    page = client.get(reverse("accessibility")).content.decode()
    assert "version 2.2 to level AA" in page
    assert "you are signed out after 20 minutes without using the service" in page


def test_the_privacy_notice_names_the_council_and_its_data_protection_officer(client, settings):
    settings.SERVICE_COUNCIL_NAME = "Exampleshire County Council"
    settings.SERVICE_DPO_EMAIL = "dpo@example.gov.uk"
    page = client.get(reverse("privacy")).content.decode()
    assert "Exampleshire County Council is the data controller" in page
    assert 'href="mailto:dpo@example.gov.uk"' in page


def test_the_privacy_notice_explains_the_access_log(client):
    page = client.get(reverse("privacy")).content.decode()
    assert "Every time someone opens a child’s page or an escalation’s page, the service records who opened it" in page


def test_a_server_error_gets_the_govuk_page(client, settings):
    def boom(request):
        raise RuntimeError("a fault")

    settings.ROOT_URLCONF = type("urls", (), {"urlpatterns": [path("boom/", boom), *project_urls.urlpatterns]})
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_an_ordinary_403_is_logged_without_a_traceback(client, caplog):
    client.force_login(IroFactory())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("dashboard")).status_code == 403
    record = next(r for r in caplog.records if r.name == "django.request")
    assert (record.status_code, record.exc_info) == (403, None)  # the console handler's filter took it off


def test_the_filter_keeps_the_traceback_of_a_real_fault():
    try:
        raise RuntimeError("a fault")
    except RuntimeError:
        fault = logging.LogRecord("django.request", logging.ERROR, "", 0, "boom", (), sys.exc_info())
    fault.status_code = 500
    assert QuietForbidden().filter(fault) and fault.exc_info is not None
