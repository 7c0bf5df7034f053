"""The default ladder is seeded from ``domain.md``."""

import pytest

from ladder.models import LadderSettings, Stage

pytestmark = pytest.mark.django_db


def test_default_ladder_is_seeded_most_junior_first():
    assert list(Stage.objects.order_by("order").values_list("code", "label", "formal", "target_working_days")) == [
        ("social_worker", "Social worker", False, 5),
        ("advanced_practitioner", "Advanced practitioner", True, 2),
        ("team_manager", "Team manager", True, 3),
        ("practice_group_lead", "Practice group lead", True, 3),
        ("head_of_service", "Head of service", True, 4),
        ("assistant_director", "Assistant director", True, 4),
        ("director", "Director", True, 4),
    ]


def test_the_formal_targets_add_up_to_the_cap():
    formal = Stage.objects.filter(formal=True)
    assert (
        sum(formal.values_list("target_working_days", flat=True))
        == LadderSettings.objects.get().process_cap_working_days
        == 20
    )


def test_the_first_response_target_is_24_hours():
    assert LadderSettings.objects.get().first_response_hours == 24
