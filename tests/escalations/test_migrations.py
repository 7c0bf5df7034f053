"""The escalations app's data migrations, run on the test database's rows."""

import importlib

import pytest
from django.apps import apps

from escalations.models import Escalation
from tests.factories import raise_escalation, stage

pytestmark = pytest.mark.django_db

ORDER_MIGRATION = importlib.import_module("escalations.migrations.0008_current_stage_order")


def test_the_backfill_gives_each_escalation_its_current_stages_order():
    at_team_manager, at_director = raise_escalation(stage_code="team_manager"), raise_escalation(stage_code="director")
    Escalation.objects.update(current_stage_order=None)  # as the column was added: empty
    ORDER_MIGRATION.backfill_current_stage_order(apps, None)
    assert {e.pk: e.current_stage_order for e in Escalation.objects.all()} == {
        at_team_manager.pk: stage("team_manager").order,
        at_director.pk: stage("director").order,
    }
