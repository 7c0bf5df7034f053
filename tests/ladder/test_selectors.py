import pytest

from ladder.models import LadderSettings
from ladder.selectors import ladder_settings, stage_list

pytestmark = pytest.mark.django_db


def test_ladder_settings_is_the_single_row():
    assert ladder_settings() == LadderSettings.objects.get()


def test_retired_stages_are_left_out_unless_asked_for():
    stage = stage_list().get(code="director")
    stage.active = False
    stage.save()
    assert "director" not in stage_list().values_list("code", flat=True)
    assert "director" in stage_list(include_retired=True).values_list("code", flat=True)
