"""python manage.py apply_retention [--dry-run]

Apply the retention schedule now, as the worker's scheduler does every night at 4am: delete or
anonymise every record whose time is up (not those under a legal hold), writing a tombstone for
each. With --dry-run, print what it would do, class by class, and change nothing.
"""

from django.core.management.base import BaseCommand

from records.selectors import retention_plan
from records.services import retention_run


class Command(BaseCommand):
    help = "Apply the retention schedule now (--dry-run: print what it would do and change nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print what would be done; change nothing.")

    def handle(self, *args, dry_run: bool, **options):
        plan = retention_plan()
        for step in plan.classes:
            kept = f", {step.kept} kept" if step.kept else ""
            verb = "would be " if dry_run else ""
            done = "anonymised" if step.rule.action == "anonymise" else "deleted"
            self.stdout.write(f"{step.rule.info.label}: {step.count} {verb}{done}{kept} ({step.rule.words})")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            return
        run = retention_run(as_of=plan.as_of)
        total = sum(run.counts.values())
        self.stdout.write(f"Retention run {run.pk}: {total} record{'s' if total != 1 else ''}, one tombstone each.")
