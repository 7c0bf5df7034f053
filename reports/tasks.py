"""The committee report's work on the background worker."""

from django_tasks import TaskContext, task

from reports.services import report_issue_job_run, report_snapshot_run, report_snapshots_prune


@task(takes_context=True)
def issue_report(context: TaskContext, job_id: int) -> str:
    """Issue the report a service manager confirmed; the job's row says how it went."""
    workers = context.task_result.worker_ids
    return report_issue_job_run(job_id=job_id, worker_id=workers[-1] if workers else "").status


@task()
def make_report_page(start: str, end: str) -> str:
    """Make the report page's figures for the period from ``start`` to ``end`` (ISO dates) again."""
    return report_snapshot_run(start=start, end=end)


@task()
def prune_report_pages() -> int:
    """Delete the report pages' stored figures too old to be shown (``STALE_SHOWN_FOR``)."""
    return report_snapshots_prune()
