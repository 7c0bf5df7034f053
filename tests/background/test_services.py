"""The worker's heartbeat and scheduler: each periodic job fires once per slot, whichever worker
ticks, and its slot follows the real working-day clock."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string

from background.models import ScheduledTick, WorkerHeartbeat
from background.schedule import Periodic, schedule
from background.selectors import worker_alive, workers_alive
from background.services import background_records_prune, schedule_tick, worker_heartbeat_beat, worker_heartbeat_end
from tests.background import tasks
from tests.factories import london
from workdays.clock import WorkingCalendar

pytestmark = pytest.mark.django_db
ENGLAND = WorkingCalendar()
EVERY_MINUTE = Periodic("test.minute", "tests.background.tasks.note_run", every=dt.timedelta(minutes=1))
NINE_ON_WORKING_DAYS = Periodic("test.nine", "tests.background.tasks.note_run", at=dt.time(9), working_days_only=True)


@pytest.fixture(autouse=True)
def _fresh_runs():
    tasks.RAN.clear()


def test_two_workers_ticking_in_the_same_slot_fire_the_job_once():
    now = london(2026, 12, 1, 10, 0, 20)
    assert schedule_tick(worker_id="a", now=now, jobs=(EVERY_MINUTE,)) == ["test.minute"]
    assert schedule_tick(worker_id="b", now=now + dt.timedelta(seconds=30), jobs=(EVERY_MINUTE,)) == []
    assert (tasks.RAN, ScheduledTick.objects.get().worker_id) == (["ran"], "a")


def test_the_next_slot_fires_again():
    now = london(2026, 12, 1, 10, 0, 20)
    schedule_tick(worker_id="a", now=now, jobs=(EVERY_MINUTE,))
    schedule_tick(worker_id="b", now=now + dt.timedelta(minutes=1), jobs=(EVERY_MINUTE,))
    assert tasks.RAN == ["ran", "ran"]


def test_a_daily_job_is_not_due_before_its_time_or_on_a_bank_holiday():
    assert NINE_ON_WORKING_DAYS.slot(london(2026, 12, 1, 8, 59), ENGLAND) is None
    assert NINE_ON_WORKING_DAYS.slot(london(2026, 12, 25, 10, 0), ENGLAND) is None
    assert NINE_ON_WORKING_DAYS.slot(london(2026, 12, 1, 16, 0), ENGLAND) == london(2026, 12, 1, 9, 0)


def test_a_daily_job_fires_once_a_day_even_if_the_workers_start_late():
    schedule_tick(worker_id="a", now=london(2026, 12, 1, 11, 30), jobs=(NINE_ON_WORKING_DAYS,))
    schedule_tick(worker_id="b", now=london(2026, 12, 1, 15, 0), jobs=(NINE_ON_WORKING_DAYS,))
    schedule_tick(worker_id="b", now=london(2026, 12, 2, 9, 0), jobs=(NINE_ON_WORKING_DAYS,))
    assert tasks.RAN == ["ran", "ran"]


def test_the_schedule_names_real_tasks():

    assert all(hasattr(import_string(job.task), "enqueue") for job in schedule())


def test_a_beating_worker_is_alive_and_a_silent_one_is_not():
    worker_heartbeat_beat(worker_id="alive")
    WorkerHeartbeat.objects.create(
        worker_id="silent", started_at=timezone.now(), beat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert (worker_alive("alive"), worker_alive("silent"), workers_alive()) == (True, False, 1)


def test_a_worker_that_stops_cleanly_is_no_longer_alive():
    worker_heartbeat_beat(worker_id="w")
    worker_heartbeat_end(worker_id="w")
    assert not worker_alive("w")


def test_old_ticks_and_heartbeats_are_pruned():
    old = timezone.now() - dt.timedelta(days=40)
    ScheduledTick.objects.create(job="x", slot=old, fired_at=old, worker_id="a")
    ScheduledTick.objects.create(job="x", slot=timezone.now(), fired_at=timezone.now(), worker_id="a")
    WorkerHeartbeat.objects.create(worker_id="gone", started_at=old, beat_at=old)
    assert background_records_prune() == 2
    assert ScheduledTick.objects.count() == 1
