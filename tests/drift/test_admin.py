import pytest
from django.urls import reverse

from drift.models import RuleTheme
from people.models import Role
from people.services import user_grant_configuration
from tests.factories import ServiceManagerFactory, UserFactory, subtheme, theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def test_the_map_is_seeded_with_the_issues_defaults():
    found = {row.rule: (row.theme.code, row.subtheme.code if row.subtheme else None) for row in RuleTheme.objects.all()}

    assert found == {
        "R33-first": ("drift", None),
        "R33-second": ("drift", None),
        "R33-later": ("drift", None),
        "R28-visit": ("sw_visits", None),
        "R4-care-plan": ("care_plan_not_on_system", None),
        "no-allocated-worker": ("no_allocated_worker", None),
        "missing-now": ("safety", "missing"),
        "staying-put": ("staying_put", None),
    }


def test_an_admin_changes_a_rules_theme_and_the_change_is_audited(admin_client):
    row = RuleTheme.objects.get(rule="R28-visit")

    response = admin_client.post(
        reverse("admin:drift_ruletheme_change", args=[row.pk]), {"theme": theme("placement").pk, "subtheme": ""}
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.theme == theme("placement")
    assert row.history.filter(history_type="~").count() == 1


def test_a_sub_theme_of_another_theme_is_refused(admin_client):
    row = RuleTheme.objects.get(rule="R28-visit")

    response = admin_client.post(
        reverse("admin:drift_ruletheme_change", args=[row.pk]),
        {"theme": theme("sw_visits").pk, "subtheme": subtheme("safety", "missing").pk},
    )

    assert response.status_code == 200
    assert "Choose a sub-theme of Infrequent social work visits, or none." in response.content.decode()
    row.refresh_from_db()
    assert row.subtheme is None


def test_rules_are_neither_added_nor_deleted_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:drift_ruletheme_add")).status_code == 403


def test_a_service_manager_with_the_configuration_pages_may_change_the_map(client):
    client.force_login(user_grant_configuration(user=ServiceManagerFactory()))
    row = RuleTheme.objects.get(rule="R28-visit")

    assert client.get(reverse("admin:drift_ruletheme_change", args=[row.pk])).status_code == 200
