from django.db import migrations


def c_collation(apps, schema_editor):
    """The IRO sort's key compares by code point whatever the database's own collation is: under a
    linguistic collation (en_GB, ICU) the separator below every character of a name is ignored, and
    "Lee, Zed" would sort after "Leeds" (people.models.name_sort_key). PostgreSQL only: SQLite
    compares text by its bytes, which is code point order for UTF-8. The index is rebuilt with it."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE escalations_escalation ALTER COLUMN iro_sort_key TYPE varchar(460) COLLATE "C"'
        )


class Migration(migrations.Migration):

    dependencies = [
        ("escalations", "0011_status_raised_index"),
    ]

    operations = [
        migrations.RunPython(c_collation, migrations.RunPython.noop, elidable=False),
    ]
