"""The password policy and the lockout after repeated failed sign-ins."""

import pytest
from axes.models import AccessFailureLog
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import IroFactory, ServiceManagerFactory

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


def test_failed_sign_ins_are_kept_after_a_successful_one(client):
    IroFactory(username="iro1")
    for _ in range(2):
        client.post(reverse("login"), {"username": "iro1", "password": "wrong"})
    client.post(reverse("login"), {"username": "iro1", "password": "demo-password"})
    assert AccessFailureLog.objects.filter(username="iro1").count() == 2


def test_one_ip_is_stopped_after_the_limit_across_usernames(client, settings):
    settings.SIGN_IN_IP_FAILURE_LIMIT = 8
    IroFactory(username="iro1")
    for n in range(8):  # 8 usernames, one try each: no username+IP pair reaches axes' limit of 5
        assert client.post(reverse("login"), {"username": f"user{n}", "password": "wrong"}).status_code == 200
    response = client.post(reverse("login"), {"username": "iro1", "password": "demo-password"})
    page = response.content.decode()
    assert response.status_code == 429
    assert "unsuccessful attempts to sign in from this device or network, under different usernames" in page


def test_another_ip_is_not_stopped(client, settings):
    settings.SIGN_IN_IP_FAILURE_LIMIT = 2
    IroFactory(username="iro1")
    for n in range(2):
        client.post(reverse("login"), {"username": f"user{n}", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(reverse("login"), {"username": "iro1", "password": "demo-password"}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302


def test_the_service_manager_sees_recent_failed_sign_ins(client):
    client.post(reverse("login"), {"username": "nobody-here", "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.force_login(ServiceManagerFactory())
    page = client.get(reverse("sign_in_failures")).content.decode()
    assert "nobody-here" in page and "10.1.2.3" in page


def test_the_failed_sign_ins_are_paginated(client):
    for n in range(51):
        client.post(reverse("login"), {"username": f"u{n:02d}", "password": "wrong"}, REMOTE_ADDR=f"10.0.{n}.1")
    client.force_login(ServiceManagerFactory())
    first = client.get(reverse("sign_in_failures")).content.decode()
    second = client.get(reverse("sign_in_failures"), {"page": 2}).content.decode()
    assert "u50" in first and "u00" not in first
    assert "u00" in second


def test_a_password_is_changed_with_the_configured_rules(client):
    user = IroFactory()
    client.force_login(user)
    refused = client.post(
        reverse("password_change"),
        {"old_password": "demo-password", "new_password1": "short", "new_password2": "short"},
    )
    assert refused.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in refused.content.decode()
    done = client.post(
        reverse("password_change"),
        {"old_password": "demo-password", "new_password1": STRONG, "new_password2": STRONG},
        follow=True,
    )
    assert "Your password has been changed" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_the_header_links_to_the_password_change_page(client):
    client.force_login(IroFactory())
    page = client.get(reverse("accessibility")).content.decode()
    assert f'href="{reverse("password_change")}"' in page


def test_a_failed_sign_in_is_summarised_with_a_link_to_the_username(client):
    IroFactory(username="iro-x")
    page = client.post(reverse("login"), {"username": "iro-x", "password": "not-the-password"}).content.decode()
    assert 'class="govuk-error-summary"' in page
    assert '<a href="#id_username">Please enter a correct username and password.' in page


def test_a_wrong_current_password_is_summarised_with_a_link_to_its_field(client):
    client.force_login(IroFactory())
    page = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": STRONG, "new_password2": STRONG},
    ).content.decode()
    assert '<a href="#id_old_password">Your old password was entered incorrectly.' in page
