import datetime as dt

from django.conf import settings
from django.db import models

# How long a check that passed may be confirmed (and its uploaded file kept) before it must be done again.
CHECK_KEPT_FOR = dt.timedelta(hours=24)


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Not imported"


class ImportJob(models.Model):
    """One run over an uploaded escalation log, on the background worker: a preview (``dry_run``: every
    row checked, nothing stored) or, once the person who uploaded it confirms the preview, the
    import of the very same file (``preview`` points at the preview it confirms).

    The import itself is all or nothing (``imports.services.escalation_log_import``); this row
    only follows it: who asked, which file (by its SHA-256 hash), how far it got and how it ended.
    While it runs, the rows done are in a small progress file (``imports.progress``), because the
    import's own transaction holds SQLite's write lock until it commits.
    """

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256 of the file", max_length=64)
    sheet = models.CharField(max_length=100, blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    create_missing = models.BooleanField(default=False)
    mapping = models.TextField(blank=True, help_text="The YAML mapping file uploaded with it, if any.")
    dry_run = models.BooleanField("preview", default=False, help_text="Check every row and store nothing.")
    preview = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="confirmed_as",
        help_text="The preview this import was confirmed from.",
    )

    status = models.CharField(max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True, help_text="Rows in the file, once read.")
    result = models.JSONField(null=True, blank=True, help_text="Created, updated and unchanged counts, once done.")
    problems = models.JSONField(default=list, blank=True, help_text="Why nothing was imported, one line each.")

    worker_id = models.CharField(
        max_length=64, blank=True, help_text="The background worker running it (its heartbeat says if it is alive)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["-created_at"], name="import_job_recent_idx")]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)

    @property
    def confirm_by(self) -> dt.datetime | None:
        """A check that passed: when it stops being confirmable (the records may have changed since)."""
        if not (self.dry_run and self.status == ImportJobStatus.DONE and self.finished_at):
            return None
        return self.finished_at + CHECK_KEPT_FOR

    @property
    def status_label(self) -> str:
        """The status in words; a preview is "Checking", then "Checked" (or "Not imported")."""
        if self.dry_run and self.status == ImportJobStatus.RUNNING:
            return "Checking"
        if self.dry_run and self.status == ImportJobStatus.DONE:
            return "Checked"
        return self.get_status_display()
