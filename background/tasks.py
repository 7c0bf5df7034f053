"""The worker's own periodic housekeeping."""

from django_tasks import task

from background.services import background_records_prune


@task()
def prune_background_records() -> int:
    """Finished task results, ticks and old heartbeats, after 30 days."""
    return background_records_prune()
