"""manage.py demo_data: build the demo council (people, children, two years of escalations)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from demo.services import DEMO_PASSWORD, demo_data_build


class Command(BaseCommand):
    help = (
        "Build a believable demo council: teams, IROs, managers at every stage of the ladder, about 500 "
        "looked-after children and two financial years of escalations. Safe to run again. Development only: "
        "refuses when DEBUG is off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Build the demo data even though DEBUG is off.")
        parser.add_argument("--children", type=int, default=500, help="Looked-after children (default 500).")
        parser.add_argument("--iros", type=int, default=12, help="IROs (default 12).")
        parser.add_argument("--teams", type=int, default=4, help="Looked-after children teams (default 4).")
        parser.add_argument(
            "--escalations-per-year",
            type=int,
            default=184,
            help="Escalations in a full financial year (default 184, as in the seed report).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            result = demo_data_build(
                force=options["force"],
                children=options["children"],
                iros=options["iros"],
                teams=options["teams"],
                escalations_per_year=options["escalations_per_year"],
            )
        except DomainError as error:
            raise CommandError(str(error)) from error

        self.stdout.write(
            f"Created {result.users_created} users, {result.children_created} children and "
            f"{result.escalations_created} escalations in {time.monotonic() - started:.1f}s."
        )
        if result.escalations_skipped:
            self.stdout.write("Demo escalations already exist (raised by the demo IROs), so none were added.")

        rows = [("Username", "Name", "Role", "Password")] + [
            (login.username, login.name, login.role, login.password) for login in result.logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for n, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        self.stdout.write(f"Every other demo user (iro3, sw1, ap1, ...) has the password {DEMO_PASSWORD} too.")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Open {settings.SERVICE_BASE_URL.rstrip('/')}/"))
