"""python manage.py prune_import_uploads [--hours 24]

Remove the uploaded escalation logs that no import job needs any more (run it daily): checked
files not confirmed within the hours given, and files whose job has ended. Uploaded logs name
children, so none is kept longer than it is needed.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from imports.jobs import import_uploads_prune
from imports.models import CHECK_KEPT_FOR


class Command(BaseCommand):
    help = "Remove uploaded escalation logs no import job needs: unconfirmed checks older than --hours."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=int(CHECK_KEPT_FOR.total_seconds() // 3600),
            help="Keep a checked file this long for its import to be confirmed (default 24).",
        )

    def handle(self, *args, hours: int, **options):
        if hours < 0:
            raise CommandError(f"--hours must be 0 or more, not {hours}.")
        removed = import_uploads_prune(keep_for=dt.timedelta(hours=hours))
        self.stdout.write(f"Removed {removed} uploaded file{'s' if removed != 1 else ''}.")
