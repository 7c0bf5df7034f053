"""manage.py import_case_extract DIR [--mapping MAP.yaml]: import the case-management extract's CSV files."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from extract.services import FILES, extract_import


class Command(BaseCommand):
    help = (
        "Import the case-management extract from DIR (visits.csv, care_plans.csv, allocations.csv; any of them). "
        "Any error refuses the whole extract; nothing is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="The directory holding the extract's CSV files.")
        parser.add_argument("--mapping", help="A YAML file mapping the council's column names (see the README).")

    def handle(self, *args, **options):
        started = time.monotonic()
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        wanted = {f.filename for f in FILES}
        files = {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file() and p.name.lower() in wanted}
        mapping_text = None
        if options["mapping"]:
            try:
                mapping_text = Path(options["mapping"]).read_text(encoding="utf-8-sig")
            except OSError as error:
                raise CommandError(
                    f"The mapping file cannot be read: {error.strerror} ({options['mapping']})."
                ) from None
        try:
            result = extract_import(files=files, mapping_text=mapping_text, source=str(directory))
        except DomainError as error:
            raise CommandError(str(error)) from error

        self.stdout.write(f"{'Table':<12} {'created':>8} {'updated':>8} {'unchanged':>10}")
        for extract_file in FILES:
            counts = result.counts.get(extract_file.name)
            if counts is None:
                self.stdout.write(f"{extract_file.name:<12} no {extract_file.filename}: not imported")
            else:
                self.stdout.write(
                    f"{extract_file.name:<12} {counts.created:>8} {counts.updated:>8} {counts.unchanged:>10}"
                )
        if "allocations" in result.counts:
            self.stdout.write(
                f"Children whose social worker or team changed: {result.children_updated}; "
                f"teams created: {result.teams_created}."
            )
        if result.warnings:
            self.stdout.write("")
            self.stdout.write(f"{len(result.warnings)} warnings:")
            for warning in result.warnings:
                self.stdout.write(f"  {warning}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Imported in {time.monotonic() - started:.1f}s."))
