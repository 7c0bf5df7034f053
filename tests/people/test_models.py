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
