"""Seed the default dispute-resolution ladder of ``domain.md``. Councils then edit it."""

from django.db import migrations

STAGES = [
    # code, label, formal, target in working days
    ("social_worker", "Social worker", False, 5),
    ("advanced_practitioner", "Advanced practitioner", True, 2),
    ("team_manager", "Team manager", True, 3),
    ("practice_group_lead", "Practice group lead", True, 3),
    ("head_of_service", "Head of service", True, 4),
    ("assistant_director", "Assistant director", True, 4),
    ("director", "Director", True, 4),
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
    Stage = apps.get_model("ladder", "Stage")
    LadderSettings = apps.get_model("ladder", "LadderSettings")
    for order, (code, label, formal, target) in enumerate(STAGES, start=1):
        Stage.objects.get_or_create(
            code=code, defaults={"label": label, "order": order, "formal": formal, "target_working_days": target}
        )
    LadderSettings.objects.get_or_create(id=1, defaults={"first_response_hours": 24, "process_cap_working_days": 20})
    _record_creation(apps, "ladder", "Stage", Stage.objects.all())
    _record_creation(apps, "ladder", "LadderSettings", LadderSettings.objects.all())


class Migration(migrations.Migration):
    dependencies = [("ladder", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
