"""Work on the background worker for the project's infrastructure."""

from django_tasks import task

from core.changes import data_changes_compact


@task()
def compact_data_changes() -> int:
    """Fold the data version's change rows into its count (``core.changes``); how many."""
    return data_changes_compact()
