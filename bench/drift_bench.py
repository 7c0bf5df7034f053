#!/usr/bin/env python
"""Benchmark the drift watch on a national-scale council: the imports, the nightly computation and the pages.

Target (issue 13): the nightly computation (``drift.services.drift_refresh``) under 60 s for 100,000
children on this machine, and the pages running a fixed number of queries whatever their rows.

    scripts/with-postgres.sh .venv/bin/python bench/drift_bench.py                      # make bench-drift
    scripts/with-postgres.sh .venv/bin/python bench/drift_bench.py --children 5000      # quick check

It writes a synthetic council's files (a 903 return and a case-management extract: 5 years of
episodes, reviews, missing episodes, visits, care plans and allocations), migrates the database in
DATABASE_URL (PostgreSQL; it refuses one that already holds children), imports the files through the
real services (``ssda903_import``, ``extract_import``), times the nightly refresh twice (the first
run finds every flag; the second, the same day, changes nothing), then the pages with Django's test
client. It prints each figure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iro_escalations.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children.models import Child
from core.changes import data_version_bump
from drift.models import DriftFlag
from drift.selectors import drift_today
from drift.services import drift_refresh
from extract.services import extract_import
from people.models import Role, User
from ssda903.services import ssda903_import

TARGET_SECONDS = 60.0
DAY = dt.timedelta(days=1)
CASELOAD = 60  # children per IRO
LEGAL = ["C2"] * 5 + ["C1"] * 2 + ["V2"] * 2 + ["E1"]
PLACES = ["U4"] * 3 + ["U6"] * 3 + ["U1", "U3", "U5", "R1", "K2", "P1", "H5", "S1"]
ENDS = ["E4A", "E13", "E11", "E45", "E17", "E8", "E41"]
TEAMS = [f"Looked After Team {n}" for n in range(1, 41)]
WORKERS = 2500


def say(text: str = "") -> None:
    print(text, flush=True)


def uk(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


# ----------------------------------------------------------------------------- the council's files


class Writer:
    def __init__(self, directory: Path, name: str, columns: list[str]):
        self.handle = (directory / name).open("w", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\n")
        self.writer.writerow(columns)
        self.rows = 0

    def row(self, *values) -> None:
        self.writer.writerow(values)
        self.rows += 1

    def close(self) -> None:
        self.handle.close()


def generate(children: int, as_of: dt.date, seed: int, return_dir: Path, extract_dir: Path) -> dict[str, int]:
    """Write the 903 return and the extract for ``children`` children, 5 years up to ``as_of``."""
    rng = random.Random(seed)
    window = as_of - dt.timedelta(days=5 * 365)
    header = Writer(return_dir, "header.csv", ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"])
    episodes = Writer(
        return_dir,
        "episodes.csv",
        ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
         "HOME_POST", "PL_POST", "URN"],
    )  # fmt: skip
    reviews = Writer(return_dir, "reviews.csv", ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"])
    missing = Writer(return_dir, "missing.csv", ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"])
    visits = Writer(extract_dir, "visits.csv", ["person_id", "visit_date", "child_seen", "child_seen_alone"])
    plans = Writer(extract_dir, "care_plans.csv", ["person_id", "plan_start", "plan_end"])
    allocations = Writer(extract_dir, "allocations.csv", ["person_id", "worker", "role", "team", "start", "end"])
    for number in range(children):
        child = str(700000 + number)
        dob = as_of - dt.timedelta(days=rng.randint(200, 18 * 365 - 10))
        header.row(child, rng.choice("12"), uk(dob), "WBRI", "", "", "")
        short_breaks = rng.random() < 0.05
        team = rng.choice(TEAMS)
        start = max(dob + DAY, window + dt.timedelta(days=rng.randint(-365, 5 * 365 - 10)))
        known = start >= window  # a period begun before the window: the records start part-way
        start = max(start, window)
        still_in_care = rng.random() < 0.75  # about 3 in 4 are looked after on the day
        for period in range(2):
            end = start + dt.timedelta(days=int(rng.expovariate(1 / 700)) + 20)
            end = None if end >= as_of or (still_in_care and period == 1) else end
            if still_in_care and period == 0 and rng.random() < 0.85:
                end = None
            _period(rng, child, dob, start, end, known, short_breaks, team, as_of, episodes, reviews, visits, plans,
                    allocations)  # fmt: skip
            if end is None or period == 1 or rng.random() > 0.2:
                break
            start, known = end + dt.timedelta(days=rng.randint(30, 400)), True
            if start >= as_of:
                break
        if rng.random() < 0.03:
            gone = as_of - dt.timedelta(days=rng.randint(0, 300))
            back = gone + dt.timedelta(days=rng.randint(1, 40))
            missing.row(child, uk(dob), rng.choice("MMA"), uk(gone), "" if back > as_of else uk(back))
    counts = {}
    for writer, name in [(header, "header"), (episodes, "episodes"), (reviews, "reviews"), (missing, "missing"),
                         (visits, "visits"), (plans, "care_plans"), (allocations, "allocations")]:  # fmt: skip
        writer.close()
        counts[name] = writer.rows
    return counts


def _period(rng, child, dob, start, end, known, short_breaks, team, as_of, episodes, reviews, visits, plans,
            allocations):  # fmt: skip
    last_day = min(end or as_of, as_of)
    # Episodes: a placement change every 200 to 700 days, a legal status change now and then.
    day, first, legal = start, True, ("V3" if short_breaks else rng.choice(LEGAL))
    place = rng.choice(PLACES)
    placements = []
    while True:
        following = day + dt.timedelta(days=rng.randint(200, 700))
        rne = ("S" if known else "P") if first else rng.choice("PPPPTBL")
        if rne == "L":
            legal = "V4" if short_breaks else rng.choice(LEGAL)
        else:
            place = rng.choice(PLACES)
            placements.append((day, place))
        closes = end is not None and following >= end
        if end is None and following >= as_of:
            episodes.row(child, uk(day), rne, legal, "N1", place, "PR1", "", "", "", "", "", "")
            break
        ep_end = end if closes else following
        episodes.row(child, uk(day), rne, legal, "N1", place, "PR1", uk(ep_end), rng.choice(ENDS) if closes else "X1",
                     "", "", "", "")  # fmt: skip
        if closes:
            break
        day, first = following, False
    # Reviews: the first within about 20 working days, the second about 3 months on, then about 6.
    review = start + dt.timedelta(days=rng.randint(10, 34))
    gaps = [rng.randint(75, 100)] + [rng.randint(150, 195) for _ in range(20)]
    for gap in gaps:
        if review > last_day:
            break
        reviews.row(child, uk(dob), uk(review), f"PN{rng.randint(0, 7)}")
        review += dt.timedelta(days=gap)
    # Visits: per placement, the first within 10 days, then every 20 to 50 days (40 to 100 after a year).
    for index, (placed, _) in enumerate(placements):
        until = placements[index + 1][0] - DAY if index + 1 < len(placements) else last_day
        visit = placed + dt.timedelta(days=rng.randint(1, 10))
        while visit <= until:
            roll = rng.random()
            visits.row(child, uk(visit), "Y" if roll < 0.93 else "N" if roll < 0.97 else "", "")
            late = visit - placed > dt.timedelta(days=365)
            visit += dt.timedelta(days=rng.randint(40, 100) if late else rng.randint(20, 50))
    # Care plans: 92 in 100 periods get one within 15 days, renewed every year or so.
    if rng.random() < 0.92:
        plan = start + dt.timedelta(days=rng.randint(0, 15))
        while plan <= last_day:
            renewed = plan + dt.timedelta(days=rng.randint(300, 500))
            plans.row(child, uk(plan), "" if renewed > last_day else uk(renewed - DAY))
            plan = renewed
    # Allocations: 95 in 100 periods; a new worker every 200 to 500 days, sometimes after a gap.
    if rng.random() < 0.95:
        allocated = start + dt.timedelta(days=rng.randint(0, 6))
        while allocated <= last_day:
            worker = f"W{rng.randint(1, WORKERS):05d}"
            until = allocated + dt.timedelta(days=rng.randint(200, 500))
            if until >= last_day:
                closed = end is not None or rng.random() < 0.05
                allocations.row(child, worker, "Social worker", team, uk(allocated), uk(last_day) if closed else "")
                break
            allocations.row(child, worker, "Social worker", team, uk(allocated), uk(until))
            allocated = until + dt.timedelta(days=rng.randint(10, 40) if rng.random() < 0.2 else 1)


# ----------------------------------------------------------------------------- timing


class Timer:
    def __init__(self, label: str):
        self.label = label

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        if exc[0] is None:
            say(f"  {self.label}: {self.seconds:.1f} s")


def assign_iros(children: int) -> list[User]:
    """IROs with about 60 children each (and the children a made-up name), set with one UPDATE."""
    count = max(1, children // CASELOAD)
    iros = User.objects.bulk_create(
        [User(username=f"iro{n:05d}", first_name="IRO", last_name=f"{n:05d}", role=Role.IRO) for n in range(count)]
    )
    first = min(iro.pk for iro in iros)
    low = Child.objects.order_by("pk").values_list("pk", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE children_child SET iro_id = %s + ((id - %s) %% %s), first_name = 'Child', last_name = id::text",
            [first, low, count],
        )
    return iros


def time_page(client: Client, url: str, runs: int) -> tuple[list[float], int, int]:
    """(seconds of each run, queries of the last, status) of GET ``url``, each just after a write
    (``data_version_bump``), so the page is made, not read back from its kept parts."""
    client.get(url)  # warm-up
    times, queries, status = [], 0, 0
    for _ in range(runs):
        data_version_bump()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        queries, status = len(captured.captured_queries), response.status_code
    return times, queries, status


def pages(runs: int) -> None:
    client = Client(HTTP_HOST="localhost")
    iro = User.objects.filter(role=Role.IRO, caseload__drift_flags__isnull=False).distinct().order_by("pk").first()
    manager = User.objects.create(username="sm-bench", role=Role.SERVICE_MANAGER)
    flagged = DriftFlag.objects.filter(cleared_on__isnull=True).values_list("child_id", flat=True).first()
    checks = [
        (iro, reverse("drift:mine"), f"Drift watch, {iro.caseload.count()} children"),
        (manager, reverse("drift:all"), "All drift flags, page 1"),
        (manager, reverse("drift:all") + "?page=40", "All drift flags, page 40"),
        (manager, reverse("drift:all") + "?rule=R28-visit&open_for=28", "All drift flags, R28 open 28 days or more"),
        (manager, reverse("drift:all") + "?status=any", "All drift flags, open or cleared"),
        (iro, reverse("children:detail", args=[flagged]) if flagged else None, "A child's page with their clocks"),
        (manager, reverse("dashboard"), "Dashboard (with the year's impact)"),
    ]
    for user, url, label in checks:
        if url is None:
            continue
        client.force_login(user)
        if user is iro and "children" in url:
            Child.objects.filter(pk=flagged).update(iro=iro)
        times, queries, status = time_page(client, url, runs)
        say(
            f"  {label}: p50 {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
            f"{queries} queries (HTTP {status})"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=100_000, help="looked-after children (default 100,000)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each page (default 5)")
    parser.add_argument("--keep-files", help="write the generated files here and keep them")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql":
        say(f"PostgreSQL only: DATABASE_URL points at {connection.vendor}. Run it through make bench-drift.")
        return 2
    call_command("migrate", interactive=False, verbosity=0)
    if Child.objects.exists():
        say("Refusing: the database already holds children. The benchmark fills an empty database.")
        return 2
    as_of = drift_today()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        say(f"{cursor.fetchone()[0].split(',')[0]}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    say(f"A council of {args.children:,} children, 5 years to {as_of.day} {as_of:%B %Y}.")

    base = Path(args.keep_files) if args.keep_files else Path(tempfile.mkdtemp(prefix="drift-bench-"))
    return_dir, extract_dir = base / "903", base / "extract"
    return_dir.mkdir(parents=True, exist_ok=True)
    extract_dir.mkdir(parents=True, exist_ok=True)
    with Timer("writing the files"):
        counts = generate(args.children, as_of, args.seed, return_dir, extract_dir)
    say("  rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))

    say("Imports")
    with Timer("903 return (ssda903_import)") as t903:
        first_year = as_of.year if as_of.month >= 4 else as_of.year - 1
        ssda903_import(directory=return_dir, year=f"{first_year}-{(first_year + 1) % 100:02d}")
    extract_files = {p.name: p.read_bytes() for p in extract_dir.iterdir()}
    extract_rows = counts["visits"] + counts["care_plans"] + counts["allocations"]
    with Timer("case-management extract (extract_import)") as textract:
        extract_import(files=extract_files, source=str(extract_dir))
    return_rows = sum(counts[name] for name in ("header", "episodes", "reviews", "missing"))
    say(f"    {extract_rows / textract.seconds:,.0f} rows/s; the 903 return {return_rows / t903.seconds:,.0f} rows/s")
    with Timer("the same extract again (every row unchanged)"):
        extract_import(files=extract_files, source=str(extract_dir))
    iros = assign_iros(args.children)
    say(f"  {len(iros):,} IROs of about {CASELOAD} children each")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    say("The nightly computation (drift_refresh)")
    first = drift_refresh(as_of=as_of)
    run = first.run
    total = first.seconds_assessing + first.seconds_storing
    say(
        f"  first run: {total:.1f} s ({first.seconds_assessing:.1f} s assessing {run.children:,} children looked "
        f"after, {first.seconds_storing:.1f} s storing {run.created:,} new flags)"
    )
    again = drift_refresh(as_of=as_of)
    total_again = again.seconds_assessing + again.seconds_storing
    say(
        f"  second run the same day: {total_again:.1f} s ({again.run.created} new, {again.run.cleared} cleared, "
        f"{again.run.updated} changed)"
    )
    by_rule = DriftFlag.objects.filter(cleared_on__isnull=True).values_list("rule", flat=True)
    tally: dict[str, int] = {}
    for rule in by_rule:
        tally[rule] = tally.get(rule, 0) + 1
    say("  open flags: " + ", ".join(f"{rule} {count:,}" for rule, count in sorted(tally.items())))
    worst = max(total, total_again)
    verdict = "PASS" if worst < TARGET_SECONDS else "FAIL"
    say(f"  {verdict}: slowest run {worst:.1f} s against the target of {TARGET_SECONDS:.0f} s")

    say(f"Pages ({args.runs} runs each after a warm-up)")
    pages(args.runs)
    say(f"Load average at the end {os.getloadavg()[0]:.1f}.")
    if not args.keep_files:
        for directory in (return_dir, extract_dir):
            for path in directory.iterdir():
                path.unlink()
            directory.rmdir()
        base.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
