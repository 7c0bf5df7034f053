"""A case-management extract for the shared synthetic 903 return (tests/data/ssda903-fake), made up
deterministically: the same files every time, for the tests and for a demonstration.

    .venv/bin/python tests/drift/fake_extract.py OUT_DIR      # writes visits.csv, care_plans.csv, allocations.csv

For each child with episodes, from the episodes alone (no database):

- visits: in each episode, the first 1 to 10 days after it starts, then every 20 to 50 days, to the
  episode's end or the extract's day (31 March 2018); the child was seen at 9 in 10, not seen at 1
  in 20, not recorded at the rest; alone at half of those seen;
- care plans: 9 children in 10 get one, starting 0 to 14 days after their first episode;
- allocations: 1 child in 10 gets none; the others a worker from their first episode (0 to 6 days
  after it starts), changing every 200 to 500 days with, 1 time in 5, a gap of 10 to 40 days; the
  last is open at 4 children in 5, otherwise ended before the extract's day.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from collections import defaultdict
from pathlib import Path

SHARED_RETURN = Path(__file__).resolve().parents[1] / "data" / "ssda903-fake"
EXTRACT_DAY = dt.date(2018, 3, 31)
TEAMS = ["Looked After North", "Looked After South", "Looked After East", "Looked After West", "Leaving Care"]
WORKERS = [f"Worker {n:02d}" for n in range(1, 31)]
DAY = dt.timedelta(days=1)


def _date(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None


def _uk(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def episodes_by_child(directory: Path = SHARED_RETURN) -> dict[str, list[tuple[dt.date, dt.date | None]]]:
    found = defaultdict(list)
    with (directory / "episodes.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            found[row["CHILD"]].append((_date(row["DECOM"]), _date(row["DEC"])))
    return {child: sorted(spans) for child, spans in sorted(found.items())}


def fake_extract(directory: Path = SHARED_RETURN, seed: int = 13) -> dict[str, list[dict]]:
    visits, plans, allocations = [], [], []
    for child, spans in episodes_by_child(directory).items():
        rng = random.Random(f"{seed}-{child}")
        visited = set()
        for start, end in spans:
            last = min(end or EXTRACT_DAY, EXTRACT_DAY)
            day = start + rng.randint(1, 10) * DAY
            while day <= last:
                if day in visited:  # episodes of this child that overlap
                    day += rng.randint(20, 50) * DAY
                    continue
                visited.add(day)
                roll = rng.random()
                seen = "Y" if roll < 0.9 else "N" if roll < 0.95 else ""
                alone = ("Y" if rng.random() < 0.5 else "N") if seen == "Y" else ""
                visits.append(
                    {"person_id": child, "visit_date": _uk(day), "child_seen": seen, "child_seen_alone": alone}
                )
                day += rng.randint(20, 50) * DAY
        first = spans[0][0]
        if rng.random() < 0.9:
            plans.append({"person_id": child, "plan_start": _uk(first + rng.randint(0, 14) * DAY), "plan_end": ""})
        if rng.random() < 0.1:
            continue
        start = first + rng.randint(0, 6) * DAY
        team = rng.choice(TEAMS)
        while start <= EXTRACT_DAY:
            worker = rng.choice(WORKERS)
            end = start + rng.randint(200, 500) * DAY
            if end >= EXTRACT_DAY:
                ended = None if rng.random() < 0.8 else EXTRACT_DAY - rng.randint(1, 60) * DAY
                if ended is not None and ended < start:
                    ended = None
                allocations.append(_allocation(child, worker, team, start, ended))
                break
            allocations.append(_allocation(child, worker, team, start, end))
            start = end + (rng.randint(10, 40) if rng.random() < 0.2 else 1) * DAY
    return {"visits": visits, "care_plans": plans, "allocations": allocations}


def _allocation(child, worker, team, start, end):
    return {
        "person_id": child,
        "worker": worker,
        "role": "Social worker",
        "team": team,
        "start": _uk(start),
        "end": _uk(end) if end else "",
    }


COLUMNS = {
    "visits": ["person_id", "visit_date", "child_seen", "child_seen_alone"],
    "care_plans": ["person_id", "plan_start", "plan_end"],
    "allocations": ["person_id", "worker", "role", "team", "start", "end"],
}


def write_fake_extract(out: Path, directory: Path = SHARED_RETURN, seed: int = 13) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for name, rows in fake_extract(directory, seed).items():
        with (out / f"{name}.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS[name], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return out


if __name__ == "__main__":
    print(write_fake_extract(Path(sys.argv[1])))
