"""python manage.py import_escalations FILE [--dry-run] [--mapping MAP.yaml] [--create-missing]
[--user USERNAME] [--sheet NAME] [--encoding ENC]

Import an escalation log (CSV or XLSX): ../shared/docs/escalation-log-format.md.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from core.errors import DomainError
from imports.parsing import mapping_read
from imports.selectors import importer_find
from imports.services import escalation_log_import


class _Bar:
    """A tqdm progress bar on stderr, one per phase (checking, storing)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bars = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return

        bar = self.bars.get(phase)
        if bar is None:
            bar = self.bars[phase] = tqdm(total=total, desc=phase, unit="rows", leave=False)
        bar.update(done - bar.n)

    def close(self):
        for bar in self.bars.values():
            bar.close()


class Command(BaseCommand):
    help = "Import an escalation log (CSV or XLSX). All rows or none: every problem is listed."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check and count; store nothing.")
        parser.add_argument("--mapping", help="A YAML mapping file for the council's headings and words.")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create children and IROs the system does not know yet: children marked details to complete, "
            "IROs as inactive users.",
        )
        parser.add_argument("--user", help="The username of who is importing, for the audit trail.")
        parser.add_argument("--sheet", help="The XLSX sheet to read (default: the first).")
        parser.add_argument("--encoding", help="The CSV file's encoding when it is not UTF-8, e.g. cp1252.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        bar = _Bar(enabled=not options["no_progress"] and options["verbosity"] > 0)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            by = importer_find(options["user"]) if options["user"] else None
            result = escalation_log_import(
                data=data,
                filename=path.name,
                mapping=mapping_read(options["mapping"]),
                by=by,
                dry_run=options["dry_run"],
                create_missing=options["create_missing"],
                sheet=options["sheet"],
                encoding=options["encoding"],
                progress=bar,
            )
        except DomainError as error:
            bar.close()
            raise CommandError(error.message) from None
        bar.close()
        self.stdout.write(result.summary())
