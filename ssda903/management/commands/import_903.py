"""manage.py import_903 DIR [--year 2017-18]: import an SSDA903 return's CSV tables."""

import time

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from ssda903.services import ssda903_import


class Command(BaseCommand):
    help = (
        "Import an SSDA903 return from DIR (header.csv, episodes.csv, reviews.csv, uasc.csv, missing.csv). "
        "Any error refuses the whole return; warnings are listed and the rows imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The directory holding the return's CSV files.")
        parser.add_argument("--year", default="", help="The return's year, e.g. 2017-18, recorded with the import.")

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            result = ssda903_import(directory=options["directory"], year=options["year"])
        except DomainError as error:
            raise CommandError(str(error)) from error

        self.stdout.write(f"{'Table':<10} {'created':>8} {'updated':>8} {'unchanged':>10}")
        for table, counts in result.counts.items():
            self.stdout.write(f"{table:<10} {counts.created:>8} {counts.updated:>8} {counts.unchanged:>10}")
        for table in result.tables_not_found:
            self.stdout.write(f"{table:<10} no file: not imported")
        if result.warnings:
            self.stdout.write("")
            self.stdout.write(f"{len(result.warnings)} warnings:")
            for warning in result.warnings:
                self.stdout.write(f"  {warning}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Imported in {time.monotonic() - started:.1f}s."))
