"""The imports' work on the background worker."""

from django_tasks import TaskContext, task

from imports.jobs import import_job_run, import_uploads_prune


@task(takes_context=True)
def run_import_job(context: TaskContext, job_id: int) -> str:
    """Run an upload page's check or import; the job's row says how it went."""
    workers = context.task_result.worker_ids
    return import_job_run(job_id=job_id, worker_id=workers[-1] if workers else "").status


@task()
def prune_import_uploads() -> int:
    """Remove the uploaded logs no job needs any more (daily, on the scheduler)."""
    return import_uploads_prune()
