"""Small builders for the import tests: a log as CSV bytes, and the service called on it."""

import csv
import io

from imports.parsing import mapping_load
from imports.services import escalation_log_import

HEADER = [
    "reference",
    "raised_at",
    "iro",
    "children",
    "highest_stage",
    "themes",
    "first_response_at",
    "resolved_at",
    "outcome",
    "drift_reasons",
    "cafcass_referred_at",
    "summary",
]


def log_csv(rows, header=HEADER) -> bytes:
    """A CSV log: each row a dict of column -> text (missing columns blank), or None for a blank line."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([] if row is None else [row.get(column, "") for column in header])
    return out.getvalue().encode("utf-8")


def row(reference, who, kids, /, **values):
    """A valid row raised by ``who`` about ``kids``; ``values`` override or add columns."""
    base = {
        "reference": reference,
        "raised_at": "2015-06-01 10:00",
        "iro": who.username,
        "children": ";".join(child.case_id for child in kids),
        "highest_stage": "team_manager",
    }
    base.update(values)
    return base


def import_log(data: bytes, *, filename="log.csv", mapping=None, **options):
    return escalation_log_import(
        data=data, filename=filename, mapping=mapping_load(mapping) if mapping else None, **options
    )
