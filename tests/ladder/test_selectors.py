import pytest

from ladder.models import LadderSettings, Stage
from ladder.selectors import ladder_settings, stage_list

pytestmark = pytest.mark.django_db


def test_ladder_settings_is_the_single_row():
    assert ladder_settings() == LadderSettings.objects.get()


def test_retired_stages_are_left_out_unless_asked_for():
    Stage.objects.filter(code="director").update(active=False)
    assert "director" not in [s.code for s in stage_list()]
    assert "director" in [s.code for s in stage_list(include_retired=True)]


def test_stages_come_most_junior_first():
    orders = [s.order for s in stage_list()]
    assert orders == sorted(orders) and stage_list()[0].code == "social_worker"


def test_above_gives_only_the_more_senior_stages():
    team_manager = Stage.objects.get(code="team_manager")
    assert [s.code for s in stage_list(above=team_manager)] == [
        "practice_group_lead",
        "head_of_service",
        "assistant_director",
        "director",
    ]
