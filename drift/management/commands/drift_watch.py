"""manage.py drift_watch [--as-of YYYY-MM-DD] [--format json|csv] [--iro USERNAME]: every flag as of a day.

Computed from the records there and then (it does not read or change the flags table): JSON as
drift-watch.md gives it, or CSV with the same fields. The CSV has no room for the rules not
evaluated, so it names them on standard error.
"""

import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from children.models import Child
from drift.selectors import drift_assessments, drift_rules_evaluated, drift_today
from people.models import Role, User
from workdays.selectors import working_calendar

FIELDS = ["child", "rule", "due", "days_overdue", "detail"]


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of {text!r} is not a date in the form YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Print the drift watch's flags as of a day (default today), for every child or one IRO's caseload."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="The day to judge as of, YYYY-MM-DD (default: today in London).")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--iro", help="Only the caseload of the IRO with this username.")

    def handle(self, *args, **options):
        as_of = _day(options["as_of"]) if options["as_of"] else drift_today()
        children = None
        if options["iro"]:
            iro = User.objects.filter(username=options["iro"], role=Role.IRO).first()
            if iro is None:
                raise CommandError(f"There is no IRO with the username {options['iro']!r}.")
            children = Child.objects.filter(iro=iro)
        _, not_evaluated = drift_rules_evaluated()
        flags = [
            flag
            for _, assessment in drift_assessments(as_of=as_of, calendar=working_calendar(), children=children)
            for flag in assessment.flags
        ]
        flags.sort(key=lambda f: (f.child, f.rule))
        rows = [
            {
                "child": f.child,
                "rule": f.rule,
                "due": f.due.isoformat() if f.due else None,
                "days_overdue": f.days_overdue,
                "detail": f.detail,
            }
            for f in flags
        ]
        if options["format"] == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            if not_evaluated:
                self.stderr.write(f"Not evaluated (their data was never imported): {', '.join(not_evaluated)}")
            return
        document = {"as_of": as_of.isoformat(), "not_evaluated": not_evaluated, "flags": rows}
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
