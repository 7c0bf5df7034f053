#!/usr/bin/env python
"""Benchmark the escalation-log import (``imports.services.escalation_log_import``).

Target: at least 20,000 rows a second on PostgreSQL for a 100,000-row log.

    make bench-import                                                        # SQLite, then PostgreSQL
    .venv/bin/python bench/import_bench.py --database sqlite                 # SQLite (a fresh file in a temp dir)
    scripts/with-postgres.sh .venv/bin/python bench/import_bench.py --database postgres
    .venv/bin/python bench/import_bench.py --rows 10000 --profile            # quick check, with a cProfile

It migrates the database, creates the IROs and children the log names, writes a synthetic CSV log
in a temp dir, and imports it through the command's own code path (the ``import_escalations``
command: reading, validation of every row, history, M2M links). It prints rows per second and
the number of queries (CaptureQueriesContext), then imports the same file again (all unchanged).
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import csv
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET = 20_000  # rows per second, on PostgreSQL
THEMES = ["safety", "safety:missing", "drift", "health:emotional_health", "placement", "sw_visits", ""]
STAGES = ["social_worker", "team_manager", "Head of service", "practice_group_lead"]


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the generated log (default 100,000)")
    parser.add_argument(
        "--database",
        choices=("sqlite", "postgres"),
        help="sqlite: a fresh file in a temp dir, whatever DATABASE_URL says; postgres: the "
        "PostgreSQL database in DATABASE_URL (scripts/with-postgres.sh gives one). "
        "Default: DATABASE_URL, else a fresh SQLite file",
    )
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first import")
    parser.add_argument(
        "--queries", action="store_true", help="print the first import's time in the database, by statement and table"
    )
    parser.add_argument(
        "--drop-foreign-keys",
        action="store_true",
        help="PostgreSQL, an experiment: drop the foreign key constraints of the escalation tables "
        "before importing (the import never does), to show what checking them costs; only on "
        "a database with no escalations yet; ignored on SQLite",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="PostgreSQL: time the database alone storing the same rows again (binary COPY of "
        "copies made beforehand, then the foreign key checks; rolled back)",
    )
    return parser.parse_args()


ARGS = _arguments()
_TMP = tempfile.mkdtemp(prefix="import-bench-")
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)  # the log and the SQLite database (about 200 MB)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iro_escalations.settings")
os.environ.setdefault("DEBUG", "1")
if ARGS.database == "sqlite":
    os.environ["DATABASE_URL"] = f"sqlite:///{_TMP}/bench.sqlite3"
elif ARGS.database == "postgres" and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("--database postgres needs DATABASE_URL=postgres://...: run it under scripts/with-postgres.sh")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP}/bench.sqlite3")

import django

django.setup()

from django.core.management import call_command
from django.db import (
    connection,
    transaction,
)
from django.test.utils import CaptureQueriesContext

from children.models import Child
from escalations.models import Escalation
from imports.parsing import COLUMNS
from people.models import Role, User


def write_log(path: Path, rows: int, iros: list[str], children: list[str]) -> None:
    rng = random.Random(42)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for n in range(rows):
            month, day, hour = rng.randint(1, 12), rng.randint(1, 26), rng.randint(8, 17)
            year = 2019 + n % 5
            raised = f"{year}-{month:02d}-{day:02d} {hour:02d}:{rng.randint(0, 59):02d}"
            theme = rng.choice(THEMES)
            closed = rng.random() < 0.7
            w.writerow(
                [
                    f"BENCH-{n:07d}",
                    raised if n % 10 else f"{day:02d}/{month:02d}/{year}",
                    rng.choice(iros),
                    ";".join(rng.sample(children, rng.choice([1, 1, 2]))),
                    rng.choice(STAGES),
                    theme,
                    f"{year}-{month:02d}-{day + 1:02d} 09:00" if rng.random() < 0.8 else "",
                    f"{year}-{month:02d}-{28:02d} 16:00" if closed else "",
                    rng.choice(["", "resolved", "not_resolved"]) if closed else "",
                    "housing;other" if theme == "drift" else "",
                    "",
                    f"Synthetic escalation {n}",
                ]
            )


def _server_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL server process (it runs on this
    machine: /proc); None on SQLite, whose work is done in this process."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _import(path: Path, profile: bool):
    out = StringIO()
    profiler = None
    if profile:
        profiler = cProfile.Profile()
    server_before = _server_cpu()
    with CaptureQueriesContext(connection) as queries:
        start, client_start = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        call_command("import_escalations", str(path), "--no-progress", stdout=out)
        if profiler:
            profiler.disable()
        elapsed, client = time.perf_counter() - start, time.process_time() - client_start
    server = None if server_before is None else _server_cpu() - server_before
    cpu = f"CPU: this process {client:.2f} s" + ("" if server is None else f", the database server {server:.2f} s")
    return elapsed, queries.captured_queries, out.getvalue().splitlines()[0], profiler, cpu


def _by_statement(captured: list[dict]) -> None:
    """The time the client waited for each kind of statement (a COPY's includes making its rows)."""
    groups: dict[str, list[float]] = {}
    for query in captured:
        sql = query["sql"].replace('"', "")
        if " times: " in sql[:20]:  # an executemany, as Django logs it
            sql = sql.split(" times: ", 1)[1]
        words = sql.split()
        table = next((w for w in words[1:4] if "_" in w and w.isidentifier()), "")
        key = f"{words[0]} {table}".strip() if words[0] in ("COPY", "INSERT", "UPDATE", "DELETE") else words[0]
        groups.setdefault(key, []).append(float(query["time"]))
    print("  time waiting for the database, by statement (PostgreSQL checks each chunk's foreign keys while the")
    print("  next chunk is checked, so SET CONSTRAINTS shows only the wait that was left):")
    for key, times in sorted(groups.items(), key=lambda item: -sum(item[1])):
        print(f"  {sum(times):8.3f} s  {len(times):4d} x  {key}")


# The tables an import writes, with the columns to move so that copies of its rows fit beside
# them (ids, the keys between them, and the unique reference).
FLOOR_TABLES = [
    ("escalations_escalation", "id = id + {o}, current_step_id = current_step_id + {o}, reference = reference || '~'"),
    ("escalations_step", "id = id + {o}, escalation_id = escalation_id + {o}"),
    ("escalations_historicalescalation", "history_id = history_id + {o}"),
    ("escalations_historicalstep", "history_id = history_id + {o}"),
    *[
        (f"escalations_escalation_{name}", "id = id + {o}, escalation_id = escalation_id + {o}")
        for name in ("children", "themes", "subthemes", "drift_reasons")
    ],
    *[
        (f"escalations_historicalescalation_{name}", "m2m_history_id = m2m_history_id + {o}")
        for name in ("children", "themes", "subthemes", "drift_reasons")
    ],
]


def database_floor(rows: int) -> None:
    """What the database alone spends storing the import's rows: copies of them sent back with
    binary COPY (made beforehand, so the client only sends bytes), table by table, then their
    foreign keys checked; all rolled back."""

    offset = 1_000_000_000
    print("the database alone, storing copies of the same rows (binary COPY of rows made beforehand):")
    total = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        for table, moves in FLOOR_TABLES:
            cursor.execute(f"CREATE TEMP TABLE copy_{table} AS SELECT * FROM {table}")
            cursor.execute(f"UPDATE copy_{table} SET {moves.format(o=offset)}")
            with raw.copy(f"COPY copy_{table} TO STDOUT (FORMAT BINARY)") as copy:
                data = b"".join(bytes(block) for block in copy)
            start = time.perf_counter()
            with raw.copy(f"COPY {table} FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(data)
            took = time.perf_counter() - start
            total += took
            cursor.execute(f"SELECT count(*) FROM copy_{table}")
            print(f"  {took:7.3f} s  {cursor.fetchone()[0]:8,} rows  {table}")
        start = time.perf_counter()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        took = time.perf_counter() - start
        total += took
        print(f"  {took:7.3f} s  the foreign key checks")
        transaction.set_rollback(True)
    print(f"  {total:7.3f} s  in all: {rows / total:,.0f} rows/s for the database alone")


def drop_foreign_keys() -> int:
    """The experiment of ``--drop-foreign-keys``: the escalation tables without their foreign key
    constraints, in this throwaway database only. The number dropped."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text LIKE %s",
            [r"escalations\_%"],
        )
        found = cursor.fetchall()
        for table, name in found:
            cursor.execute(
                f"ALTER TABLE {connection.ops.quote_name(table)} DROP CONSTRAINT {connection.ops.quote_name(name)}"
            )
    return len(found)


def main() -> None:
    call_command("migrate", verbosity=0)
    if Escalation.objects.filter(reference__startswith="BENCH-").exists():
        sys.exit("The database already holds a benchmark import: use a fresh one.")
    if ARGS.drop_foreign_keys and connection.vendor == "postgresql":
        if Escalation.objects.exists():
            sys.exit(
                "--drop-foreign-keys changes the schema: it runs only on a database with no escalations, such "
                "as the throwaway one scripts/with-postgres.sh gives."
            )
        print(
            f"experiment: {drop_foreign_keys()} foreign key constraints of the escalation tables dropped "
            "(the import never does this)"
        )
    iros = [f"bench-iro-{n}" for n in range(40)]
    User.objects.bulk_create([User(username=u, role=Role.IRO, password="!") for u in iros], ignore_conflicts=True)
    children = [f"B{n:06d}" for n in range(20_000)]
    Child.objects.bulk_create([Child(case_id=c) for c in children], ignore_conflicts=True, batch_size=2000)

    path = Path(_TMP) / "log.csv"
    write_log(path, ARGS.rows, iros, children)
    version = (
        f" {connection.pg_version // 10000}.{connection.pg_version % 10000}"
        if connection.vendor == "postgresql"
        else ""
    )
    print(
        f"database: {connection.vendor}{version}; log: {ARGS.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    for label in ("first import", "same file again"):
        elapsed, captured, summary, profiler, cpu = _import(path, ARGS.profile and label == "first import")
        queries = len(captured)
        rate = ARGS.rows / elapsed
        verdict = ""
        if connection.vendor == "postgresql" and label == "first import":
            verdict = f" [{'PASS' if rate >= TARGET else 'FAIL'}: target {TARGET:,} rows/s]"
        print(f"{label}: {elapsed:.2f} s, {rate:,.0f} rows/s, {queries:,} queries{verdict} -- {summary}")
        print(f"  {cpu}")
        if ARGS.queries and label == "first import":
            _by_statement(captured)
        if ARGS.floor and label == "first import" and connection.vendor == "postgresql":
            database_floor(ARGS.rows)
        if profiler:
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats("tottime").print_stats(30)
            stats.sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
