"""Finer planner statistics on escalations.raised_at (PostgreSQL).

Reports select one year out of many. With the default statistics target one histogram bucket
spans ~10,000 rows of a 1M-row table, so PostgreSQL guesses a 2,000-escalation year at ~9,000
and scans whole link tables instead of using the indexes (bench/report_bench.py: p95 2.5 s).
A target of 1000 brings the estimate close and the report under 500 ms.
"""

from django.db import migrations


def raise_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE escalations_escalation ALTER COLUMN raised_at SET STATISTICS 1000")
        schema_editor.execute("ANALYZE escalations_escalation (raised_at)")


def reset_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE escalations_escalation ALTER COLUMN raised_at SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("escalations", "0002_initial")]

    operations = [migrations.RunPython(raise_statistics, reset_statistics)]
