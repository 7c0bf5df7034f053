"""Records management's work on the background worker."""

from django_tasks import task

from records.services import export_run, exports_expire, retention_run


@task()
def run_subject_access_export(export_id: int) -> str:
    """Gather a subject access export; its row says how it went."""
    return export_run(export_id=export_id).status


@task()
def apply_retention_schedule() -> dict:
    """The retention job (nightly, on the scheduler): what each record class's rule says is due."""
    return retention_run().counts


@task()
def expire_subject_access_exports() -> int:
    """Remove export files not downloaded within 7 days (hourly)."""
    return exports_expire()
