"""The password policy and the lockout after repeated failed sign-ins."""

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import IroFactory

pytestmark = pytest.mark.django_db

STRONG = "kettle-harbour-lantern-47"


def _problems(password, user=None):
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


def test_a_long_uncommon_password_is_accepted():
    assert _problems(STRONG) == []


def test_a_password_under_12_characters_is_refused():
    assert "password_too_short" in _problems("Ab3$efgh1k")


def test_a_common_password_is_refused():
    assert "password_too_common" in _problems("password1234")


def test_an_all_numeric_password_is_refused():
    assert "password_entirely_numeric" in _problems("831946027153")


def test_a_password_like_the_username_is_refused():
    user = IroFactory.build(username="bartholomew.quince", first_name="Bartholomew", last_name="Quince")
    assert "password_too_similar" in _problems("bartholomew.quince", user=user)


def test_setting_a_password_through_a_form_applies_the_policy():
    """The admin's "change password" form (and any password form) runs the same validators."""
    user = IroFactory()
    form = SetPasswordForm(user, {"new_password1": "short", "new_password2": "short"})
    assert not form.is_valid()
    assert "This password is too short. It must contain at least 12 characters." in form.errors["new_password2"]


def test_a_locked_out_account_gets_a_gov_uk_page_saying_what_to_do(client):
    IroFactory(username="iro1")
    for _ in range(5):
        client.post(reverse("login"), {"username": "iro1", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "iro1", "password": "demo-password"})
    page = response.content.decode()
    assert response.status_code == 429
    assert '<h1 class="govuk-heading-l">You cannot sign in for now</h1>' in page
    assert "There have been 5 unsuccessful attempts to sign in as <strong>iro1</strong>" in page
    assert "You can try again in 1 hour." in page


def test_a_successful_sign_in_clears_earlier_failures(client):
    IroFactory(username="iro1")
    for _ in range(4):
        client.post(reverse("login"), {"username": "iro1", "password": "wrong"})
    client.post(reverse("login"), {"username": "iro1", "password": "demo-password"})
    client.logout()
    for _ in range(4):
        client.post(reverse("login"), {"username": "iro1", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "iro1", "password": "demo-password"})
    assert response.status_code == 302


def test_a_300_character_username_is_refused_with_a_message(client):
    response = client.post(reverse("login"), {"username": "u" * 300, "password": "wrong"})
    assert response.status_code == 200
    assert "Enter a username of 150 characters or fewer" in response.content.decode()


def test_a_username_with_a_nul_is_refused_with_a_message(client):
    response = client.post(reverse("login"), {"username": "iro\x001", "password": "wrong"})
    assert response.status_code == 200
    assert "contains a NUL character" in response.content.decode()
