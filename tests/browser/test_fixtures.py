"""The browser-test fixtures themselves: the demo council is whole in every test that asks for it,
and sign_in notices a refused sign-in."""

import pytest

from demo.services import FIXED_LOGINS
from escalations.models import Escalation
from people.models import User
from tests.browser.conftest import sign_in


def test_demo_world_has_every_demo_login_and_escalation(demo_world):
    assert sorted(User.objects.filter(username__in=FIXED_LOGINS).values_list("username", flat=True)) == sorted(
        FIXED_LOGINS
    )
    assert Escalation.objects.count() == demo_world.escalations_created > 0


def test_sign_in_fails_loudly_on_a_wrong_password(page, demo_world):
    with pytest.raises(AssertionError, match="signing in as 'iro1' failed"):
        sign_in(page, "iro1", "not-the-password")
