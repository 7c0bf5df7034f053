"""Hand-made case-management extracts for the tests: CSV files as bytes, or written into a directory."""

import csv
import io
from pathlib import Path

COLUMNS = {
    "visits.csv": ["person_id", "visit_date", "child_seen", "child_seen_alone"],
    "care_plans.csv": ["person_id", "plan_start", "plan_end"],
    "allocations.csv": ["person_id", "worker", "role", "team", "start", "end"],
}


def visit(person="1001", date="01/06/2025", seen="Y", alone=""):
    return {"person_id": person, "visit_date": date, "child_seen": seen, "child_seen_alone": alone}


def care_plan(person="1001", start="05/05/2025", end=""):
    return {"person_id": person, "plan_start": start, "plan_end": end}


def allocation(person="1001", worker="Sam Worker", start="01/05/2025", end="", team="Team North", role="SW"):
    return {"person_id": person, "worker": worker, "role": role, "team": team, "start": start, "end": end}


def csv_bytes(rows: list[dict], fieldnames: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def extract_files(**tables: list[dict]) -> dict[str, bytes]:
    """{"visits.csv": b"...", ...} from lists of row dicts: extract_files(visits=[visit()])."""
    return {f"{name}.csv": csv_bytes(rows, COLUMNS[f"{name}.csv"]) for name, rows in tables.items()}


def write_extract(directory: Path, **tables: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in extract_files(**tables).items():
        (directory / name).write_bytes(data)
    return directory
