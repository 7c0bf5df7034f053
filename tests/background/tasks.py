"""A task for the scheduler tests: it records that it ran."""

from django_tasks import task

RAN: list[str] = []


@task()
def note_run() -> None:
    RAN.append("ran")
