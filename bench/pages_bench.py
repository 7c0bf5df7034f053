#!/usr/bin/env python
"""Benchmark the pages at national scale (issue 15): each page's throughput against a floor.

    scripts/with-postgres.sh .venv/bin/python bench/pages_bench.py                 # make bench-pages
    scripts/with-postgres.sh .venv/bin/python bench/pages_bench.py --escalations 50000 --duration 3   # quick

It fills the throwaway PostgreSQL with bench/report_bench.py's generator (1,000,000 escalations by
default), signs in an IRO, a manager and a service manager (sessions made directly), serves the
project with gunicorn (2 workers, settings bench.settings_bench, which alone adds the floor view)
and runs wrk (32 connections) on the floor and on each page in turn, the floor again before each
page. It prints req/s, p50, p99, non-2xx, queries per request (counted in-process with the Django
test client, just after a write and read back), one request at rest (the median of 5 single
requests: the page's kept parts read back), one request just after a write (the median of 3, each
after ``core.changes.data_version_bump``: the kept parts made afresh) and each page's % of the floor.
A task worker runs beside gunicorn, as in production: the report page's figures are made there after a
write, and the bench prints how long after a write the page shows new ones.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import http.cookies
import io
import os
import pstats
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iro_escalations.settings")
os.environ.setdefault("DEBUG", "1")
# One key for this process (which makes the sessions) and gunicorn (which reads them).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench import report_bench
from children.models import Child
from core.changes import data_version_bump
from escalations.models import Escalation
from people.models import Role, User
from reports.periods import Period

PORT = 8765
SERVER_LOG = ROOT / "var" / "bench-pages-gunicorn.log"  # gunicorn's output, the last run's
say = report_bench.say


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--escalations", type=int, default=1_000_000)
    parser.add_argument("--year-escalations", type=int, default=2_000)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--year", default="2024-25")
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per page (default 15)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=float, default=0.42)
    parser.add_argument(
        "--pages",
        default="",
        help="measure only the pages whose label holds one of these words (comma-separated, any case)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="for every page, not only those that miss a target: EXPLAIN (ANALYZE, BUFFERS) and a profile",
    )
    return parser.parse_args(argv)


def sign_in(user: User) -> str:
    """A session for ``user``, as signing in would leave it; its key (the cookie's value)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def people():
    iro = User.objects.filter(role=Role.IRO).annotate(n=Count("escalations_raised")).order_by("-n").first()
    manager = User.objects.filter(role=Role.MANAGER).order_by("pk").first()
    busiest = (
        Escalation.objects.filter(current_addressee__role=Role.MANAGER)
        .values("current_addressee")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest:
        manager = User.objects.get(pk=busiest["current_addressee"])
    sm, _ = User.objects.get_or_create(
        username="bench-service-manager",
        defaults={"role": Role.SERVICE_MANAGER, "first_name": "Bench", "last_name": "Overley"},
    )
    return iro, manager, sm


# The targets at 1M escalations and 32 connections: a list or detail page at 25% of the floor
# or more with p99 under 1 s; the dashboard and the report page at 10% or more; any page at 100 ms or
# less for one request at rest.
SHARE_TARGET = {"page": 25.0, "summary": 10.0}
P99_TARGET_MS = 1000.0
AT_REST_TARGET_MS = 100.0
SUMMARIES = {"Dashboard", "Committee report page"}


def target_misses(label: str, page: dict, share: float, rest_ms: float) -> list[str]:
    """What a page misses of its targets (an empty list when it meets them all)."""
    kind = "summary" if label in SUMMARIES else "page"
    misses = []
    if share < SHARE_TARGET[kind]:
        misses.append(f"{share:.1f}% < {SHARE_TARGET[kind]:.0f}%")
    if page["timeouts"]:  # wrk leaves a request it gave up on (10 s) out of its latencies
        misses.append(f"{page['timeouts']} timed out after 10 s")
    elif kind == "page" and page["p99"] >= P99_TARGET_MS:
        misses.append(f"p99 {page['p99']:.0f} ms")
    if rest_ms > AT_REST_TARGET_MS:
        misses.append(f"at rest {rest_ms:.0f} ms")
    return misses


def pages(iro, year: str):
    """(label, who, path) for each page measured."""
    child = Child.objects.filter(iro=iro).order_by("pk").first()
    escalation = Escalation.objects.filter(iro=iro).order_by("-raised_at").first()
    return [
        ("All escalations (default)", "sm", "/escalations/all/"),
        ("All escalations, by IRO", "sm", "/escalations/all/?sort=iro"),
        ("All escalations, by due, page 200", "sm", "/escalations/all/?sort=due&page=200"),
        ("All escalations, by stage", "sm", "/escalations/all/?sort=stage"),
        ("All escalations, open, deep page", "sm", "/escalations/all/?status=open&page=300"),
        ("My children (IRO)", "iro", "/children/"),
        ("Children (service manager)", "sm", "/children/"),
        ("My escalations (IRO)", "iro", "/escalations/mine/"),
        ("Inbox (manager)", "manager", "/escalations/inbox/"),
        ("Sent to you before (manager)", "manager", "/escalations/inbox/sent-before/"),
        ("Child page", "iro", f"/children/{child.pk}/"),
        ("Escalation page", "iro", f"/escalations/{escalation.pk}/"),
        ("Access log", "sm", f"/access-log/child/{child.pk}/"),
        ("Drift watch (IRO)", "iro", "/drift/"),
        ("All drift flags", "sm", "/drift/all/"),
        ("Dashboard", "sm", "/dashboard/"),
        ("Committee report page", "sm", f"/reports/?period={year}"),
    ]


def chosen(measured, words: str):
    """The pages whose label holds one of the comma-separated ``words`` (every page when none)."""
    wanted = [word.strip().lower() for word in words.split(",") if word.strip()]
    return [page for page in measured if not wanted or any(word in page[0].lower() for word in wanted)]


def _client(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def queries_per_request(user, path) -> tuple[int, int, int]:
    """The queries of one request after a write (its kept parts made afresh), of the same request
    again (read back), and the status."""
    client = _client(user)
    client.get(path)  # writes the session
    data_version_bump()
    with CaptureQueriesContext(connection) as made:
        client.get(path)
    with CaptureQueriesContext(connection) as kept:
        response = client.get(path)
    return len(made.captured_queries), len(kept.captured_queries), response.status_code


def why(user, path) -> str:
    """For a page that misses a target: its slowest query with EXPLAIN (ANALYZE, BUFFERS), and a
    cProfile of one request in-process (the same view, middleware and templates as under gunicorn),
    both after a write, so nothing is read back from the kept results."""
    client = _client(user)
    client.get(path)
    data_version_bump()
    settings.DEBUG = True
    try:
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
    finally:
        settings.DEBUG = False
    timed = sorted(((float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries), reverse=True)
    total_sql = sum(ms for ms, _ in timed)
    lines = [f"{len(timed)} queries, {total_sql:.1f} ms of SQL in all"]
    if timed:
        ms, sql = timed[0]
        lines += [f"slowest query ({ms:.1f} ms): {sql}", report_bench.explain(sql)]
    data_version_bump()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    client.get(path)
    profiler.disable()
    lines.append(f"cProfile of one request ({(time.perf_counter() - started) * 1000:.0f} ms under the profiler):")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(10)
    lines.append(out.getvalue())
    return "\n".join(lines)


AT_REST_TIMEOUT_S = 120


def _one_request(path, cookie) -> tuple[float, int]:
    """One request's time (ms) and status, or (inf, 0) if it does not answer in AT_REST_TIMEOUT_S."""
    server = http.client.HTTPConnection("127.0.0.1", PORT, timeout=AT_REST_TIMEOUT_S)
    started = time.perf_counter()
    try:
        server.request("GET", path, headers={"Cookie": cookie})
        response = server.getresponse()
        response.read()
    except TimeoutError:
        return float("inf"), 0
    finally:
        server.close()
    return (time.perf_counter() - started) * 1000, response.status


def with_csrf_cookie(cookie: str) -> str:
    """The session cookie with the CSRF cookie a browser would hold after its first page (every
    signed-in page's header has the sign-out form, whose token sets it). Without it each page would
    make a new CSRF secret, and so could not be read back from its kept parts."""
    server = http.client.HTTPConnection("127.0.0.1", PORT, timeout=AT_REST_TIMEOUT_S)
    try:
        server.request("GET", reverse("notices:settings"), headers={"Cookie": cookie})
        response = server.getresponse()
        response.read()
        jar = http.cookies.SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
    finally:
        server.close()
    if response.status != 200 or settings.CSRF_COOKIE_NAME not in jar:
        raise RuntimeError(f"signing in gave no CSRF cookie (status {response.status})")
    return f"{cookie}; {settings.CSRF_COOKIE_NAME}={jar[settings.CSRF_COOKIE_NAME].value}"


def drained(cookie) -> None:
    """Wait until gunicorn has worked through what wrk left queued (requests wrk gave up on are
    still served, one by one): the floor answers in under 50 ms twice running, or 10 minutes pass."""
    deadline, quick = time.monotonic() + 600, 0
    while quick < 2 and time.monotonic() < deadline:
        ms, _status = _one_request("/bench/floor/", cookie)
        quick = quick + 1 if ms < 50 else 0


def at_rest_ms(path, cookie) -> tuple[float, int]:
    """The median of 5 single requests (ms) once the server is idle, and the status of the last (a
    redirect is not followed); a request that does not answer in AT_REST_TIMEOUT_S counts as inf."""
    drained(cookie)
    results = [_one_request(path, cookie) for _ in range(5)]
    return statistics.median(ms for ms, _status in results), results[-1][1]


def after_write_ms(path, cookie) -> float:
    """The median of 3 single requests (ms), each just after a write (``data_version_bump``): the
    page's kept parts made afresh, as the first reader after any change sees it."""
    drained(cookie)
    times = []
    for _ in range(3):
        data_version_bump()
        times.append(_one_request(path, cookie)[0])
    return statistics.median(times)


REMAKING = b"Newer figures are being made"  # reports/report_page.html, while the worker makes them


def remade_s(path, cookie) -> float:
    """Seconds from a write (``data_version_bump``) until the report page shows figures made after
    it: the page answers at once with the figures it had and asks the background worker for new
    ones (``reports.services.report_page_content``); this is how long the worker takes to make them."""
    drained(cookie)
    data_version_bump()
    started = time.perf_counter()
    while time.perf_counter() - started < AT_REST_TIMEOUT_S:
        server = http.client.HTTPConnection("127.0.0.1", PORT, timeout=AT_REST_TIMEOUT_S)
        try:
            server.request("GET", path, headers={"Cookie": cookie})
            body = server.getresponse().read()
        finally:
            server.close()
        if REMAKING not in body:
            return time.perf_counter() - started
        time.sleep(0.05)
    return float("inf")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def wrk(path, cookie, args) -> dict:
    result = subprocess.run(
        [
            "wrk",
            "--latency",
            f"-t{min(args.connections, 2)}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--timeout",
            "10s",
            "-H",
            f"Cookie: {cookie}",
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Socket errors:.*timeout (\d+)", out)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "non2xx": int(bad.group(1)) if bad else 0,
        "requests": requests,
        "timeouts": int(errors.group(1)) if errors else 0,
    }


def serve(args):
    from background.selectors import workers_alive  # noqa: PLC0415 (Django is set up by report_bench's import)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_COOKIES": "0",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "iro_escalations.wsgi",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=SERVER_LOG.open("ab"),  # every request's log line: kept out of the table's way
        stderr=subprocess.STDOUT,
    )
    # The background worker, as in production (scripts/serve.sh): the report page's figures are
    # made there after a write (reports.services.report_page_content). Its output goes to the same log.
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/python"), "manage.py", "run_worker", "--no-scheduler", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=SERVER_LOG.open("ab"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accessibility/", timeout=2).read()
            if workers_alive():  # its heartbeat: until then the report page makes its own figures
                return server, worker
        except OSError:
            pass
        time.sleep(0.5)
    for process in (server, worker):
        process.kill()
    raise RuntimeError(f"gunicorn or the task worker did not start: see {SERVER_LOG}")


def main(argv) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        say("wrk is not installed (make bench-pages installs it with apt-get).")
        return 2
    if connection.vendor != "postgresql":
        say("PostgreSQL only: run it through scripts/with-postgres.sh (make bench-pages).")
        return 2
    period = Period.financial_year(args.year)
    with report_bench.Phase("migrate"):
        call_command("migrate", interactive=False, verbosity=0)
    if not report_bench.escalation_count_if_any():
        gen_args = argparse.Namespace(
            escalations=args.escalations,
            year_escalations=args.year_escalations,
            children=args.children,
            seed=args.seed,
        )
        report_bench.generate(gen_args, period)
    call_command("collectstatic", interactive=False, verbosity=0)
    iro, manager, sm = people()
    who = {"iro": iro, "manager": manager, "sm": sm}
    cookies = {key: f"{settings.SESSION_COOKIE_NAME}={sign_in(user)}" for key, user in who.items()}
    measured = chosen(pages(iro, args.year), args.pages)
    say("Queries per request (in-process, the second request of a session):")
    queries = {}
    for _label, key, path in measured:
        settings.DEBUG = True
        queries[path] = queries_per_request(who[key], path)
        settings.DEBUG = False
        if queries[path][2] != 200:
            raise RuntimeError(f"{path} answered {queries[path][2]} in-process for the {key}, not 200")
    SERVER_LOG.parent.mkdir(exist_ok=True)
    SERVER_LOG.unlink(missing_ok=True)
    server, worker = serve(args)
    say(f"gunicorn's output (a line per request) and the task worker's go to {SERVER_LOG}")
    rows, remade = [], {}
    try:
        for key, cookie in cookies.items():
            if at_rest_ms("/bench/floor/", cookie)[1] != 200:
                raise RuntimeError(f"the floor did not answer 200 for the signed-in {key}")
            cookies[key] = with_csrf_cookie(cookie)
        for label, key, path in measured:
            drained(cookies[key])
            floor = wrk("/bench/floor/", cookies[key], args)
            page = wrk(path, cookies[key], args)
            rest, status = at_rest_ms(path, cookies[key])
            if status not in (200, 0):  # 0: it did not answer in time, which the table shows
                raise RuntimeError(f"{path} answered {status} for the signed-in {key}, not 200")
            fresh = after_write_ms(path, cookies[key])
            if path.startswith("/reports/"):
                remade[label] = remade_s(path, cookies[key])
            rows.append((label, path, page, floor, rest, fresh))
            say(f"  {label}: {page['rps']:.1f} req/s, floor {floor['rps']:.0f}")
    finally:
        for process in (server, worker):
            os.killpg(process.pid, signal.SIGTERM)
        for process in (server, worker):
            process.wait(timeout=60)
    info = report_bench.counts(period)
    say()
    say(
        f"{info['escalations']:,} escalations, {info['steps']:,} steps, {info['children']:,} children; PostgreSQL "
        f"{report_bench.server_version()}; gunicorn {args.workers} workers; wrk {args.connections} connections, "
        f"{args.duration} s per page; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    say()
    say(
        "| page | req/s | p50 ms | p99 ms | non-2xx | timeouts | queries after a write / kept "
        "| one request ms | after a write ms | floor req/s | % of floor | target |"
    )
    say("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    missed, met = [], 0
    for label, path, page, floor, rest, fresh in rows:
        share = 100 * page["rps"] / floor["rps"] if floor["rps"] else 0
        made, kept, status = queries[path]
        if status != 200:
            raise RuntimeError(f"{path} answered {status} in-process, not 200")
        misses = target_misses(label, page, share, max(rest, fresh))
        met += not misses
        if misses or args.explain:
            missed.append((label, path))
        verdict = "missed: " + ", ".join(misses) if misses else "met"
        say(
            f"| {label} | {page['rps']:.1f} | {page['p50']:.0f} | {page['p99']:.0f} | {page['non2xx']} "
            f"| {page['timeouts']} "
            f"| {made} / {kept} | {rest:.0f} | {fresh:.0f} | {floor['rps']:.0f} | {share:.1f}% | {verdict} |"
        )
    for label, seconds in remade.items():
        say(
            f"\n{label}: after a write it answers at once with the figures it had, and shows new ones "
            f"{seconds:.2f} s later (made by the background worker)"
        )
    say(f"\nRESULT: {met} of {len(rows)} pages meet their targets")
    for label, path in missed:
        key = next(key for page_label, key, _path in measured if page_label == label)
        say(f"\n--- {label} ({path}), as the {key}: why")
        say(why(who[key], path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
