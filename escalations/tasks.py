"""The escalations' work on the background worker."""

from django_tasks import task

from escalations.services import escalation_overdue_digest_queue
from notices.services import notices_summarise


@task()
def morning_notices() -> dict:
    """Each working morning at 9: the service managers' digest of overdue replies, and the daily
    summaries of those who asked for one."""
    digests = escalation_overdue_digest_queue()
    summaries = notices_summarise()
    return {"digests": len(digests), "summaries": len(summaries)}
