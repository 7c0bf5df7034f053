"""Limits on what a request may send (core/limits.py): bodies refused from their Content-Length
before anything reads them, and the POST rate limit."""

import pytest
from django.urls import reverse

from tests.factories import IroFactory

pytestmark = pytest.mark.django_db


class _Unread:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def _post(client, path, length, **extra):
    return client.generic(
        "POST", path, b"", content_type="application/x-www-form-urlencoded", CONTENT_LENGTH=str(length), **extra
    )


def test_an_anonymous_body_over_the_limit_is_refused_with_413_without_reading_it(client, settings):
    response = client.generic(
        "POST",
        reverse("login"),
        content_type="application/x-www-form-urlencoded",
        **{"CONTENT_LENGTH": str(settings.ANONYMOUS_BODY_MAX_BYTES + 1), "wsgi.input": _Unread()},
    )
    assert response.status_code == 413
    assert "What you sent is too large" in response.content.decode()


def test_an_anonymous_sign_in_within_the_limit_is_read(client):
    IroFactory(username="iro1")
    response = client.post(reverse("login"), {"username": "iro1", "password": "demo-password"})
    assert response.status_code == 302


def test_a_signed_in_body_over_the_request_limit_is_refused_with_413(client, settings):
    client.force_login(IroFactory())
    settings.REQUEST_BODY_MAX_BYTES = 1000
    response = client.post(reverse("escalations:raise"), {"concern": "x" * 2000})
    assert response.status_code == 413
    assert "The service accepts up to 1 KB at once. Nothing was saved." in response.content.decode()


def test_a_signed_in_body_under_the_limit_but_over_djangos_form_limit_is_a_400_page(client, settings):
    client.force_login(IroFactory())
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(reverse("escalations:raise"), {"concern": "x" * 2000})
    assert response.status_code == 400


def test_posts_over_the_rate_limit_get_a_429_page(client, settings):
    settings.POST_RATE_LIMIT_PER_MINUTE = 3
    client.force_login(IroFactory())
    codes = [client.post(reverse("session_keep_alive")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.post(reverse("session_keep_alive"))
    assert "Too many changes in a minute" in response.content.decode()
    assert response["Retry-After"] == "60"


def test_the_rate_limit_is_per_person(client, settings):
    settings.POST_RATE_LIMIT_PER_MINUTE = 1
    client.force_login(IroFactory())
    assert client.post(reverse("session_keep_alive")).status_code == 200
    client.force_login(IroFactory())
    assert client.post(reverse("session_keep_alive")).status_code == 200


def test_gets_are_not_rate_limited(client, settings):
    settings.POST_RATE_LIMIT_PER_MINUTE = 1
    client.force_login(IroFactory())
    assert {client.get(reverse("home")).status_code for _ in range(3)} == {302}


def test_an_api_body_over_the_anonymous_limit_is_left_to_the_api_which_refuses_it_unread(client, settings):
    response = client.generic(
        "POST",
        "/api/v1/children/upsert/",
        content_type="application/json",
        **{"CONTENT_LENGTH": str(settings.ANONYMOUS_BODY_MAX_BYTES + 1), "wsgi.input": _Unread()},
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_the_api_is_throttled_by_its_own_rule_not_the_pages_post_limit(client, settings):
    settings.POST_RATE_LIMIT_PER_MINUTE = 1
    client.force_login(IroFactory())
    codes = [client.post("/api/v1/escalations/999999/first-response/").status_code for _ in range(3)]
    assert 429 not in codes
