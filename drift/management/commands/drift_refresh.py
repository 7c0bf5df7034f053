"""manage.py drift_refresh [--as-of YYYY-MM-DD]: update the flags table (the nightly run)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from drift.services import drift_refresh


class Command(BaseCommand):
    help = (
        "Compute every child's flags as of a day (default today) and update the flags table: new flags, cleared ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today in London). Never before the last refresh.")

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(f"--as-of {options['as_of']!r} is not a date in the form YYYY-MM-DD.") from None
        try:
            result = drift_refresh(as_of=as_of)
        except DomainError as error:
            raise CommandError(str(error)) from error
        run = result.run
        self.stdout.write(
            f"As of {run.as_of}: {run.children} children looked after; {run.created} new flags, {run.cleared} cleared, "
            f"{run.updated} changed, {run.open} open."
        )
        if run.not_evaluated:
            self.stdout.write(f"Not evaluated (their data was never imported): {', '.join(run.not_evaluated)}.")
        self.stdout.write(
            self.style.SUCCESS(f"Assessed in {result.seconds_assessing:.1f}s, stored in {result.seconds_storing:.1f}s.")
        )
