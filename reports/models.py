from django.db import models
from simple_history.models import HistoricalRecords


class Classification(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ReportSettings(models.Model):
    """How the committee report is published. There is exactly one row, changed on the service
    manager's *Report settings* page (``reports.services.report_settings_update``)."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    classification = models.CharField(max_length=10, choices=Classification.choices, default=Classification.OPEN)
    suppress_small_numbers = models.BooleanField(
        default=True,
        help_text=(
            "In Open reports, hide counts below the threshold, and every count, percentage or change "
            "they could be worked out from."
        ),
    )
    small_number_threshold = models.PositiveSmallIntegerField(
        default=5, help_text="Counts from 1 up to one less than this are suppressed."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "report settings"
        verbose_name_plural = "report settings"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="report_settings_singleton")]

    def __str__(self):
        return "Report settings"


class CaseStory(models.Model):
    """An anonymised case story for the committee report, drafted from structured fields."""

    escalation = models.OneToOneField("escalations.Escalation", on_delete=models.PROTECT, related_name="story")
    include_in_report = models.BooleanField(default=True)
    drafted_text = models.TextField(help_text="What the system drafted from the structured fields.")
    text = models.TextField(help_text="What the report prints: the draft, as edited by the service manager.")
    updated_by = models.ForeignKey("people.User", null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "case stories"
        indexes = [models.Index(fields=["include_in_report"], name="story_included_idx")]

    def __str__(self):
        return f"Story for {self.escalation}"


class StoryOverride(models.Model):
    """The service manager's decision that a flagged word in a story is not an identifier.

    It holds for that exact text only: editing the story makes the check run afresh.
    """

    story = models.ForeignKey(CaseStory, on_delete=models.PROTECT, related_name="overrides")
    term = models.CharField(max_length=200, help_text="The flagged text, exactly as the check found it.")
    kind = models.CharField(max_length=60)
    reason = models.TextField()
    story_text = models.TextField(help_text="The story text the override was given for.")
    created_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"Override of {self.term!r} on {self.story}"


class IssuedReport(models.Model):
    """A frozen committee report: its JSON and files as issued. Never changed afterwards."""

    period_start = models.DateField()
    period_end = models.DateField()
    version = models.PositiveIntegerField()
    issued_by = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    data = models.JSONField()
    pdf = models.BinaryField()
    docx = models.BinaryField()
    xlsx = models.BinaryField()
    html = models.TextField()

    history = HistoricalRecords(excluded_fields=["pdf", "docx", "xlsx", "html"])

    class Meta:
        ordering = ["period_start", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end", "version"], name="issued_report_version_unique"
            ),
        ]

    def __str__(self):
        return f"Committee report {self.period_start} to {self.period_end}, version {self.version}"
