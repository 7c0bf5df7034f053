"""The real thing end to end: the worker (``manage.py run_worker``) in a process of its own, a real
SMTP server (aiosmtpd) on 127.0.0.1, and the test database both share.

The tests make changes through the services, as the pages do, and wait for what the worker does:
the manager's email after a raise, the IRO's after a response; a mail server down for a while; a
worker killed with SIGKILL while sending and while importing. Every server and process started here
is stopped by the test.
"""

from __future__ import annotations

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone

from escalations import services
from escalations.models import Escalation
from imports.jobs import import_job_create, import_job_retry, import_job_start
from imports.models import ImportJob
from imports.progress import progress_read
from imports.selectors import import_job_state
from imports.services import STORING
from notices.models import Notice, NoticeKind, NoticeStatus
from tests.factories import ChildFactory, IroFactory, ServiceManagerFactory, raise_escalation, reseed_vocabularies
from tests.imports.helpers import log_csv, row

ROOT = Path(settings.BASE_DIR)
pytestmark = pytest.mark.django_db(transaction=True)


# --- a real SMTP server ----------------------------------------------------------------------------


class Inbox:
    """aiosmtpd's handler: keeps each message it accepts. ``hold`` makes it sit on the first message
    that matches (after receiving it whole, before answering) until ``release`` is set."""

    def __init__(self):
        self.messages: list[Message] = []
        self.hold = None
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content)
        if self.hold is not None and self.hold(message) and not self.holding.is_set():
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def wait_for(self, predicate, *, timeout: float = 60.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if predicate(m)]
            if found:
                return found
            time.sleep(0.2)
        subjects = [m["Subject"] for m in self.messages]
        raise AssertionError(f"no such message within {timeout} s; the server has {subjects}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, port: int):
        self.inbox = Inbox()
        self.port = port
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer(_free_port())
    server.start()
    yield server
    server.inbox.release.set()
    server.stop()


# --- the worker, in its own process ----------------------------------------------------------------


def _database_url() -> str:
    """The test database, for the worker process: the same file or PostgreSQL database as this one."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class WorkerProcess:
    def __init__(self, smtp_port: int, var_dir: Path, log: Path):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "iro_escalations.test_settings",
            "TEST_WORKER_PROCESS": "1",
            "DATABASE_URL": _database_url(),
            "VAR_DIR": str(var_dir),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_TIMEOUT": "5",
            "NOTICE_RETRY_BASE_SECONDS": "1",
            "NOTICE_CLAIM_SECONDS": "3",
            "NOTICE_DELIVER_EVERY_SECONDS": "2",
            "BACKGROUND_TICK_SECONDS": "0.5",
            "BACKGROUND_STALE_SECONDS": "3",
        }
        self.log = log
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        out = self.log.open("a")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)


@pytest.fixture
def worker(smtp, settings, tmp_path):
    reseed_vocabularies()  # a transactional test empties every table when it ends
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.VAR_DIR = tmp_path
    settings.BACKGROUND_STALE_SECONDS = 3
    workers = WorkerProcess(smtp.port, tmp_path, tmp_path / "worker.log")
    yield workers
    workers.stop_all()
    print((tmp_path / "worker.log").read_text() if (tmp_path / "worker.log").exists() else "")


def _wait(predicate, *, timeout: float = 60.0, what: str = "it"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def _for(address):
    return lambda message: message["To"] == address


# --- notices ---------------------------------------------------------------------------------------


def test_a_raise_emails_the_manager_the_reference_and_the_link_and_no_child_name(worker, smtp):
    worker.start()
    child = ChildFactory(first_name="Wilhelmina", last_name="Ashcombe-Tate", case_id="CASE-55501")
    esc = raise_escalation(children=[child], iro=child.iro, raised_at=timezone.now())
    (message,) = smtp.inbox.wait_for(_for(esc.current_addressee.email))
    body = message.get_payload(decode=True).decode()
    assert message["Subject"].startswith(f"{esc.reference}: sent to you")
    assert f"{settings.SERVICE_BASE_URL}/escalations/{esc.pk}/" in body
    text = message["Subject"] + body
    assert not [word for word in ("Wilhelmina", "Ashcombe-Tate", "CASE-55501") if word in text]


def test_a_response_emails_the_iro(worker, smtp):
    worker.start()
    esc = raise_escalation(raised_at=timezone.now())
    smtp.inbox.wait_for(_for(esc.current_addressee.email))
    services.escalation_respond(escalation=esc, by=esc.current_addressee, response="Agreed: a review next week.")
    (message,) = smtp.inbox.wait_for(_for(esc.iro.email))
    assert message["Subject"] == f"{esc.reference}: {esc.current_addressee} has responded"
    assert "Agreed: a review next week." not in message.get_payload(decode=True).decode()


def test_a_mail_server_down_for_a_while_gets_the_notice_once_it_is_back(worker, smtp):
    smtp.stop()
    worker.start()
    esc = raise_escalation(raised_at=timezone.now())
    notice = Notice.objects.get(kind=NoticeKind.STEP_SENT)
    _wait(lambda: Notice.objects.get(pk=notice.pk).attempts >= 2, what="two failed attempts")
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.PENDING
    smtp.start()
    smtp.inbox.wait_for(_for(esc.current_addressee.email))
    _wait(lambda: Notice.objects.get(pk=notice.pk).status == NoticeStatus.SENT, what="marked sent")
    time.sleep(4)  # longer than a claim and two catch-up runs: nothing is sent again
    assert len([m for m in smtp.inbox.messages if m["To"] == esc.current_addressee.email]) == 1


def test_a_worker_killed_while_sending_leaves_at_most_the_one_notice_in_flight_twice(worker, smtp):
    """At least once: the server took the notice in flight, the killed worker never heard so; the
    next worker sends it again once its claim runs out. Every other notice arrives exactly once."""
    iro = IroFactory()
    escalations = [raise_escalation(iro=iro, raised_at=timezone.now()) for _ in range(4)]
    addresses = {esc.current_addressee.email for esc in escalations}
    smtp.inbox.hold = lambda message: message["To"] == escalations[1].current_addressee.email
    first = worker.start()
    _wait(smtp.inbox.holding.is_set, what="the server holding the second notice")
    worker.kill(first)
    smtp.inbox.release.set()
    worker.start()
    _wait(lambda: {m["To"] for m in smtp.inbox.messages} >= addresses, what="every notice arriving")
    time.sleep(4)
    ids = [m["Message-ID"] for m in smtp.inbox.messages if m["To"] in addresses]
    duplicated = {i for i in ids if ids.count(i) > 1}
    assert len(set(ids)) == 4 and len(ids) <= 5
    assert duplicated <= {
        f"<notice-{Notice.objects.get(recipient=escalations[1].current_addressee, kind=NoticeKind.STEP_SENT).pk}@"
        f"{settings.NOTICE_MESSAGE_ID_DOMAIN}>"
    }


# --- imports ---------------------------------------------------------------------------------------

ROWS = 25_000


def test_an_import_runs_on_the_worker_and_a_worker_killed_mid_import_stores_nothing(worker):
    iro, child = IroFactory(username="iro.big"), ChildFactory(case_id="BIG-1")
    rows = [row(f"BIG-{n:05d}", iro, [child]) for n in range(ROWS)]
    job = import_job_create(by=ServiceManagerFactory(), data=log_csv(rows), filename="big.csv")
    first = worker.start()
    import_job_start(job=job)
    _wait(
        lambda: (p := progress_read(job.pk)) is not None and p.phase == STORING and p.done > 0,
        timeout=120,
        what="the import storing rows",
    )
    worker.kill(first)
    job.refresh_from_db()
    assert (job.status, Escalation.objects.count()) == ("running", 0)
    _wait(lambda: import_job_state(ImportJob.objects.get(pk=job.pk)).stalled, timeout=30, what="shown as stopped")
    import_job_retry(job=ImportJob.objects.get(pk=job.pk))
    worker.start()
    _wait(lambda: ImportJob.objects.get(pk=job.pk).status == "done", timeout=300, what="the import finishing")
    assert Escalation.objects.count() == ROWS
