"""The worker command's task loop when the database goes away under it (a PostgreSQL restart):
it waits for the database and carries on as a new worker, instead of ending the process."""

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from background.management.commands.run_worker import run_through_database_loss
from background.models import WorkerHeartbeat
from background.selectors import worker_alive
from background.services import worker_heartbeat_beat, worker_restart
from tests.background import tasks
from tests.factories import reseed_vocabularies

# The library's loop closes and reopens connections as the real worker does, which a test inside one
# transaction cannot survive.
pytestmark = pytest.mark.django_db(transaction=True)
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _vocabularies():
    reseed_vocabularies()  # a transactional test empties every table when it ends


def _claimed_by(worker_id: str) -> DBTaskResult:
    result = DBTaskResult.objects.get(id=tasks.note_run.enqueue().id)
    result.claim(worker_id)
    return result


class LosesTheDatabaseOnce(Worker):
    """The library's worker, whose loop first fails as it does when PostgreSQL restarts under it; then
    it runs what is queued and stops (batch), so the test ends."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.runs = 0

    def run(self):
        self.runs += 1
        if self.runs == 1:
            raise OperationalError("consuming input failed: server closed the connection unexpectedly")
        self.batch = True
        return super().run()


def _worker(worker_id: str) -> LosesTheDatabaseOnce:
    return LosesTheDatabaseOnce(
        queue_names=["*"],
        interval=0.01,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def test_a_restarted_worker_fails_what_it_had_claimed_and_ends_its_old_heartbeat(settings):
    settings.TASKS = DB_TASKS
    worker_heartbeat_beat(worker_id="old")
    theirs, other = _claimed_by("old"), _claimed_by("another")
    failed = worker_restart(old_worker_id="old", new_worker_id="new", reason=OperationalError("the connection is lost"))
    theirs.refresh_from_db()
    other.refresh_from_db()
    assert (failed, theirs.status, other.status) == (1, TaskResultStatus.FAILED, TaskResultStatus.RUNNING)
    assert theirs.exception_class_path == "django.db.utils.OperationalError"
    assert (worker_alive("old"), worker_alive("new")) == (False, True)


def test_a_worker_that_loses_the_database_carries_on_as_a_new_worker(settings):
    settings.TASKS = DB_TASKS
    tasks.RAN.clear()
    worker_heartbeat_beat(worker_id="w1")
    interrupted = _claimed_by("w1")
    tasks.note_run.enqueue()
    worker = _worker("w1")
    run_through_database_loss(worker, ticker=None, batch=False)
    interrupted.refresh_from_db()
    assert worker.worker_id != "w1" and worker.runs == 2
    assert interrupted.status == TaskResultStatus.FAILED
    assert tasks.RAN == ["ran"]  # the queued task ran afterwards, on the new worker
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == [worker.worker_id]
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL, finished_at__lte=timezone.now()).count() == 1


def test_a_batch_run_that_loses_the_database_ends_with_the_error(settings):
    settings.TASKS = DB_TASKS
    worker = _worker("b1")
    worker.batch = True
    with pytest.raises(OperationalError):
        run_through_database_loss(worker, ticker=None, batch=True)
