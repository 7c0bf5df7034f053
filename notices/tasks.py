"""The notices' work on the background worker."""

from django_tasks import task

from notices.delivery import notices_deliver as deliver


@task()
def notices_deliver() -> dict:
    """Send the notices that are due (queued when a change commits, and every 30 seconds)."""
    counts = deliver()
    return {"sent": counts.sent, "retrying": counts.retrying, "failed": counts.failed, "held": counts.held}
