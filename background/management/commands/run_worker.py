"""The background worker: runs the queued tasks (django-tasks-db's worker), beats its heartbeat, and
fires the periodic jobs (``background.schedule``).

    python manage.py run_worker                 # until Ctrl-C or SIGTERM (finishes the task it is on)
    python manage.py run_worker --batch         # run what is queued now, then stop
    python manage.py run_worker --no-scheduler  # tasks only: another process fires the ticks

Any number may run at once, on one machine or several: each task is claimed by one worker
(``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL), and each tick is fired once (a unique key).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from background.selectors import heartbeat_every
from background.services import schedule_tick, worker_heartbeat_beat, worker_heartbeat_end, worker_restart

logger = logging.getLogger("background")


class Ticker(threading.Thread):
    """Beats the heartbeat and fires due ticks (``heartbeat_every``), on its own connection."""

    def __init__(self, *, worker_id: str, scheduler: bool):
        super().__init__(name="worker-ticker", daemon=True)
        self.worker_id = worker_id
        self.scheduler = scheduler
        self.stopping = threading.Event()

    def run(self):
        host, pid = socket.gethostname(), os.getpid()
        while not self.stopping.is_set():
            try:
                close_old_connections()
                worker_heartbeat_beat(worker_id=self.worker_id, host=host, pid=pid)
                if self.scheduler:
                    schedule_tick(worker_id=self.worker_id)
            except Exception:  # the database may be restarting; try again at the next beat
                logger.exception("Worker %s could not beat or tick", self.worker_id)
                connections.close_all()
            self.stopping.wait(heartbeat_every().total_seconds())
        connections.close_all()


class Command(BaseCommand):
    help = "Run the background worker: queued tasks, the heartbeat and the periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run the tasks queued now, then stop.")
        parser.add_argument("--no-scheduler", action="store_true", help="Do not fire the periodic jobs.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--worker-id", default="", help="Unique across workers (default: host-pid-random).")

    def handle(self, *, batch, no_scheduler, interval, worker_id, verbosity, **options):
        logging.getLogger("django_tasks").setLevel(logging.INFO if verbosity else logging.WARNING)
        worker_id = worker_id or _new_worker_id()
        ticker = None
        if not batch:
            worker_heartbeat_beat(worker_id=worker_id, host=socket.gethostname(), pid=os.getpid())
            ticker = Ticker(worker_id=worker_id, scheduler=not no_scheduler)
            ticker.start()
        self.stdout.write(f"Worker {worker_id} started{'' if no_scheduler or batch else ' with the scheduler'}.")
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        try:
            if not batch:
                worker.configure_signals()
            run_through_database_loss(worker, ticker=ticker, batch=batch)
        finally:
            if ticker is not None:
                ticker.stopping.set()
                ticker.join(timeout=heartbeat_every().total_seconds() + 5)
                try:
                    worker_heartbeat_end(worker_id=worker.worker_id)
                except DatabaseError:  # the database is down: the heartbeat goes stale within a minute
                    logger.warning("Worker %s could not end its heartbeat", worker.worker_id)
            self.stdout.write(f"Worker {worker.worker_id} stopped.")


def _new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{get_random_string(6)}"[:64]


def _close_broken_connections() -> None:
    """Close the connections the database dropped, so the next query opens a new one."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.is_usable():
            conn.close()


def run_through_database_loss(worker: Worker, *, ticker: Ticker | None, batch: bool) -> None:
    """Run the task loop. When the database goes away under it (a PostgreSQL restart: the library's
    loop lets the error out, even from marking a task failed), wait until the database answers, then
    carry on as a new worker (``worker_restart``: what the old one was running is marked failed and
    shown stopped), instead of ending the process. A batch run, or a worker asked to stop, ends."""
    while True:
        try:
            worker.run()
            return
        except DatabaseError as error:
            if batch or not worker.running:
                raise
            logger.exception("Worker %s lost the database; it carries on once the database is back", worker.worker_id)
            reason = error
        old_worker_id, new_worker_id = worker.worker_id, _new_worker_id()
        if ticker is not None:
            ticker.worker_id = new_worker_id
        while worker.running:
            _close_broken_connections()
            try:
                failed = worker_restart(
                    old_worker_id=old_worker_id,
                    new_worker_id=new_worker_id,
                    reason=reason,
                    host=socket.gethostname(),
                    pid=os.getpid(),
                )
            except DatabaseError as still:
                logger.warning("Worker %s: the database is not back yet (%s)", old_worker_id, still)
                time.sleep(min(worker.interval, 1.0) or 1.0)
                continue
            worker.worker_id = new_worker_id
            logger.warning(
                "Worker %s is back as %s (%d unfinished task(s) marked failed)", old_worker_id, new_worker_id, failed
            )
            break
