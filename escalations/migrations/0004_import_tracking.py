from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0003_raised_at_statistics"),
    ]

    operations = [
        migrations.AddField(
            model_name="escalation",
            name="import_row_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="escalation",
            name="imported_version",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalescalation",
            name="import_row_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="historicalescalation",
            name="imported_version",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
