"""A child's access log, for the service manager (audit.views)."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.services import access_log_record
from people.models import Role, User
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    UserFactory,
    raise_escalation,
)
from tests.querycount import queries_for

pytestmark = pytest.mark.django_db


def _url(child) -> str:
    return reverse("audit:child_access_log", args=[child.pk])


def _at(minutes_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes_ago)


# --- who may use it --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.IRO, Role.MANAGER, Role.REPORT_VIEWER])
def test_other_roles_may_not_use_it(client, role):
    child = ChildFactory()
    user = child.iro if role == Role.IRO else ManagerFactory() if role == Role.MANAGER else UserFactory(role=role)
    client.force_login(user)
    assert client.get(_url(child)).status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(_url(ChildFactory()))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("login"))


def test_an_unknown_child_is_not_found(sm_client):
    assert sm_client.get(reverse("audit:child_access_log", args=[999999])).status_code == 404


def test_an_admin_may_read_it(client):
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(_url(ChildFactory())).status_code == 200


# --- what it shows ---------------------------------------------------------------------------------


def test_it_shows_who_opened_what_and_when_newest_first(sm_client):
    iro = IroFactory(first_name="Iris", last_name="Owens")
    child = ChildFactory(iro=iro)
    escalation = raise_escalation(iro=iro, children=[child])
    [older] = access_log_record(user=iro, child=child, path=f"/children/{child.pk}/", at=_at(60))
    [newer] = access_log_record(
        user=escalation.current_addressee, escalation=escalation, path="/escalations/1/", at=_at(5)
    )
    response = sm_client.get(_url(child))
    assert list(response.context["page"].object_list) == [newer.pk, older.pk]
    body = response.content.decode()
    assert (
        f'Escalation <a class="govuk-link" '
        f'href="{reverse("escalations:detail", args=[escalation.pk])}">{escalation.reference}</a>' in body
    )
    assert "Iris Owens" in body and "Independent reviewing officer" in body


def test_someone_without_a_name_is_shown_by_their_username(sm_client):
    child = ChildFactory()
    nameless = ManagerFactory(first_name="", last_name="", username="duty.manager")
    access_log_record(user=nameless, child=child, path=f"/children/{child.pk}/")
    rows = sm_client.get(_url(child)).context["rows"]
    assert '<td class="govuk-table__cell">duty.manager<br>' in rows[-1]


def test_it_shows_only_that_child_s_entries(sm_client):
    child, other = ChildFactory(), ChildFactory()
    access_log_record(user=other.iro, child=other, path=f"/children/{other.pk}/")
    assert sm_client.get(_url(child)).context["page"].paginator.count == 0


def test_with_no_entries_it_says_nobody_has_looked(sm_client):
    child = ChildFactory(first_name="Nell")
    assert "Nobody has opened Nell’s page" in sm_client.get(_url(child)).content.decode()


def test_reading_a_childs_log_is_logged_too_since_it_names_them(sm_client):
    child = ChildFactory()
    sm_client.get(_url(child))
    assert list(AccessLogEntry.objects.values_list("child", "path")) == [(child.pk, _url(child))]


def test_page_2_holds_the_oldest_entries(sm_client):
    child = ChildFactory()
    for minutes in range(51):
        access_log_record(user=child.iro, child=child, path=f"/children/{child.pk}/", at=_at(minutes))
    oldest = AccessLogEntry.objects.order_by("viewed_at").first()
    response = sm_client.get(_url(child), {"page": 2})
    assert list(response.context["page"].object_list) == [oldest.pk]


# --- queries ---------------------------------------------------------------------------------------


def test_the_log_runs_the_same_queries_with_1_or_50_entries(sm_client, django_assert_num_queries):
    iro = IroFactory()
    child = ChildFactory(iro=iro)

    def escalation_opened_by_someone_new():
        escalation = raise_escalation(iro=iro, children=[child, ChildFactory(iro=iro), ChildFactory(iro=iro)])
        access_log_record(user=ManagerFactory(), escalation=escalation, path=f"/escalations/{escalation.pk}/")

    escalation_opened_by_someone_new()
    queries = len(queries_for(sm_client, _url(child)))
    for _ in range(49):
        escalation_opened_by_someone_new()
    with django_assert_num_queries(queries):
        response = sm_client.get(_url(child))
    assert len(response.context["page"].object_list) == 50


# --- rows kept (PostgreSQL, where there is a data version) ---------------------------------------

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the data version is PostgreSQL's")


def _service_manager_client() -> Client:
    client = Client()
    client.force_login(ServiceManagerFactory())
    return client


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_log_read_again_adds_the_opening_before_it_at_the_top():
    child = ChildFactory()
    client = _service_manager_client()
    client.get(_url(child))  # nobody yet; this opening is logged
    second = client.get(_url(child))
    third = client.get(_url(child))
    assert (len(second.context["rows"]), len(third.context["rows"])) == (1, 2)
    assert third.context["rows"][1] == second.context["rows"][0]
    first_two = AccessLogEntry.objects.filter(child=child).order_by("viewed_at", "pk").values_list("pk", flat=True)
    assert list(third.context["page"].object_list) == list(reversed(first_two[:2]))


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_read_again_shows_a_name_changed_since():
    child = ChildFactory()
    iro = IroFactory(first_name="Iris", last_name="Owens")
    access_log_record(user=iro, child=child, path=f"/children/{child.pk}/")
    client = _service_manager_client()
    assert "Iris Owens" in client.get(_url(child)).content.decode()
    User.objects.filter(pk=iro.pk).update(last_name="Marsh")
    body = client.get(_url(child)).content.decode()
    assert "Iris Marsh" in body and "Iris Owens" not in body
