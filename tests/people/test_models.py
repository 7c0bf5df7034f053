import pytest
from django.db import IntegrityError, transaction

from people.models import Role, User
from tests.factories import IroFactory, ManagerFactory, ServiceManagerFactory, stage

pytestmark = pytest.mark.django_db


def test_a_responding_manager_must_have_a_stage():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nostage", role=Role.MANAGER)


def test_a_manager_responds_at_their_stage():
    manager = ManagerFactory(stage=stage("head_of_service"))
    assert manager.role == Role.MANAGER
    assert manager.stage.code == "head_of_service"


def test_only_the_service_manager_and_admins_see_everything():
    assert ServiceManagerFactory().sees_everything
    assert User(role=Role.ADMIN).sees_everything
    assert not IroFactory().sees_everything
    assert not User(role=Role.REPORT_VIEWER).sees_everything


def test_a_user_is_shown_by_full_name():
    assert str(IroFactory(first_name="Ada", last_name="Okafor")) == "Ada Okafor"


def test_people_sort_by_surname_then_first_name_then_username_ignoring_case():
    people = [
        User(username="c", first_name="Ann", last_name="Leeds"),
        User(username="b", first_name="zoe", last_name="lee"),
        User(username="a", first_name="Zoe", last_name="Lee"),
        User(username="d", first_name="Bob", last_name="Lee"),
    ]
    assert [p.username for p in sorted(people, key=lambda p: p.sort_key)] == ["d", "a", "b", "c"]


def test_a_surname_sorts_before_a_longer_one_it_begins():
    lee, leeds = User(username="x", last_name="Lee", first_name="Zed"), User(username="y", last_name="Leeds")
    assert lee.sort_key < leeds.sort_key
