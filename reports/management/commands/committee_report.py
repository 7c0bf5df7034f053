"""python manage.py committee_report --period 2015-16 --format pdf --out report.pdf"""

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from reports.outputs import report_render
from reports.periods import Period
from reports.renderers import FORMATS


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date. Write it as YYYY-MM-DD, for example 2015-04-01.") from None


class Command(BaseCommand):
    help = "Produce the Corporate Parenting Committee report of IRO escalations for a period."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="A financial year, e.g. 2015-16 (1 April 2015 to 31 March 2016).")
        parser.add_argument("--from", dest="start", help="First day, YYYY-MM-DD (with --to, instead of --period).")
        parser.add_argument("--to", dest="end", help="Last day, YYYY-MM-DD.")
        parser.add_argument("--format", choices=sorted(FORMATS), default="json")
        parser.add_argument("--out", help="File to write. Without it, JSON goes to standard output.")

    def handle(self, *args, period=None, start=None, end=None, format="json", out=None, **options):
        if period and (start or end):
            raise CommandError("Give either --period or --from and --to, not both.")
        if not period and not (start and end):
            raise CommandError("Give the period: --period 2015-16, or --from YYYY-MM-DD --to YYYY-MM-DD.")
        if format != "json" and not out:
            raise CommandError(f"--format {format} writes a file: give --out FILE.")
        try:
            chosen = Period.financial_year(period) if period else Period.between(_date(start), _date(end))
            content = report_render(period=chosen, fmt=format)
        except DomainError as error:
            raise CommandError(error.message) from None
        if out:
            mode = "w" if isinstance(content, str) else "wb"
            with open(out, mode, **({"encoding": "utf-8"} if mode == "w" else {})) as handle:
                handle.write(content)
            self.stderr.write(f"Wrote the {chosen.label} report ({format}) to {out}")
        else:
            sys.stdout.write(content)
