"""The seeded vocabularies are exactly those of ``domain.md``: codes are fixed."""

import pytest

from tests.factories import raise_escalation
from themes.models import DriftReason, Outcome, SubTheme, Theme

pytestmark = pytest.mark.django_db


def test_themes_are_seeded_with_the_domain_codes_and_labels_in_order():
    assert list(Theme.objects.order_by("order").values_list("code", "label")) == [
        ("care_plan_not_on_system", "Care plans/pathway plans not completed on the system in good time"),
        ("drift", "Drift in care planning"),
        ("safety", "Concerns about the young person's safety"),
        ("sw_visits", "Infrequent social work visits"),
        ("family_contact", "Contact with family members"),
        ("no_allocated_worker", "No allocated worker"),
        ("health", "Health issues"),
        ("placement", "Concerns about the placement"),
        ("review_decisions_outstanding", "Review decisions outstanding"),
        ("staying_put", "Staying put arrangements"),
        ("life_story_work", "Life story work"),
    ]


def test_subthemes_are_seeded_under_their_themes():
    assert list(SubTheme.objects.order_by("order").values_list("theme__code", "code", "label")) == [
        ("safety", "missing", "Missing episodes"),
        ("safety", "cse", "Child sexual exploitation / sexually harmful behaviour"),
        ("safety", "criminality_gangs", "Criminality / gang links"),
        ("no_allocated_worker", "sickness", "Social worker sickness"),
        ("no_allocated_worker", "worker_left", "Social worker left, case to be reallocated"),
        ("health", "emotional_health", "Emotional health and well-being"),
        ("health", "learning_difficulties", "Learning difficulties"),
        ("health", "complex_health", "Complex health conditions"),
        ("health", "paediatric_assessment", "Paediatric assessment requested"),
        ("placement", "physical_environment", "Physical environment of the placement"),
        ("placement", "carer_cannot_manage_behaviour", "Carer unable to manage the child's behaviour"),
        ("placement", "needs_stable_placement", "Needs a more stable or resilient placement"),
    ]


def test_drift_reasons_are_seeded():
    assert list(DriftReason.objects.order_by("order").values_list("code", "label")) == [
        ("separate_assessments", "Assessments of parents and family members done separately"),
        ("housing", "Parent's inadequate housing delayed rehabilitation"),
        ("finding_carers", "Difficulty identifying appropriate carers"),
        ("police_investigation", "Police investigation / awaiting CPS decision"),
        ("difficult_decisions", "Difficult decisions (splitting siblings, choosing a carer)"),
        ("other", "Other"),
    ]


def test_outcomes_are_seeded():
    assert list(Outcome.objects.order_by("order").values_list("code", "label")) == [
        ("resolved", "Resolved"),
        ("not_resolved", "Not resolved"),
        ("withdrawn", "Withdrawn"),
    ]


def test_seeded_entries_have_a_created_audit_entry():
    drift = Theme.objects.get(code="drift")
    assert drift.history.get().history_type == "+"


def test_retiring_a_theme_keeps_it_on_escalations():

    esc = raise_escalation(themes=[Theme.objects.get(code="staying_put")])
    Theme.objects.filter(code="staying_put").update(active=False)
    assert list(esc.themes.values_list("code", flat=True)) == ["staying_put"]
