"""The escalations app's data migrations, run on the test database's rows."""

import importlib

import pytest
from django.apps import apps

from escalations import services
from escalations.models import Escalation
from tests.factories import IroFactory, raise_escalation, stage

pytestmark = pytest.mark.django_db

ORDER_MIGRATION = importlib.import_module("escalations.migrations.0008_current_stage_order")
SORT_KEY_MIGRATION = importlib.import_module("escalations.migrations.0010_iro_sort_key_and_reply")


def test_the_backfill_gives_each_escalation_its_current_stages_order():
    at_team_manager, at_director = raise_escalation(stage_code="team_manager"), raise_escalation(stage_code="director")
    Escalation.objects.update(current_stage_order=None)  # as the column was added: empty
    ORDER_MIGRATION.backfill_current_stage_order(apps, None)
    assert {e.pk: e.current_stage_order for e in Escalation.objects.all()} == {
        at_team_manager.pk: stage("team_manager").order,
        at_director.pk: stage("director").order,
    }


def test_the_backfill_gives_each_escalation_its_iros_name_sort_key_and_its_current_steps_reply():
    ada, bo = IroFactory(first_name="Ada", last_name="Okafor"), IroFactory(first_name="Bo", last_name="Ng")
    waiting, answered = raise_escalation(iro=ada), raise_escalation(iro=bo)
    services.escalation_respond(escalation=answered, by=answered.current_addressee, response="Done.")
    replied_at = Escalation.objects.get(pk=answered.pk).current_step.responded_at
    Escalation.objects.update(iro_sort_key="", current_responded_at=None)  # as the columns were added
    SORT_KEY_MIGRATION.backfill(apps, None)
    assert {e.pk: (e.iro_sort_key, e.current_responded_at) for e in Escalation.objects.all()} == {
        waiting.pk: (ada.sort_key, None),
        answered.pk: (bo.sort_key, replied_at),
    }
