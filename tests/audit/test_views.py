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
    assert list(response.context["page"].items) == [newer.pk, older.pk]
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
    assert sm_client.get(_url(child)).context["page"].items == []


def test_with_no_entries_it_says_nobody_has_looked(sm_client):
    child = ChildFactory(first_name="Nell")
    assert "Nobody has opened Nell’s page" in sm_client.get(_url(child)).content.decode()


def test_reading_a_childs_log_is_logged_too_since_it_names_them(sm_client):
    child = ChildFactory()
    sm_client.get(_url(child))
    assert list(AccessLogEntry.objects.values_list("child", "path")) == [(child.pk, _url(child))]


def test_older_links_to_the_next_older_page(sm_client):
    child = ChildFactory()
    for minutes in range(51):
        access_log_record(user=child.iro, child=child, path=f"/children/{child.pk}/", at=_at(minutes))
    oldest = AccessLogEntry.objects.order_by("viewed_at").first()
    first = sm_client.get(_url(child))
    older_href = f"?older_than={first.context['page'].items[-1]}"
    assert f'href="{older_href}" rel="next"' in first.content.decode()
    assert sm_client.get(_url(child) + older_href).context["page"].items == [oldest.pk]


def test_newer_on_an_older_page_links_to_the_page_just_newer(sm_client):
    child = ChildFactory()
    for minutes in range(51):
        access_log_record(user=child.iro, child=child, path=f"/children/{child.pk}/", at=_at(minutes))
    newest = sm_client.get(_url(child)).context["page"].items
    older = sm_client.get(_url(child), {"older_than": newest[-1]})
    newer_href = f"?newer_than={older.context['page'].items[0]}"
    assert f'href="{newer_href}" rel="prev"' in older.content.decode()
    in_order = list(
        AccessLogEntry.objects.filter(child=child).order_by("-viewed_at", "-pk").values_list("pk", flat=True)
    )
    at = in_order.index(older.context["page"].items[0])
    assert sm_client.get(_url(child) + newer_href).context["page"].items == in_order[at - 50 : at]


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", ""])
def test_a_page_link_edited_by_hand_gives_the_newest_page(sm_client, value):
    child = ChildFactory()
    [entry] = access_log_record(user=child.iro, child=child, path=f"/children/{child.pk}/")
    response = sm_client.get(_url(child), {"older_than": value})
    assert response.status_code == 200 and response.context["page"].items == [entry.pk]


def test_each_entry_says_what_was_opened(sm_client):
    child = ChildFactory()
    access_log_record(user=child.iro, child=child, path=reverse("children:detail", args=[child.pk]))
    access_log_record(user=child.iro, child=child, path=reverse("children:list"))
    sm_client.get(_url(child))
    rows = sm_client.get(_url(child)).context["rows"]
    assert ["This access log" in rows[0], "A page that showed them" in rows[1], "The child’s page" in rows[2]] == [
        True,
        True,
        True,
    ]


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
    assert len(response.context["page"].items) == 50


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
    assert list(third.context["page"].items) == list(reversed(first_two[:2]))


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
