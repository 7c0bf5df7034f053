#!/usr/bin/env python
"""Benchmark the committee report (``reports.selectors.report_build``) on a large database.

Target (spec): p50 and p95 over 20 runs; p95 under 500 ms for a council-year of 2,000
escalations in a database holding 1,000,000 escalations.

    scripts/with-postgres.sh .venv/bin/python bench/report_bench.py            # what `make bench-report` runs
    scripts/with-postgres.sh .venv/bin/python bench/report_bench.py --escalations 50000   # quick check

It migrates the database in DATABASE_URL, fills it with synthetic data using set-based SQL (one
transaction: rolled back whole on any error), VACUUM ANALYZEs, then times report_build. PostgreSQL
only. It refuses a database that already holds escalations unless --reuse is given, in which case
it generates nothing and benchmarks the data that is there. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import math
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iro_escalations.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalations.models import Escalation
from ladder.models import Stage
from ladder.selectors import ladder_settings
from people.models import Role, Team, User, name_sort_key_sql
from reports.periods import Period
from reports.selectors import report_build
from themes.models import DriftReason, Outcome, SubTheme, Theme
from workdays.selectors import working_calendar

TZ = "Europe/London"
TARGET_MS = 500.0

# The tables the load writes in bulk. Their secondary indexes, unique constraints and foreign keys
# are dropped for the load and re-created (and the foreign keys re-validated) before the same
# transaction commits, so nothing stays disabled even if the load fails half-way.
BULK_TABLES = [
    "children_child",
    "escalations_escalation",
    "escalations_step",
    "escalations_escalation_children",
    "escalations_escalation_themes",
    "escalations_escalation_subthemes",
    "escalations_escalation_drift_reasons",
]
VACUUM_TABLES = BULK_TABLES + ["children_siblinggroup", "people_user", "people_team"]

# Shape of the synthetic data (fractions of escalations).
DATE_ONLY = 0.05  # imported from a log with dates but no times
CLOSED = 0.90  # the rest open: awaiting a reply, acknowledged or responded, a third each
NO_THEME = 0.05
SECOND_THEME = 0.15
SUBTHEME = 0.50  # of escalations whose theme has sub-themes
SECOND_DRIFT_REASON = 0.30
CAFCASS = 0.01
THEME_WEIGHTS = {"care_plan_not_on_system": 0.40, "drift": 0.10}  # the rest share what is left equally
IROS = 40
MANAGERS_PER_STAGE = 4
TEAMS = 10


def say(text: str = "") -> None:
    print(text, flush=True)


def percentile_nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


# --------------------------------------------------------------------------------------- arguments


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--escalations", type=int, default=1_000_000, help="escalations in the whole database (default 1,000,000)"
    )
    parser.add_argument("--year", default="2024-25", help="the financial year to report on (default 2024-25)")
    parser.add_argument(
        "--year-escalations",
        type=int,
        default=2_000,
        help="escalations raised in the reported year, and in the year before it, which the report compares "
        "against (default 2,000); the rest are spread over 20 other years",
    )
    parser.add_argument("--children", type=int, default=100_000, help="looked-after children (default 100,000)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs (default 20)")
    parser.add_argument("--target-ms", type=float, default=TARGET_MS, help="p95 target in ms (default 500)")
    parser.add_argument("--seed", type=float, default=0.42, help="PostgreSQL setseed() value, -1..1 (default 0.42)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="accept a database that already holds escalations: generate nothing, benchmark what is there",
    )
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries even when the target is met"
    )
    args = parser.parse_args(argv)
    if args.escalations < 2 * args.year_escalations:
        parser.error("--escalations must be at least twice --year-escalations")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


# --------------------------------------------------------------------------------------- database


def escalation_count_if_any() -> int:
    """Escalations already in the database, read before migrating (0 when the table does not exist)."""
    if Escalation._meta.db_table not in connection.introspection.table_names():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(Escalation._meta.db_table)}")
        return cursor.fetchone()[0]


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        return cursor.fetchone()[0]


def scalar(cursor, sql: str, params=None):
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def max_id(cursor, table: str) -> int:
    return scalar(cursor, f"SELECT coalesce(max(id), 0) FROM {connection.ops.quote_name(table)}")


class Phase:
    """Prints how long a step of the load took."""

    def __init__(self, label: str):
        self.label = label

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            say(f"  {self.label:<58} {time.perf_counter() - self.started:7.1f} s")


# --------------------------------------------------------------------------------------- indexes


def secondary_objects(cursor) -> dict[str, list[tuple[str, str, str]]]:
    """The foreign keys, unique constraints and plain indexes of BULK_TABLES (not the primary keys)."""
    cursor.execute(
        """
        SELECT c.contype, c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
        FROM pg_constraint c
        WHERE c.conrelid = ANY(%s::regclass[]) AND c.contype IN ('f', 'u')
        ORDER BY 1, 2, 3
        """,
        [BULK_TABLES],
    )
    found = {"f": [], "u": [], "i": []}
    for kind, table, name, definition in cursor.fetchall():
        found[kind].append((table, name, definition))
    cursor.execute(
        """
        SELECT i.indrelid::regclass::text, ic.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
        ORDER BY 1, 2
        """,
        [BULK_TABLES],
    )
    found["i"] = cursor.fetchall()
    return found


def drop_secondary(cursor, objects) -> None:
    q = connection.ops.quote_name
    for table, name, _ in objects["f"] + objects["u"]:
        cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
    for _, name, _ in objects["i"]:
        cursor.execute(f"DROP INDEX {q(name)}")


def restore_secondary(cursor, objects) -> None:
    q = connection.ops.quote_name
    for _, _, definition in objects["i"]:
        cursor.execute(definition)
    for table, name, definition in objects["u"] + objects["f"]:  # foreign keys last: they are validated here
        cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")


# --------------------------------------------------------------------------------------- generation


def year_plan(period: Period, total: int, per_year: int, now: dt.datetime) -> list[tuple[int, int]]:
    """(financial year start, escalations) for every year, oldest first.

    The reported year and the one before it (the report's comparison) hold ``per_year`` each; the rest
    are spread evenly over the 19 years before those and the year after (when that is over by now).
    """
    first = period.start.year
    others = list(range(first - 21, first - 1))
    following = Period.financial_year(f"{first + 1}-{(first + 2) % 100:02d}")
    if following.ends_at + dt.timedelta(days=120) < now:
        others = others[1:] + [first + 1]
    rest = total - 2 * per_year
    counts = {year: rest // len(others) + (1 if i < rest % len(others) else 0) for i, year in enumerate(others)}
    counts[first - 1] = per_year
    counts[first] = per_year
    return sorted(counts.items())


def working_day_tables(cursor, start: dt.date, end: dt.date) -> None:
    """bench_wd(n, day): the working days numbered in order; bench_day(day, zero_n): every calendar
    day with the number of its day 0 (itself, or the next working day). A step sent on day d with a
    target of t working days is due on bench_wd[bench_day[d].zero_n + t]: WorkingCalendar.due_on."""
    calendar = working_calendar()
    working, days, zeros = [], [], []
    day = start
    while day <= end:
        if calendar.is_working_day(day):
            working.append(day)
        day += dt.timedelta(days=1)
    index = {d: n for n, d in enumerate(working, start=1)}
    n = 1
    day = start
    while day <= working[-1]:
        while working[n - 1] < day:
            n += 1
        days.append(day)
        zeros.append(index[working[n - 1]])
        day += dt.timedelta(days=1)
    cursor.execute(
        "CREATE TEMP TABLE bench_wd ON COMMIT DROP AS SELECT * FROM unnest(%s::int[], %s::date[]) AS t(n, day)",
        [list(range(1, len(working) + 1)), working],
    )
    cursor.execute(
        "CREATE TEMP TABLE bench_day ON COMMIT DROP AS SELECT * FROM unnest(%s::date[], %s::int[]) AS t(day, zero_n)",
        [days, zeros],
    )
    cursor.execute("ALTER TABLE bench_wd ADD PRIMARY KEY (n)")
    cursor.execute("ALTER TABLE bench_day ADD PRIMARY KEY (day)")


def lookup_tables(cursor) -> dict:
    """Temp tables for stages, themes and sub-themes; returns the ids the SQL needs as parameters."""
    stages = list(Stage.objects.order_by("order"))
    if len(stages) < 7 or stages[0].formal or not all(s.formal for s in stages[1:]):
        raise SystemExit("The benchmark expects the seeded ladder: 7 stages, only the first informal.")
    cursor.execute(
        "CREATE TEMP TABLE bench_stage ON COMMIT DROP AS "
        "SELECT * FROM unnest(%s::int[], %s::bigint[], %s::bool[], %s::int[], %s::int[]) AS t(ord, id, formal, "
        "target, stage_order)",
        [
            list(range(1, len(stages) + 1)),
            [s.pk for s in stages],
            [s.formal for s in stages],
            [s.target_working_days for s in stages],
            [s.order for s in stages],
        ],
    )

    themes = list(Theme.objects.order_by("order", "label"))
    fixed = sum(THEME_WEIGHTS.get(t.code, 0) for t in themes)
    free = [t for t in themes if t.code not in THEME_WEIGHTS]
    share = (1 - NO_THEME - fixed) / len(free)
    bounds, edge = [], NO_THEME
    for t in themes:
        bounds.append(edge)
        edge += THEME_WEIGHTS.get(t.code, share)
    cursor.execute(
        "CREATE TEMP TABLE bench_theme ON COMMIT DROP AS SELECT * FROM unnest(%s::int[], %s::bigint[]) AS t(k, id)",
        [list(range(1, len(themes) + 1)), [t.pk for t in themes]],
    )
    subs = {t.pk: [] for t in themes}
    for sub in SubTheme.objects.order_by("order", "label"):
        subs[sub.theme_id].append(sub.pk)
    rows = [(k, j, sid) for k, t in enumerate(themes, start=1) for j, sid in enumerate(subs[t.pk], start=1)]
    cursor.execute(
        "CREATE TEMP TABLE bench_sub ON COMMIT DROP AS SELECT * FROM unnest(%s::int[], %s::int[], %s::bigint[]) "
        "AS t(theme_k, j, id)",
        [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
    )
    drift_k = next((k for k, t in enumerate(themes, start=1) if t.code == "drift"), None)
    reasons = list(DriftReason.objects.order_by("order").values_list("pk", flat=True))
    outcomes = {o.code: o.pk for o in Outcome.objects.all()}
    return {
        "theme_bounds": bounds,
        "themes": len(themes),
        "nsub": [len(subs[t.pk]) for t in themes],
        "drift_k": drift_k,
        "reasons": reasons,
        "outcome_resolved": outcomes[Outcome.RESOLVED],
        "outcome_not_resolved": outcomes[Outcome.NOT_RESOLVED],
        "outcome_withdrawn": outcomes[Outcome.WITHDRAWN],
    }


def people(cursor) -> tuple[list[int], list[int], list[int]]:
    """40 IROs, 4 responding managers per stage and 10 teams (ORM bulk_create: no history rows)."""
    teams = Team.objects.bulk_create(
        [Team(name=f"Bench looked-after children team {n:02d}") for n in range(1, TEAMS + 1)]
    )
    now = timezone.now()
    users = [
        User(
            username=f"bench-iro-{n:03d}",
            first_name="Bench",
            last_name=f"Iroley{n:02d}",  # no word of a name is an ordinary word: the report's
            # identifier check refuses a paper whose text holds a member of staff's surname
            role=Role.IRO,
            password="!bench-no-login",
            team=teams[n % TEAMS],
            date_joined=now,
        )
        for n in range(1, IROS + 1)
    ]
    stages = list(Stage.objects.order_by("order"))
    for stage in stages:
        users += [
            User(
                username=f"bench-{stage.code}-{n}",
                first_name="Bench",
                last_name=f"Stagewell{stage.order}{n}",
                role=Role.MANAGER,
                stage=stage,
                password="!bench-no-login",
                date_joined=now,
            )
            for n in range(1, MANAGERS_PER_STAGE + 1)
        ]
    User.objects.bulk_create(users)
    # Check the deferred foreign keys of these rows now, so no trigger events are pending when the
    # bulk tables are altered.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    iros = [u.pk for u in users if u.role == Role.IRO]
    managers = [u.pk for u in users if u.role == Role.MANAGER]  # stage by stage, in ladder order
    return iros, managers, [t.pk for t in teams]


PLAN_SQL = """
CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
WITH r AS (
    SELECT y.fy, y.cnt, g, y.off + g AS id,
           random() AS r_time, random() AS r_only, random() AS r_n, random() AS r_o1, random() AS r_inc,
           random() AS r_cycle, random() AS r_fr, random() AS r_resp, random() AS r_close, random() AS r_state,
           random() AS r_outcome, random() AS r_t1, random() AS r_t2, random() AS r_sub, random() AS r_dr,
           random() AS r_dr2, random() AS r_nc, random() AS r_child, random() AS r_caf, random() AS r_iro
    FROM unnest(%(fys)s::int[], %(offsets)s::bigint[], %(counts)s::int[]) AS y(fy, off, cnt)
    CROSS JOIN LATERAL generate_series(1, y.cnt) AS g
), d AS (
    SELECT r.*,
           r_only < %(date_only)s AS date_only,
           make_date(fy, 4, 1) + ((g - 1)::bigint * (make_date(fy + 1, 4, 1) - make_date(fy, 4, 1)) / cnt)::int
               AS raised_on,
           CASE WHEN r_o1 < 0.40 THEN 1 WHEN r_o1 < 0.50 THEN 2 WHEN r_o1 < 0.95 THEN 3 ELSE 4 END AS o1,
           NULLIF(width_bucket(r_t1, %(theme_bounds)s::float8[]), 0) AS t1k
    FROM r
), e AS (
    SELECT d.*,
           CASE WHEN r_t2 < %(second_theme)s AND t1k IS NOT NULL
                THEN mod(t1k + floor(r_t2 / %(second_theme)s * (%(themes)s - 1))::int, %(themes)s) + 1 END AS t2k
    FROM d
)
SELECT id, fy, date_only,
       (raised_on + CASE WHEN date_only THEN time '00:00' ELSE time '09:00' + r_time * interval '8 hours' END)
           AT TIME ZONE %(tz)s AS raised_at,
       CASE WHEN r_n < 0.55 THEN 1 WHEN r_n < 0.95 THEN 2 ELSE 3 END AS n,
       o1, o1 + 1 + (r_inc < 0.3)::int AS o2, o1 + 2 + (r_inc < 0.3)::int AS o3,
       6 + floor(r_cycle * 8) AS cycle_days,                       -- days between steps
       0.5 + r_fr * r_fr * 48 AS fr_h,                             -- hours to the first reply
       (0.5 + r_fr * r_fr * 48) / 24 + r_resp * 3.5 AS resp_d,     -- days to the response (< cycle_days)
       0.5 + r_close * 10 AS close_d,                              -- days from the last response to closing
       CASE WHEN r_state < %(closed)s THEN 'closed'
            WHEN r_state < %(closed)s + (1 - %(closed)s) / 3 THEN 'awaiting'
            WHEN r_state < %(closed)s + 2 * (1 - %(closed)s) / 3 THEN 'ack'
            ELSE 'responded' END AS state,
       CASE WHEN r_outcome < 0.7 THEN %(outcome_resolved)s WHEN r_outcome < 0.9 THEN %(outcome_not_resolved)s
            ELSE %(outcome_withdrawn)s END AS outcome_id,
       t1k, t2k,
       CASE WHEN r_sub < %(subtheme)s AND (%(nsub)s::int[])[t1k] > 0
            THEN 1 + floor(r_sub / %(subtheme)s * (%(nsub)s::int[])[t1k])::int END AS sub_j,
       CASE WHEN %(drift_k)s::int IN (t1k, t2k) THEN 1 + floor(r_dr * %(n_reasons)s)::int END AS dr1,
       CASE WHEN %(drift_k)s::int IN (t1k, t2k) AND r_dr2 < %(second_reason)s AND %(n_reasons)s > 1
            THEN mod(floor(r_dr * %(n_reasons)s)::int + 1, %(n_reasons)s) + 1 END AS dr2,
       CASE WHEN r_nc < 0.75 THEN 1 WHEN r_nc < 0.95 THEN 2 ELSE 3 END AS n_children,
       floor(r_child * %(children)s)::int AS child_base,
       r_caf < %(cafcass)s AS cafcass,
       (%(iros)s::bigint[])[1 + floor(r_iro * %(n_iros)s)::int] AS iro_id
FROM e
"""

STEPS_SQL = """
CREATE TEMP TABLE bench_steps ON COMMIT DROP AS
SELECT %(s_base)s + p.step_off + k AS id, p.id AS escalation_id, k AS sequence,
       st.id AS stage_id, st.formal, st.stage_order, st.target AS target_working_days,
       (%(managers)s::bigint[])[(s.o - 1) * %(per_stage)s + 1 + mod(p.id + k, %(per_stage)s)::int] AS addressee_id,
       s.sent_at, p.iro_id AS sent_by_id, wd.day AS due_on,
       (wd.day + 1)::timestamp AT TIME ZONE %(tz)s AS due_at,
       CASE WHEN k < p.n OR p.state <> 'awaiting' THEN s.sent_at + p.fr_h * interval '1 hour' END AS first_response_at,
       CASE WHEN k < p.n OR p.state IN ('closed', 'responded') THEN s.sent_at + p.resp_d * interval '1 day' END
           AS responded_at,
       CASE WHEN k < p.n THEN 'escalated'
            WHEN p.state = 'closed' AND p.outcome_id = %(outcome_withdrawn)s THEN 'withdrawn'
            WHEN p.state = 'closed' THEN 'resolved'
            ELSE '' END AS result,
       CASE WHEN k < p.n THEN s.sent_at + p.cycle_days * interval '1 day'
            WHEN p.state = 'closed' THEN s.sent_at + (p.resp_d + p.close_d) * interval '1 day' END AS ended_at,
       p.date_only
FROM bench_plan p
CROSS JOIN LATERAL generate_series(1, p.n) AS k
CROSS JOIN LATERAL (
    SELECT CASE k WHEN 1 THEN p.o1 WHEN 2 THEN p.o2 ELSE p.o3 END AS o,
           p.raised_at + (k - 1) * p.cycle_days * interval '1 day' AS sent_at
) AS s
JOIN bench_stage st ON st.ord = s.o
JOIN bench_day d ON d.day = (s.sent_at AT TIME ZONE %(tz)s)::date
JOIN bench_wd wd ON wd.n = d.zero_n + st.target
"""

INSERT_STEPS_SQL = """
INSERT INTO escalations_step (
    id, escalation_id, sequence, stage_id, addressee_id, sent_at, sent_by_id, target_working_days, due_on, due_at,
    first_response_at, first_response_date_only, responded_at, response, action_agreed, action_due_on, result, ended_at,
    sent_reason, end_reason)
SELECT id, escalation_id, sequence, stage_id, addressee_id, sent_at, sent_by_id, target_working_days, due_on, due_at,
       first_response_at, date_only AND first_response_at IS NOT NULL, responded_at,
       CASE WHEN responded_at IS NOT NULL THEN 'Synthetic response.' ELSE '' END, '', NULL, result, ended_at,
       CASE WHEN sequence > 1 THEN 'Synthetic reason for escalating.' ELSE '' END,
       CASE WHEN result IN ('resolved', 'withdrawn') THEN 'Synthetic reason for closing.' ELSE '' END
FROM bench_steps ORDER BY id
"""

IRO_SORT_KEY_SQL = name_sort_key_sql("u")

INSERT_ESCALATIONS_SQL = """
INSERT INTO escalations_escalation (
    id, reference, iro_id, iro_sort_key, raised_at, raised_date_only, concern, desired_outcome, status, outcome_id,
    closed_at, cafcass_referred_on, cafcass_reason, source, current_step_id, current_stage_id, current_stage_order,
    current_addressee_id, current_responded_at, highest_stage_id, next_due_at, first_response_at,
    first_response_date_only, formal_started_at, version, import_row_hash, created_at, updated_at)
SELECT p.id, 'BENCH-' || lpad(p.id::text, 8, '0'), p.iro_id, %(iro_sort_key)s, p.raised_at, p.date_only,
       'Synthetic concern ' || p.id || ' for the report benchmark.', '',
       CASE WHEN p.state = 'closed' THEN 'closed' ELSE 'open' END,
       CASE WHEN p.state = 'closed' THEN p.outcome_id END,
       CASE WHEN p.state = 'closed' THEN l.ended_at END,
       CASE WHEN p.cafcass THEN (p.raised_at AT TIME ZONE %(tz)s)::date + 28 END,
       CASE WHEN p.cafcass THEN 'Synthetic Cafcass referral.' ELSE '' END,
       CASE WHEN p.date_only THEN 'import' ELSE 'app' END,
       l.id, l.stage_id, l.stage_order, l.addressee_id, l.responded_at, top.id,
       CASE WHEN p.state <> 'closed' AND l.responded_at IS NULL THEN l.due_at END,
       a.first_response_at, p.date_only AND a.first_response_at IS NOT NULL, a.formal_started_at,
       1, '', p.raised_at, coalesce(l.ended_at, l.responded_at, l.first_response_at, l.sent_at)
FROM bench_plan p
JOIN people_user u ON u.id = p.iro_id
JOIN bench_steps l ON l.escalation_id = p.id AND l.sequence = p.n
JOIN (
    SELECT escalation_id, min(first_response_at) AS first_response_at,
           min(sent_at) FILTER (WHERE formal) AS formal_started_at, max(stage_order) AS top_order
    FROM bench_steps GROUP BY escalation_id
) AS a ON a.escalation_id = p.id
JOIN bench_stage top ON top.stage_order = a.top_order
ORDER BY p.id
""".replace("%(iro_sort_key)s", IRO_SORT_KEY_SQL)

# Every denormalised field recomputed from the steps; each count must be 0.
CONSISTENCY_SQL = """
WITH a AS (
    SELECT s.escalation_id, max(s.sequence) AS last_seq, count(*) AS n, min(s.first_response_at) AS fr,
           min(s.sent_at) FILTER (WHERE st.formal) AS formal, max(st."order") AS top,
           count(*) FILTER (WHERE s.sequence < 1 OR s.responded_at < s.first_response_at OR s.ended_at < s.sent_at
                            OR s.sent_at < e0.raised_at OR s.due_at <= s.sent_at) AS bad_times
    FROM escalations_step s
    JOIN ladder_stage st ON st.id = s.stage_id
    JOIN escalations_escalation e0 ON e0.id = s.escalation_id
    GROUP BY s.escalation_id
)
SELECT count(*) FILTER (WHERE a.escalation_id IS NULL) AS without_steps,
       count(*) FILTER (WHERE cs.escalation_id <> e.id OR cs.sequence <> a.last_seq OR a.n <> a.last_seq) AS
           current_step,
       count(*) FILTER (WHERE e.current_stage_id <> cs.stage_id
                        OR e.current_addressee_id IS DISTINCT FROM cs.addressee_id) AS current_stage_or_addressee,
       count(*) FILTER (WHERE e.current_stage_order IS DISTINCT FROM cst."order") AS current_stage_order,
       count(*) FILTER (WHERE e.iro_sort_key <> %(iro_sort_key)s) AS iro_sort_key,
       count(*) FILTER (WHERE e.current_responded_at IS DISTINCT FROM cs.responded_at) AS current_responded_at,
       count(*) FILTER (WHERE hs."order" <> a.top) AS highest_stage,
       count(*) FILTER (WHERE e.first_response_at IS DISTINCT FROM a.fr) AS first_response_at,
       count(*) FILTER (WHERE e.formal_started_at IS DISTINCT FROM a.formal) AS formal_started_at,
       count(*) FILTER (WHERE e.next_due_at IS DISTINCT FROM
                        CASE WHEN e.status = 'open' AND cs.responded_at IS NULL THEN cs.due_at END) AS next_due_at,
       count(*) FILTER (WHERE e.status = 'closed' AND (cs.ended_at IS DISTINCT FROM e.closed_at
                        OR cs.result <> CASE WHEN o.code = 'withdrawn' THEN 'withdrawn' ELSE 'resolved' END)) AS closed,
       count(*) FILTER (WHERE e.status = 'open' AND cs.result <> '') AS open_with_ended_step,
       count(*) FILTER (WHERE e.version <> 1) AS version,
       coalesce(sum(a.bad_times), 0) AS step_times
FROM escalations_escalation e
LEFT JOIN a ON a.escalation_id = e.id
LEFT JOIN escalations_step cs ON cs.id = e.current_step_id
LEFT JOIN ladder_stage cst ON cst.id = e.current_stage_id
LEFT JOIN people_user u ON u.id = e.iro_id
LEFT JOIN ladder_stage hs ON hs.id = e.highest_stage_id
LEFT JOIN themes_outcome o ON o.id = e.outcome_id
""".replace("%(iro_sort_key)s", IRO_SORT_KEY_SQL)


def generate(args, period: Period) -> None:
    now = timezone.now()
    years = year_plan(period, args.escalations, args.year_escalations, now)
    others = [count for year, count in years if year not in (period.start.year, period.start.year - 1)]
    say(
        f"Generating {args.escalations:,} escalations over {len(years)} financial years "
        f"({years[0][0]}-{(years[0][0] + 1) % 100:02d} to {years[-1][0]}-{(years[-1][0] + 1) % 100:02d}); "
        f"{args.year_escalations:,} in {period.label} and in {period.previous().label}, "
        f"about {others[0]:,} in each other year."
    )
    say("History (audit) tables are left empty: the report does not read them.")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL temp_buffers = '512MB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SELECT setseed(%s)", [args.seed])

        with Phase("people: IROs, managers, teams"):
            iros, managers, teams = people(cursor)
        with Phase("drop secondary indexes and foreign keys (same transaction)"):
            before = secondary_objects(cursor)
            drop_secondary(cursor, before)
        with Phase("lookup tables (stages, themes, working days)"):
            params = lookup_tables(cursor)
            working_day_tables(cursor, dt.date(years[0][0], 3, 1), dt.date(years[-1][0] + 1, 12, 31))

        e_base = max_id(cursor, "escalations_escalation")
        s_base = max_id(cursor, "escalations_step")
        c_base = max_id(cursor, "children_child")
        g_base = max_id(cursor, "children_siblinggroup")
        offsets, off = [], e_base
        for _, count in years:
            offsets.append(off)
            off += count
        params.update(
            fys=[y for y, _ in years],
            offsets=offsets,
            counts=[c for _, c in years],
            tz=TZ,
            date_only=DATE_ONLY,
            closed=CLOSED,
            second_theme=SECOND_THEME,
            subtheme=SUBTHEME,
            second_reason=SECOND_DRIFT_REASON,
            cafcass=CAFCASS,
            children=args.children,
            iros=iros,
            n_iros=len(iros),
            managers=managers,
            per_stage=MANAGERS_PER_STAGE,
            n_reasons=len(params["reasons"]),
            s_base=s_base,
            c_base=c_base,
            g_base=g_base,
            teams=teams,
        )

        with Phase(f"{args.children:,} children in sibling groups of 3 (a quarter of them)"):
            groups = (args.children - 1) // 12 + 1
            cursor.execute(
                "INSERT INTO children_siblinggroup (id, name) "
                "SELECT %(g_base)s + g, 'Bench sibling group ' || (%(g_base)s + g) FROM generate_series(1, "
                "%(groups)s) AS g",
                {"g_base": g_base, "groups": groups},
            )
            cursor.execute(
                """
                INSERT INTO children_child (
                    id, case_id, first_name, last_name, date_of_birth, sex, legal_status, looked_after_from,
                    looked_after_to, social_worker, details_to_complete, iro_id, team_id, sibling_group_id)
                SELECT %(c_base)s + g, 'BENCH-C' || lpad((%(c_base)s + g)::text, 8, '0'), 'Bench', 'Child ' || g,
                       date '2000-01-01' + mod(g * 7919, 9000)::int, CASE WHEN mod(g, 2) = 0 THEN '1' ELSE '2'
                           END, 'C2',
                       NULL, NULL, 'Bench social worker', false,
                       (%(iros)s::bigint[])[1 + mod(g, %(n_iros)s)::int], (%(teams)s::bigint[])[1 + mod(g, 10)::int],
                       CASE WHEN mod((g - 1) / 3, 4) = 0 THEN %(g_base)s + (g - 1) / 12 + 1 END
                FROM generate_series(1, %(children)s) AS g
                """,
                params,
            )
        with Phase("plan: one row per escalation (temp table)"):
            cursor.execute(PLAN_SQL, params)
            cursor.execute("ALTER TABLE bench_plan ADD COLUMN step_off bigint")
            cursor.execute(
                "UPDATE bench_plan p SET step_off = w.off FROM "
                "(SELECT id, sum(n) OVER (ORDER BY id) - n AS off FROM bench_plan) AS w WHERE w.id = p.id"
            )
            cursor.execute("ANALYZE bench_plan")
        with Phase("steps (temp table, due dates on the working-day calendar)"):
            cursor.execute(STEPS_SQL, params)
            cursor.execute("ANALYZE bench_steps")
        with Phase("insert escalations_step"):
            cursor.execute(INSERT_STEPS_SQL)
        with Phase("insert escalations_escalation (denormalised from the steps)"):
            cursor.execute(INSERT_ESCALATIONS_SQL, params)
        with Phase("insert children, themes, sub-themes, drift reasons links"):
            cursor.execute(
                "INSERT INTO escalations_escalation_children (escalation_id, child_id) "
                "SELECT p.id, %(c_base)s + mod(p.child_base + k, %(children)s) + 1 "
                "FROM bench_plan p CROSS JOIN LATERAL generate_series(0, p.n_children - 1) AS k ORDER BY 1, 2",
                params,
            )
            cursor.execute(
                "INSERT INTO escalations_escalation_themes (escalation_id, theme_id) "
                "SELECT x.id, t.id FROM (SELECT id, t1k AS k FROM bench_plan UNION ALL SELECT id, t2k FROM "
                "bench_plan) AS x "
                "JOIN bench_theme t ON t.k = x.k ORDER BY 1, 2"
            )
            cursor.execute(
                "INSERT INTO escalations_escalation_subthemes (escalation_id, subtheme_id) "
                "SELECT p.id, s.id FROM bench_plan p JOIN bench_sub s ON s.theme_k = p.t1k AND s.j = p.sub_j ORDER BY 1"
            )
            cursor.execute(
                "INSERT INTO escalations_escalation_drift_reasons (escalation_id, driftreason_id) "
                "SELECT x.id, (%(reasons)s::bigint[])[x.k] FROM "
                "(SELECT id, dr1 AS k FROM bench_plan UNION ALL SELECT id, dr2 FROM bench_plan) AS x "
                "WHERE x.k IS NOT NULL ORDER BY 1, 2",
                params,
            )
        with Phase("re-create indexes and unique constraints, re-validate foreign keys"):
            restore_secondary(cursor, before)
            if secondary_objects(cursor) != before:
                raise RuntimeError("the indexes and constraints after the load differ from those before it")
        with Phase("reset id sequences"):
            for table in ["children_siblinggroup", "children_child", "escalations_escalation", "escalations_step"]:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM "
                    f"{connection.ops.quote_name(table)}))",
                    [table],
                )
        with Phase("consistency checks (denormalised fields, due dates)"):
            check_consistency(cursor)
    say(f"  {'committed':<58} {time.perf_counter() - started:7.1f} s in all")
    with Phase("VACUUM ANALYZE (what autovacuum would have done)"):
        with connection.cursor() as cursor:
            for table in VACUUM_TABLES:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")


def check_consistency(cursor) -> None:
    cursor.execute(CONSISTENCY_SQL)
    names = [col.name for col in cursor.description]
    bad = {name: value for name, value in zip(names, cursor.fetchone()) if value}
    if bad:
        raise RuntimeError(f"generated data is inconsistent: {bad}")
    # Due dates: a sample against the project's own working-day clock.
    calendar = working_calendar()
    cursor.execute(
        "SELECT sent_at, target_working_days, due_on FROM escalations_step TABLESAMPLE SYSTEM (1) LIMIT 2000"
    )
    sample = cursor.fetchall()
    wrong = [row for row in sample if calendar.due_on(row[0], row[1]) != row[2]]
    if wrong or not sample:
        raise RuntimeError(
            f"due_on disagrees with WorkingCalendar.due_on for {len(wrong)} of {len(sample)} sampled steps"
        )


# --------------------------------------------------------------------------------------- benchmark


def counts(period: Period) -> dict[str, int]:
    with connection.cursor() as cursor:
        result = {}
        for label, table in [
            ("escalations", "escalations_escalation"),
            ("steps", "escalations_step"),
            ("children", "children_child"),
            ("escalation-child links", "escalations_escalation_children"),
            ("escalation-theme links", "escalations_escalation_themes"),
        ]:
            result[label] = scalar(cursor, f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
    result["in_year"] = Escalation.objects.filter(raised_at__gte=period.starts_at, raised_at__lt=period.ends_at).count()
    previous = period.previous()
    result["in_previous"] = Escalation.objects.filter(
        raised_at__gte=previous.starts_at, raised_at__lt=previous.ends_at
    ).count()
    return result


def planner_estimate(period: Period) -> int:
    """The planner's row estimate for the reported year's escalations (the report filters every
    link table and the steps through this range, so a bad estimate means bad join plans)."""
    qs = Escalation.objects.filter(raised_at__gte=period.starts_at, raised_at__lt=period.ends_at).values("id")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def computed(period: Period) -> dict:
    """``report_build`` computed: with ``now`` given it is never read back from the kept results
    (``core.kept.kept_unchanged``), which is what this benchmark times."""
    return report_build(period=period, now=timezone.now())


def profile_once(period: Period) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    computed(period)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


# The report's aggregations as raw SQL, for the side-by-side figure (issue 15: report_build within 5x
# of them). The same counting and grouping report_build does for the year and its comparison year:
# totals and first replies, by highest stage, by theme (escalations and children), by sub-theme,
# outcomes at the end, by month, each step against its target, and the drift theme's figures. What
# SQL cannot do well, the working-day counts, is left out: report_build does it in Python.
RAW_SQL = [
    """SELECT count(*), count(*) FILTER (WHERE e.first_response_at IS NOT NULL),
              count(*) FILTER (WHERE e.first_response_at < e.raised_at + make_interval(hours => %(hours)s)),
              count(*) FILTER (WHERE e.raised_date_only OR e.first_response_date_only),
              count(*) FILTER (WHERE e.cafcass_referred_on IS NOT NULL),
              count(*) FILTER (WHERE e.formal_started_at IS NOT NULL AND e.closed_at IS NOT NULL)
       FROM escalations_escalation e WHERE e.raised_at >= %(start)s AND e.raised_at < %(end)s""",
    """SELECT e.highest_stage_id, count(*) FROM escalations_escalation e
       WHERE e.raised_at >= %(start)s AND e.raised_at < %(end)s GROUP BY 1""",
    """SELECT t.theme_id, count(DISTINCT t.escalation_id), count(DISTINCT c.child_id)
       FROM escalations_escalation e JOIN escalations_escalation_themes t ON t.escalation_id = e.id
       JOIN escalations_escalation_children c ON c.escalation_id = e.id
       WHERE e.raised_at >= %(start)s AND e.raised_at < %(end)s GROUP BY 1""",
    """SELECT s.subtheme_id, count(DISTINCT s.escalation_id) FROM escalations_escalation e
       JOIN escalations_escalation_subthemes s ON s.escalation_id = e.id
       WHERE e.raised_at >= %(start)s AND e.raised_at < %(end)s GROUP BY 1""",
    """SELECT CASE WHEN e.closed_at < %(end)s THEN o.code END, count(*) FROM escalations_escalation e
       LEFT JOIN themes_outcome o ON o.id = e.outcome_id
       WHERE e.raised_at >= %(start)s AND e.raised_at < %(end)s GROUP BY 1""",
    """SELECT date_trunc('month', e.raised_at AT TIME ZONE 'Europe/London'), count(*) FROM escalations_escalation e
       WHERE e.raised_at >= %(start)s AND e.raised_at < %(end)s GROUP BY 1""",
    """SELECT s.stage_id, s.target_working_days, count(s.responded_at),
              count(*) FILTER (WHERE s.responded_at < s.due_at)
       FROM escalations_escalation e JOIN escalations_step s ON s.escalation_id = e.id
       WHERE e.raised_at >= %(start)s AND e.raised_at < %(end)s GROUP BY 1, 2""",
    """SELECT count(DISTINCT e.id), count(DISTINCT c.child_id) FROM escalations_escalation e
       JOIN escalations_escalation_themes t ON t.escalation_id = e.id
       JOIN themes_theme th ON th.id = t.theme_id AND th.code = 'drift'
       JOIN escalations_escalation_children c ON c.escalation_id = e.id
       WHERE e.raised_at >= %(start)s AND e.raised_at < %(end)s""",
    """SELECT r.driftreason_id, count(DISTINCT e.id) FROM escalations_escalation e
       JOIN escalations_escalation_drift_reasons r ON r.escalation_id = e.id
       WHERE e.raised_at >= %(start)s AND e.raised_at < %(end)s GROUP BY 1""",
]


def raw_sql_times(period: Period, runs: int) -> list[float]:
    """Milliseconds per run of RAW_SQL for the period and the year before (as report_build compares)."""
    hours = ladder_settings().first_response_hours
    periods = [period, period.previous()]
    times = []
    with connection.cursor() as cursor:
        for run in range(runs + 1):
            started = time.perf_counter()
            for each in periods:
                params = {"start": each.starts_at, "end": each.ends_at, "hours": hours}
                for sql in RAW_SQL:
                    cursor.execute(sql, params)
                    cursor.fetchall()
            if run:  # the first run warms up
                times.append((time.perf_counter() - started) * 1000)
    return times


def benchmark(args, period: Period) -> None:
    info = counts(period)
    say()
    say("=" * 78)
    say(f"Database        {connection.vendor} {server_version()}")
    say(
        f"Rows            {info['escalations']:,} escalations, {info['steps']:,} steps, {info['children']:,} children, "
        f"{info['escalation-child links']:,} child links, {info['escalation-theme links']:,} theme links"
    )
    say(
        f"Reported year   {period.label}: {info['in_year']:,} escalations "
        f"(comparison year {period.previous().label}: {info['in_previous']:,}); "
        f"planner estimate for the year: {planner_estimate(period):,} rows"
    )

    # Timed runs without Django's debug cursor (production runs with DEBUG off).
    settings.DEBUG = False
    computed(period)  # warm: connection, caches, holidays
    load_before = os.getloadavg()[0]
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        computed(period)
        times.append((time.perf_counter() - started) * 1000)
    load_after = os.getloadavg()[0]

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        computed(period)
        captured_ms = (time.perf_counter() - started) * 1000
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    sql_ms = sum(ms for ms, _ in queries)

    p50 = percentile_nearest_rank(times, 50)
    p95 = percentile_nearest_rank(times, 95)
    passed = p95 < args.target_ms
    say(f"Runs (ms)       {', '.join(f'{t:.0f}' for t in times)}")
    say(f"                min {min(times):.1f}  mean {statistics.mean(times):.1f}  max {max(times):.1f}")
    say(f"p50             {p50:.1f} ms")
    say(f"p95             {p95:.1f} ms   (nearest rank over {len(times)} runs)")
    say(
        f"SQL queries     {len(queries)} per report; in one captured run SQL took {sql_ms:.0f} of "
        f"{captured_ms:.0f} ms, "
        f"Python the other {captured_ms - sql_ms:.0f} ms"
    )
    say(
        f"Machine load    1-min load average {load_before:.2f} before the runs, {load_after:.2f} after, "
        f"{os.cpu_count()} CPUs (the database server shares them)"
    )
    if max(load_before, load_after) > (os.cpu_count() or 1):
        say("                WARNING: the machine was busy with other work: the times are pessimistic")
    say(f"Target          p95 < {args.target_ms:.0f} ms: {'PASS' if passed else 'FAIL'}")
    raw = raw_sql_times(period, args.runs)
    raw_p50 = percentile_nearest_rank(raw, 50)
    ratio = p50 / raw_p50 if raw_p50 else float("inf")
    side_by_side = ratio <= 5
    say("Side by side    p50 over the same runs, the year and the comparison year:")
    say(f"                report_build                        {p50:8.1f} ms")
    say(f"                its aggregations as raw SQL ({len(RAW_SQL) * 2} queries) {raw_p50:8.1f} ms")
    say(f"                ratio {ratio:.1f}x, target within 5x: {'PASS' if side_by_side else 'FAIL'}")
    report_build(period=period)  # kept while the records are unchanged, as the pages ask for it
    kept = []
    for _ in range(args.runs):
        started = time.perf_counter()
        report_build(period=period)
        kept.append((time.perf_counter() - started) * 1000)
    say(
        f"Read back       p50 {percentile_nearest_rank(kept, 50):.2f} ms: report_build for now while the records "
        "are unchanged (core.kept.kept_unchanged; the timed runs above compute it every time)"
    )
    say("=" * 78)

    slowest = sorted(queries, key=lambda q: -q[0])[:3]
    say("\nSlowest queries in the captured run:")
    for n, (ms, sql) in enumerate(slowest, start=1):
        say(f"  {n}. {ms:.1f} ms  {sql[:400]}{'...' if len(sql) > 400 else ''}")
    if not passed or args.explain:
        for n, (ms, sql) in enumerate(slowest, start=1):
            say(f"\n--- EXPLAIN (ANALYZE, BUFFERS) of slowest query {n} ({ms:.1f} ms when captured)")
            say(sql)
            say(explain(sql))
        if not passed:
            say("\n--- cProfile of one report_build (by cumulative, then by own time)")
            say(profile_once(period))
    say(
        f"\nRESULT: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {len(queries)} queries, "
        f"target p95 < {args.target_ms:.0f} ms: {'PASS' if passed else 'FAIL'}; raw SQL p50 {raw_p50:.1f} ms, "
        f"report_build {ratio:.1f}x of it, target within 5x: {'PASS' if side_by_side else 'FAIL'}"
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if connection.vendor != "postgresql":
        say(
            f"PostgreSQL only: DATABASE_URL points at {connection.vendor}. "
            "Run it through scripts/with-postgres.sh (make bench-report)."
        )
        return 2
    try:
        period = Period.financial_year(args.year)
    except Exception as error:  # DomainError: a message for the user
        say(str(error))
        return 2

    existing = escalation_count_if_any()
    if existing and not args.reuse:
        say(
            f"Refusing: {connection.settings_dict.get('NAME')} already holds {existing:,} escalations. The benchmark "
            "fills an empty database (scripts/with-postgres.sh makes one). Pass --reuse to benchmark the existing "
            "data without generating anything."
        )
        return 2

    with Phase("migrate"):
        call_command("migrate", interactive=False, verbosity=0)
    if existing:
        say(f"--reuse: benchmarking the {existing:,} escalations already in the database; generating nothing.")
    else:
        generate(args, period)
    benchmark(args, period)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
