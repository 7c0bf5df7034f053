import pytest
from django.urls import reverse

from background.services import worker_heartbeat_beat
from tests.factories import IroFactory, UserFactory, stage

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_is_served(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in response.content.decode()


def test_home_needs_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_signing_in_leads_an_iro_home_to_their_children(client):
    IroFactory(username="iro1")
    response = client.post(reverse("login"), {"username": "iro1", "password": "demo-password"}, follow=True)
    assert [url for url, _ in response.redirect_chain] == [reverse("home"), reverse("children:list")]
    assert "Signed in as" in response.content.decode()


@pytest.mark.parametrize(
    "role, start",
    [
        ("manager", "escalations:inbox"),
        ("report_viewer", "reports:page"),
        ("iro", "children:list"),
    ],
)
def test_home_sends_each_role_to_its_start_page(client, role, start):

    user = UserFactory(role=role, stage=stage("team_manager") if role == "manager" else None)
    client.force_login(user)
    assert client.get(reverse("home"))["Location"] == reverse(start)


def test_a_failed_sign_in_shows_the_error_summary_and_keeps_the_username(client):
    IroFactory(username="iro1")
    response = client.post(reverse("login"), {"username": "iro1", "password": "wrong"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'value="iro1"' in page
    assert "<title>Error: Sign in" in page


def test_repeated_failures_lock_the_account_out(client):
    IroFactory(username="iro1")
    for _ in range(5):
        client.post(reverse("login"), {"username": "iro1", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "iro1", "password": "demo-password"})
    assert response.status_code == 429


def test_alive_says_only_ok(client):
    response = client.get(reverse("healthz"))
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_not_ready_without_a_worker(client):
    response = client.get(reverse("readyz"))
    assert (response.status_code, response.json()) == (503, {"status": "not ready"})


def test_ready_with_a_worker_beating(client):
    worker_heartbeat_beat(worker_id="web-test")
    response = client.get(reverse("readyz"))
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
