"""The drift watch's work on the background worker."""

from django_tasks import task

from drift.services import drift_digest_queue, drift_refresh


@task()
def drift_refresh_nightly() -> dict:
    """Each night: every child's statutory clocks as of the new day."""
    result = drift_refresh()
    run = result.run
    return {"as_of": run.as_of.isoformat(), "children": run.children, "created": run.created, "cleared": run.cleared}


@task()
def drift_morning() -> dict:
    """Each working morning: the IROs' digests of new flags (refreshing first if the night's run was missed)."""
    return {"digests": len(drift_digest_queue())}
