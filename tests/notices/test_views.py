import pytest
from django.urls import reverse
from django.utils import timezone

from notices.delivery import notices_deliver
from tests.factories import raise_escalation

pytestmark = pytest.mark.django_db


def test_in_development_the_sent_emails_page_shows_what_was_sent(client, settings):
    settings.DEBUG = True
    esc = raise_escalation(raised_at=timezone.now())
    notices_deliver()
    client.force_login(esc.iro)
    page = client.get(reverse("notices:sent")).content.decode()
    assert f"{esc.reference}: sent to you" in page and esc.current_addressee.email in page


def test_a_settings_choice_that_is_not_offered_is_refused_with_a_message(client):
    esc = raise_escalation()
    client.force_login(esc.current_addressee)
    response = client.post(reverse("notices:settings"), {"addressed": "off", "others": "at_once"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
