#!/usr/bin/env python3
"""Load and faults: 64 people working through the real pages for 60 s while a web worker, the task
worker and PostgreSQL are made to fail, then every acknowledged write checked against the database.

    make bench-load                                    # 64 users, 60 s, the three faults
    make bench-load BENCH_ARGS='--users 8 --seconds 15'   # a quick check

Run inside ``scripts/with-postgres.sh`` (the Makefile does): it needs a throwaway cluster it may
restart (WITH_POSTGRES_DATA, WITH_POSTGRES_BINDIR, WITH_POSTGRES_OWNER). The script migrates, builds
the demo council (``demo_data --force``), starts gunicorn (deploy/gunicorn.conf.py, 2 workers) and one
``run_worker`` as separate processes with DEBUG off on 127.0.0.1 over plain HTTP
(SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 BEHIND_TLS_PROXY=0), and runs the virtual users as threads
on ``requests``:

- IROs sign in, open *My children*, open the raise form for one of their children, continue, and
  send the escalation from *Check your answers* (the form's CSRF token and one-time key ``once``).
  The concern carries a unique marker.
- Responding managers sign in, open *Awaiting my response* and answer one escalation (the respond
  form's ``version`` and ``once``; the response carries a unique marker).
- Service managers sign in and read the dashboard, *All escalations* and the committee report page.

A write is acknowledged when the server answers with its success redirect (the escalation's page).
On a 5xx or a dropped connection the user sends the same POST again, with the same one-time key,
after a short pause, as a person pressing the button again would.

The faults, at fixed points of the run: ``kill -9`` of one gunicorn worker (the master starts another),
``kill -9`` of the task worker (started again after ``--worker-restart-delay`` seconds, as systemd's
Restart=always would) and ``pg_ctl restart -m fast``. A fault's window runs from the fault to the
moment it is over (the new web worker is up, the task worker beats again, pg_ctl has returned) plus
``--grace`` seconds; a request counts in the window when it overlaps it.

Exit status: 1 if an acknowledged write is missing or stored twice, or if any 5xx came outside the
fault windows; else 0. 2 when it cannot run (not PostgreSQL, no restartable cluster).
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The settings of the processes under test: production mode, plain HTTP on loopback.
PLAIN_HTTP = {"SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0", "BEHIND_TLS_PROXY": "0"}
os.environ["DJANGO_SETTINGS_MODULE"] = "iro_escalations.settings"
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
os.environ.update(PLAIN_HTTP)
VAR_DIR = Path(tempfile.mkdtemp(prefix="load-bench-"))
os.environ["VAR_DIR"] = str(VAR_DIR)
(VAR_DIR / "static").mkdir()

import django
import requests
from lxml import html as lxml_html

django.setup()

from django.core.management import call_command
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from background.models import WorkerHeartbeat
from escalations.models import Escalation, Step
from people.models import Role, User

MARKER = "LOADBENCH"
MARKER_RE = re.compile(MARKER + r"-[0-9a-f]{16}")
PASSWORD = "demo-password"
VENV = ROOT / ".venv" / "bin"


# ----------------------------------------------------------------------------- what happened


@dataclass
class Hit:
    kind: str  # what was asked: "sign-in", "page", "raise", "confirm", "respond", ...
    start: float
    end: float
    status: int | None  # None: the connection failed or timed out


@dataclass
class Fault:
    name: str
    start: float
    end: float | None = None
    note: str = ""


@dataclass
class Record:
    hits: list[Hit] = field(default_factory=list)
    raises_acked: dict[str, int] = field(default_factory=dict)  # marker -> escalation pk
    raises_sent: set[str] = field(default_factory=set)  # every marker confirmed at least once
    raises_given_up: int = 0
    responses_acked: dict[str, int] = field(default_factory=dict)  # marker -> escalation pk
    responses_given_up: int = 0
    refused: collections.Counter = field(default_factory=collections.Counter)
    posts_by_account: collections.Counter = field(default_factory=collections.Counter)  # (user, minute)
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


# ----------------------------------------------------------------------------- the processes


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its closing bracket.
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


class Processes:
    """gunicorn and the task worker, each its own process group, their output in VAR_DIR."""

    def __init__(self, *, port: int, env: dict):
        self.port = port
        self.env = env
        self.gunicorn: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.worker_starts = 0
        self.worker_unexpected_exits = 0
        self.stopping = threading.Event()
        self.killed_worker = threading.Event()
        self.restart_delay = 3.0
        self._supervisor = threading.Thread(target=self._supervise, name="worker-supervisor", daemon=True)

    def _log(self, name: str):
        return open(VAR_DIR / f"{name}.log", "ab")  # noqa: SIM115 (the child process keeps it)

    def start(self):
        self.gunicorn = subprocess.Popen(
            [str(VENV / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log("gunicorn"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._start_worker()
        self._supervisor.start()

    def _start_worker(self):
        self.worker = subprocess.Popen(
            [str(VENV / "python"), "manage.py", "run_worker"],
            cwd=ROOT,
            env=self.env,
            stdout=self._log("worker"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.worker_starts += 1

    def _supervise(self):
        """Restart=always for the task worker: start it again whenever it ends."""
        while not self.stopping.is_set():
            if self.worker is not None and self.worker.poll() is not None:
                if self.killed_worker.is_set():
                    self.killed_worker.clear()
                    self.stopping.wait(self.restart_delay)
                else:
                    self.worker_unexpected_exits += 1
                    self.stopping.wait(1.0)
                if not self.stopping.is_set():
                    self._start_worker()
            self.stopping.wait(0.1)

    def web_workers(self) -> list[int]:
        return _children_of(self.gunicorn.pid) if self.gunicorn else []

    def stop(self):
        self.stopping.set()
        for proc in (self.worker, self.gunicorn):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in (self.worker, self.gunicorn):
            if proc is not None:
                try:
                    proc.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def _pg_ctl(*args: str) -> subprocess.CompletedProcess:
    pg_ctl = str(Path(os.environ["WITH_POSTGRES_BINDIR"]) / "pg_ctl")
    command = [pg_ctl, "-D", os.environ["WITH_POSTGRES_DATA"], *args]
    owner = os.environ.get("WITH_POSTGRES_OWNER", "")
    if os.getuid() == 0 and owner and owner != "root":
        command = ["runuser", "-u", owner, "--", *command]
    return subprocess.run(command, cwd="/", capture_output=True, text=True, check=False)


# ----------------------------------------------------------------------------- the virtual users


class User_:
    """One person in a browser: a session, the pages they open, and their writes."""

    def __init__(self, *, base: str, username: str, record: Record, args, deadline: float, rng: random.Random):
        self.base = base
        self.username = username
        self.record = record
        self.args = args
        self.deadline = deadline
        self.rng = rng
        self.http = requests.Session()

    # --- HTTP, recorded

    def _send(self, kind: str, method: str, path: str, data=None) -> requests.Response | None:
        url = self.base + path
        start = time.monotonic()
        try:
            answer = self.http.request(
                method, url, data=data, allow_redirects=False, timeout=self.args.timeout, headers={"Referer": url}
            )
            status = answer.status_code
        except requests.RequestException:
            answer, status = None, None
        end = time.monotonic()
        with self.record.lock:
            self.record.hits.append(Hit(kind, start, end, status))
            if method == "POST":
                self.record.posts_by_account[(self.username, int(end // 60))] += 1
        return answer

    def get(self, path: str, kind: str = "page") -> requests.Response | None:
        """A page; on a 5xx or a dropped connection the person reloads it (a few times)."""
        for _ in range(self.args.retries):
            answer = self._send(kind, "GET", path)
            if answer is not None and answer.status_code < 500:
                return answer
            self.pause(0.5, 1.0)
        return None

    def post(self, kind: str, path: str, data: dict) -> requests.Response | None:
        """The same POST again, with the same one-time key, until the server answers it (not 5xx)."""
        for _ in range(self.args.retries):
            answer = self._send(kind, "POST", path, data)
            if answer is not None and answer.status_code < 500:
                return answer
            self.pause(0.5, 1.0)
        return None

    def pause(self, low: float, high: float):
        time.sleep(self.rng.uniform(low, high))

    def think(self):
        self.pause(self.args.think * 0.5, self.args.think * 1.5)

    @property
    def going(self) -> bool:
        return time.monotonic() < self.deadline

    # --- pages

    @staticmethod
    def hidden(page: str) -> dict:
        tree = lxml_html.fromstring(page)
        return {i.get("name"): i.get("value", "") for i in tree.xpath("//form[@method='post']//input[@type='hidden']")}

    def sign_in(self) -> bool:
        while self.going:
            page = self.get("/sign-in/", kind="sign-in")
            if page is not None and page.status_code == 200:
                fields = self.hidden(page.text)
                fields.update(username=self.username, password=PASSWORD)
                answer = self.post("sign-in", "/sign-in/", fields)
                if answer is not None and answer.status_code == 302 and "/sign-in/" not in answer.headers["Location"]:
                    return True
            self.pause(1, 2)
        return False

    def run(self):
        if not self.sign_in():
            return
        while self.going:
            try:
                self.step()
            except Exception as error:  # a page the script cannot read: note it and go on
                with self.record.lock:
                    self.record.refused[f"client could not read a page ({type(error).__name__})"] += 1
            self.think()

    def step(self):
        raise NotImplementedError


class Iro(User_):
    def step(self):
        caseload = self.get("/children/")
        if caseload is None or caseload.status_code != 200:
            return
        children = sorted(set(re.findall(r'href="/children/(\d+)/"', caseload.text)))
        if not children:
            return
        self.think()
        child = self.rng.choice(children)
        raise_path = f"/escalations/raise/?child={child}"
        form_page = self.get(raise_path)
        if form_page is None or form_page.status_code != 200:
            return
        tree = lxml_html.fromstring(form_page.text)
        themes = tree.xpath("//input[@name='themes']/@value")
        people = [v for v in tree.xpath("//select[@name='addressee']//option/@value") if v]
        pool = [p for p in people if p in self.args.addressees] or people
        if not people:
            return
        marker = f"{MARKER}-{uuid.uuid4().hex[:16]}"
        fields = self.hidden(form_page.text)
        fields.update(
            children=[child],
            themes=[self.rng.choice(themes)] if themes else [],
            addressee=self.rng.choice(pool),
            concern=f"Load bench {marker}: the care plan has not moved since the last review.",
            desired_outcome="A planning meeting within 10 working days.",
        )
        self.think()
        answer = self.post("raise", raise_path, fields)
        if answer is None:
            with self.record.lock:
                self.record.raises_given_up += 1
            return
        if answer.status_code != 302 or "/raise/check/" not in answer.headers.get("Location", ""):
            with self.record.lock:
                self.record.refused[f"raise form answered {answer.status_code}"] += 1
            return
        check_path = answer.headers["Location"]
        check = self.get(check_path)
        if check is None or check.status_code != 200:
            return
        confirm = self.hidden(check.text)
        self.think()
        with self.record.lock:
            self.record.raises_sent.add(marker)
        answer = self.post("confirm", check_path, confirm)
        sent = re.fullmatch(r"/escalations/(\d+)/", answer.headers.get("Location", "")) if answer is not None else None
        with self.record.lock:
            if answer is not None and answer.status_code == 302 and sent:
                self.record.raises_acked[marker] = int(sent.group(1))
            elif answer is None:
                self.record.raises_given_up += 1
            else:
                self.record.refused[f"confirm answered {answer.status_code}"] += 1
        if sent:
            self.get(sent.group(0))  # the success page the redirect leads to


class Manager(User_):
    def step(self):
        inbox = self.get("/escalations/inbox/")
        if inbox is None or inbox.status_code != 200:
            return
        awaiting = inbox.text.split("Answered, with the IRO")[0]
        waiting = sorted(set(re.findall(r'href="/escalations/(\d+)/"', awaiting)))
        if not waiting:
            return
        self.think()
        pk = self.rng.choice(waiting)
        path = f"/escalations/{pk}/respond/"
        form_page = self.get(path)
        if form_page is None or form_page.status_code != 200:
            with self.record.lock:
                self.record.refused[f"respond form answered {getattr(form_page, 'status_code', 'nothing')}"] += 1
            return
        marker = f"{MARKER}-{uuid.uuid4().hex[:16]}"
        fields = self.hidden(form_page.text)
        fields.update(response=f"Load bench {marker}: we will review the plan on Friday.", action_agreed="")
        self.think()
        answer = self.post("respond", path, fields)
        with self.record.lock:
            if answer is not None and answer.status_code == 302 and answer.headers["Location"] == f"/escalations/{pk}/":
                self.record.responses_acked[marker] = int(pk)
            elif answer is None:
                self.record.responses_given_up += 1
            else:
                self.record.refused[f"respond answered {answer.status_code}"] += 1


class Reader(User_):
    PAGES = ("/dashboard/", "/escalations/all/", "/reports/")

    def step(self):
        self.get(self.rng.choice(self.PAGES))


# ----------------------------------------------------------------------------- the faults


def _beats(pid: int) -> bool:
    """Whether the task worker process ``pid`` has beaten its heartbeat (read on a fresh connection)."""
    try:
        connections.close_all()
        return WorkerHeartbeat.objects.filter(pid=pid).exists()
    except Exception:
        return False
    finally:
        connections.close_all()


def _faults(procs: Processes, record: Record, args, started: float):
    """The three faults, each at its point of the run, or later if the one before is not over yet
    (so that no two windows overlap)."""
    plan = [
        (args.seconds * 0.25, "kill -9 of a web worker"),
        (args.seconds * 0.45, "kill -9 of the task worker"),
        (args.seconds * 0.70, "PostgreSQL restart"),
    ]
    free_from = started
    for at, name in plan:
        time.sleep(max(0.0, started + at - time.monotonic(), free_from - time.monotonic()))
        fault = Fault(name, time.monotonic())
        record.faults.append(fault)
        if name.startswith("kill -9 of a web"):
            before = procs.web_workers()
            victim = before[0]
            os.kill(victim, signal.SIGKILL)
            while time.monotonic() - fault.start < 60:
                now = procs.web_workers()
                if len(now) >= len(before) and victim not in now:
                    break
                time.sleep(0.05)
            fault.end = time.monotonic()
            fault.note = "until the master has started a new worker"
        elif name.startswith("kill -9 of the task"):
            victim = procs.worker.pid
            procs.killed_worker.set()
            os.kill(victim, signal.SIGKILL)
            while time.monotonic() - fault.start < 60 and procs.worker.pid == victim:
                time.sleep(0.05)
            fault.end = time.monotonic()
            while time.monotonic() - fault.start < 60 and not _beats(procs.worker.pid):
                time.sleep(0.2)
            fault.note = (
                f"started again after {procs.restart_delay:.0f} s, its first heartbeat "
                f"{time.monotonic() - fault.start:.1f} s after the kill"
            )
        else:
            result = _pg_ctl("-l", os.environ["WITH_POSTGRES_LOG"], "-m", "fast", "-w", "-t", "60", "restart")
            fault.end = time.monotonic()
            fault.note = "pg_ctl restart -m fast" + ("" if result.returncode == 0 else f" FAILED: {result.stderr}")
        free_from = fault.end + args.grace + 1


# ----------------------------------------------------------------------------- the figures


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def _failed(hit: Hit) -> bool:
    return hit.status is None or hit.status >= 500


def _in_window(hit: Hit, fault: Fault, grace: float) -> bool:
    return hit.start <= (fault.end or fault.start) + grace and hit.end >= fault.start


def _reconcile(record: Record) -> dict:
    connections.close_all()
    stored = collections.Counter()
    stored_pk: dict[str, int] = {}
    for pk, concern in Escalation.objects.filter(concern__contains=MARKER).values_list("pk", "concern"):
        for marker in MARKER_RE.findall(concern):
            stored[marker] += 1
            stored_pk[marker] = pk
    answered = collections.Counter()
    answered_pk: dict[str, int] = {}
    for pk, response in Step.objects.filter(response__contains=MARKER).values_list("escalation_id", "response"):
        for marker in MARKER_RE.findall(response):
            answered[marker] += 1
            answered_pk[marker] = pk
    raises_lost = [m for m in record.raises_acked if stored[m] == 0]
    raises_wrong = [m for m, pk in record.raises_acked.items() if stored[m] and stored_pk[m] != pk]
    responses_lost = [m for m in record.responses_acked if answered[m] == 0]
    responses_wrong = [m for m, pk in record.responses_acked.items() if answered[m] and answered_pk[m] != pk]
    tasks = collections.Counter(DBTaskResult.objects.values_list("status", flat=True))
    return {
        "tasks": dict(tasks),
        "raises_stored": sum(stored.values()),
        "raises_lost": len(raises_lost) + len(raises_wrong),
        "raises_duplicated": sum(n - 1 for n in stored.values() if n > 1),
        "raises_unacked_stored": len([m for m in stored if m not in record.raises_acked]),
        "responses_stored": sum(answered.values()),
        "responses_lost": len(responses_lost) + len(responses_wrong),
        "responses_duplicated": sum(n - 1 for n in answered.values() if n > 1),
        "responses_unacked_stored": len([m for m in answered if m not in record.responses_acked]),
    }


def _report(record: Record, args, started: float, reconciled: dict, procs: Processes, pg_version: str) -> int:
    hits = record.hits
    codes = collections.Counter("connection" if h.status is None else h.status for h in hits)
    errors = {k: v for k, v in codes.items() if k == "connection" or k >= 400}
    latencies = [(h.end - h.start) * 1000 for h in hits if h.status is not None]
    outside = [h for h in hits if _failed(h) and not any(_in_window(h, f, args.grace) for f in record.faults)]
    outside_5xx = sum(1 for h in outside if h.status is not None)
    outside_conn = sum(1 for h in outside if h.status is None)
    acked = len(record.raises_acked) + len(record.responses_acked)
    lost = reconciled["raises_lost"] + reconciled["responses_lost"]
    duplicated = reconciled["raises_duplicated"] + reconciled["responses_duplicated"]
    max_posts = max(record.posts_by_account.values(), default=0)

    rows = [
        (
            "virtual users",
            f"{args.users} ({args.iros} IROs, {args.managers} managers, {args.readers} service managers)",
        ),
        ("seconds of load", f"{args.seconds}"),
        ("requests", f"{len(hits):,}"),
        ("requests per second", f"{len(hits) / args.seconds:.1f}"),
        ("errors by code", ", ".join(f"{k}: {v}" for k, v in sorted(errors.items(), key=str)) or "none"),
        ("p50 / p99 latency", f"{_percentile(latencies, 50):.0f} ms / {_percentile(latencies, 99):.0f} ms"),
        (
            "acknowledged writes",
            f"{acked} ({len(record.raises_acked)} escalations raised, {len(record.responses_acked)} responses)",
        ),
        ("lost", f"{lost} ({reconciled['raises_lost']} raises, {reconciled['responses_lost']} responses)"),
        (
            "duplicated",
            f"{duplicated} ({reconciled['raises_duplicated']} raises, {reconciled['responses_duplicated']} responses)",
        ),
        (
            "stored but not acknowledged",
            f"{reconciled['raises_unacked_stored']} raises, {reconciled['responses_unacked_stored']} responses "
            f"(given up: {record.raises_given_up} raises, {record.responses_given_up} responses)",
        ),
        ("5xx outside the fault windows", f"{outside_5xx}"),
        ("dropped connections outside the fault windows", f"{outside_conn}"),
    ]
    for fault in record.faults:
        inside = [h for h in hits if _in_window(h, fault, args.grace)]
        failed = [h for h in inside if _failed(h)]
        last_failure = max((h.end for h in failed), default=fault.start)
        first_ok = min(
            (h.end for h in hits if h.status is not None and h.status < 500 and h.end >= last_failure),
            default=None,
        )
        recovery = "never" if first_ok is None else f"{first_ok - fault.start:.2f} s"
        lasted = (fault.end or fault.start) - fault.start
        rows.append(
            (
                f"{fault.name} at {fault.start - started:.0f} s",
                f"{sum(1 for h in failed if h.status is not None)} × 5xx, "
                f"{sum(1 for h in failed if h.status is None)} dropped, of {len(inside)} requests in its window; "
                f"over in {lasted:.2f} s ({fault.note}); "
                f"recovered (first success after its last failure) {recovery} after it",
            )
        )
    rows += [
        ("most POSTs by one account in a minute", f"{max_posts}"),
        ("background tasks afterwards", ", ".join(f"{k}: {v}" for k, v in sorted(reconciled["tasks"].items()))),
        ("task worker starts", f"{procs.worker_starts} (ended by itself: {procs.worker_unexpected_exits})"),
        ("gunicorn master", "still running, never restarted" if procs.gunicorn.poll() is None else "STOPPED"),
    ]

    print()
    print(
        f"Load bench on PostgreSQL {pg_version}: gunicorn (deploy/gunicorn.conf.py, 2 workers x "
        f"{os.environ.get('WEB_THREADS', '4')} threads) and one task worker, DEBUG off, plain HTTP on 127.0.0.1 "
        f"({' '.join(f'{k}={v}' for k, v in PLAIN_HTTP.items())}), think time {args.think:.1f} s "
        f"(±50%), fault windows plus {args.grace:.0f} s grace, load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs."
    )
    print()
    width = max(len(k) for k, _ in rows)
    print(f"| {'':{width}} | figure |")
    print(f"|{'-' * (width + 2)}|--------|")
    for key, value in rows:
        print(f"| {key:{width}} | {value} |")
    print()

    by_kind = collections.defaultdict(list)
    for h in hits:
        if h.status is not None:
            by_kind[h.kind].append((h.end - h.start) * 1000)
    print(
        "Latency by kind of request: "
        + "; ".join(
            f"{kind} {len(v)}: p50 {_percentile(v, 50):.0f} ms, p99 {_percentile(v, 99):.0f} ms"
            for kind, v in sorted(by_kind.items())
        )
    )
    if record.refused:
        print(
            "Answered but not done (the page refused, as it should): "
            + "; ".join(f"{k}: {v}" for k, v in sorted(record.refused.items()))
        )
    tracebacks = sum(
        (VAR_DIR / f"{name}.log").read_text(errors="replace").count("Traceback") for name in ("gunicorn", "worker")
    )
    print(f"Tracebacks in the server logs: {tracebacks} (--keep-logs keeps the logs)")

    failures = []
    if lost:
        failures.append(f"{lost} acknowledged writes lost")
    if duplicated:
        failures.append(f"{duplicated} writes duplicated")
    if outside_5xx:
        failures.append(f"{outside_5xx} × 5xx with no fault")
    if procs.gunicorn.poll() is not None:
        failures.append("gunicorn stopped")
    print()
    print("FAIL: " + "; ".join(failures) if failures else "PASS: nothing lost or duplicated, no 5xx without a fault.")
    return 1 if failures else 0


# ----------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--children", type=int, default=200, help="demo council's children (default 200)")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a user's requests")
    parser.add_argument("--grace", type=float, default=2.0, help="seconds added to the end of each fault window")
    parser.add_argument("--timeout", type=float, default=35.0, help="client timeout per request")
    parser.add_argument("--retries", type=int, default=30, help="tries of a request before a user gives up")
    parser.add_argument("--worker-restart-delay", type=float, default=3.0)
    parser.add_argument("--no-faults", action="store_true", help="load only")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs (in a temp dir)")
    args = parser.parse_args()

    if connection.vendor != "postgresql" or not os.environ.get("WITH_POSTGRES_DATA"):
        print("bench/load_bench.py needs the throwaway PostgreSQL of scripts/with-postgres.sh (make bench-load).")
        return 2
    args.readers = max(1, args.users // 8)
    args.iros = max(1, args.users // 2)
    args.managers = max(1, args.users - args.iros - args.readers)

    print(">>> migrate, demo data", flush=True)
    call_command("migrate", "--noinput", verbosity=0)
    call_command("demo_data", force=True, children=args.children, iros=max(12, args.iros), verbosity=0)
    pg_version = connection.cursor().connection.info.server_version
    pg_version = f"{pg_version // 10000}.{pg_version % 10000}"
    iros = [f"iro{n}" for n in range(1, args.iros + 1)]
    managers = list(
        User.objects.filter(role=Role.MANAGER, is_active=True, stage__active=True)
        .order_by("stage__order", "username")
        .values_list("username", "pk")
    )
    manager_names = [managers[i % len(managers)][0] for i in range(args.managers)]
    args.addressees = {str(pk) for name, pk in managers if name in manager_names}
    connections.close_all()

    port = _free_port()
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_WORKERS": "2"}
    procs = Processes(port=port, env=env)
    procs.restart_delay = args.worker_restart_delay
    base = f"http://127.0.0.1:{port}"
    record = Record()
    status = 2
    try:
        procs.start()
        if not _wait_for(base + "/healthz", seconds=60) or not _wait_for(base + "/readyz", seconds=60):
            print("gunicorn or the task worker did not become ready: see the logs", VAR_DIR)
            args.keep_logs = True
            return 2
        print(f">>> {args.users} users for {args.seconds:.0f} s on {base}", flush=True)
        started = time.monotonic()
        deadline = started + args.seconds
        people = []
        for i in range(args.users):
            rng = random.Random(i)
            common = {"base": base, "record": record, "args": args, "deadline": deadline, "rng": rng}
            if i < args.readers:
                people.append(Reader(username="sm1", **common))
            elif i < args.readers + args.iros:
                people.append(Iro(username=iros[i - args.readers], **common))
            else:
                people.append(Manager(username=manager_names[i - args.readers - args.iros], **common))
        threads = [threading.Thread(target=p.run, name=p.username, daemon=True) for p in people]
        for n, thread in enumerate(threads):
            thread.start()
            time.sleep(min(0.05, 2.0 / max(1, len(threads))) if n else 0)  # a ramp of about 2 s
        if not args.no_faults:
            faults = threading.Thread(target=_faults, args=(procs, record, args, started), daemon=True)
            faults.start()
        for thread in threads:
            thread.join(timeout=max(1.0, deadline - time.monotonic()) + args.timeout * args.retries)
        if not args.no_faults:
            faults.join(timeout=120)
        # Writes can still be in flight in the server for a moment after the last answer.
        time.sleep(1)
        ready = _wait_for(base + "/readyz", seconds=70)
        print(f">>> load over; /readyz {'answers 200' if ready else 'NOT READY'} afterwards", flush=True)
        reconciled = _reconcile(record)
        status = _report(record, args, started, reconciled, procs, pg_version)
        if not ready:
            status = 1
    finally:
        procs.stop()
        if args.keep_logs:
            print(f"Server logs kept in {VAR_DIR}")
        else:
            shutil.rmtree(VAR_DIR, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
