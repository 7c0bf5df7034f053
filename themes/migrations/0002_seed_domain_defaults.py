"""Seed the themes, sub-themes, drift reasons and outcomes of ``domain.md``. Codes are fixed."""

from django.db import migrations

THEMES = [
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

SUBTHEMES = [
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

DRIFT_REASONS = [
    ("separate_assessments", "Assessments of parents and family members done separately"),
    ("housing", "Parent's inadequate housing delayed rehabilitation"),
    ("finding_carers", "Difficulty identifying appropriate carers"),
    ("police_investigation", "Police investigation / awaiting CPS decision"),
    ("difficult_decisions", "Difficult decisions (splitting siblings, choosing a carer)"),
    ("other", "Other"),
]

OUTCOMES = [
    ("resolved", "Resolved"),
    ("not_resolved", "Not resolved"),
    ("withdrawn", "Withdrawn"),
]


def _record_creation(apps, app_label, model_name, objects):
    """Write the 'created' audit entry that a normal save would have written (once per row)."""
    from django.utils import timezone

    historical = apps.get_model(app_label, f"Historical{model_name}")
    fields = [f.attname for f in historical._meta.fields if not f.name.startswith("history_")]
    now = timezone.now()
    historical.objects.bulk_create(
        historical(
            **{name: getattr(obj, name) for name in fields},
            history_date=now,
            history_type="+",
            history_change_reason="Seeded from domain.md",
        )
        for obj in objects
        if not historical.objects.filter(id=obj.pk).exists()
    )


def seed(apps, schema_editor):
    Theme = apps.get_model("themes", "Theme")
    SubTheme = apps.get_model("themes", "SubTheme")
    DriftReason = apps.get_model("themes", "DriftReason")
    Outcome = apps.get_model("themes", "Outcome")
    themes = {}
    for order, (code, label) in enumerate(THEMES, start=1):
        themes[code], _ = Theme.objects.get_or_create(code=code, defaults={"label": label, "order": order})
    for order, (theme_code, code, label) in enumerate(SUBTHEMES, start=1):
        SubTheme.objects.get_or_create(theme=themes[theme_code], code=code, defaults={"label": label, "order": order})
    for order, (code, label) in enumerate(DRIFT_REASONS, start=1):
        DriftReason.objects.get_or_create(code=code, defaults={"label": label, "order": order})
    for order, (code, label) in enumerate(OUTCOMES, start=1):
        Outcome.objects.get_or_create(code=code, defaults={"label": label, "order": order})
    _record_creation(apps, "themes", "Theme", Theme.objects.all())
    _record_creation(apps, "themes", "SubTheme", SubTheme.objects.all())
    _record_creation(apps, "themes", "DriftReason", DriftReason.objects.all())
    _record_creation(apps, "themes", "Outcome", Outcome.objects.all())


class Migration(migrations.Migration):
    dependencies = [("themes", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
