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

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from background.selectors import heartbeat_every
from background.services import schedule_tick, worker_heartbeat_beat, worker_heartbeat_end

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
        worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{get_random_string(6)}"[:64]
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
            worker.run()
        finally:
            if ticker is not None:
                ticker.stopping.set()
                ticker.join(timeout=heartbeat_every().total_seconds() + 5)
                worker_heartbeat_end(worker_id=worker_id)
            self.stdout.write(f"Worker {worker_id} stopped.")
