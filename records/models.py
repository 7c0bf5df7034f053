"""Records management: the retention schedule's rules, legal holds, retention runs and their
tombstones, requests for erasure, and subject access exports.

Only ``records.services`` writes these. Retention runs and tombstones are append-only (the audit
trail's trigger protects them on PostgreSQL); rules, holds and erasure requests keep an audit trail.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from records.classes import Action, RecordClass, Unit


class RetentionRule(models.Model):
    """An admin's rule for one record class, replacing the default (``records.classes.CLASSES``)."""

    record_class = models.CharField(max_length=20, choices=RecordClass.choices, unique=True)
    keep_for = models.PositiveIntegerField()
    unit = models.CharField(max_length=10, choices=Unit.choices)
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.TextField(help_text="Why records of this class are kept this long.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField()

    history = HistoricalRecords(no_db_index=["updated_by"])

    def __str__(self):
        return f"{self.get_record_class_display()}: {self.keep_for} {self.unit}, {self.action}"


class LegalHold(models.Model):
    """Nothing about the child, or of the escalation, is deleted or anonymised while the hold lasts."""

    child = models.ForeignKey(
        "children.Child", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    escalation = models.ForeignKey(
        "escalations.Escalation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reason = models.TextField()
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.TextField(blank=True)

    history = HistoricalRecords(no_db_index=["child", "escalation", "placed_by", "lifted_by"])

    class Meta:
        ordering = ["-placed_at", "-pk"]
        indexes = [
            models.Index(fields=["child", "lifted_at"], name="hold_child_idx"),
            models.Index(fields=["escalation", "lifted_at"], name="hold_escalation_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(child__isnull=False, escalation__isnull=True)
                | models.Q(child__isnull=True, escalation__isnull=False),
                name="hold_on_a_child_or_an_escalation",
                violation_error_message="A legal hold is on one child or one escalation.",
            ),
            models.CheckConstraint(
                condition=models.Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | models.Q(lifted_at__isnull=False, lifted_by__isnull=False),
                name="hold_lifted_by_someone",
                violation_error_message="A lifted hold records who lifted it and when.",
            ),
        ]

    def __str__(self):
        what = f"child {self.child_id}" if self.child_id else f"escalation {self.escalation_id}"
        return f"Legal hold on {what}{' (lifted)' if self.lifted_at else ''}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class RunKind(models.TextChoices):
    SCHEDULE = "schedule", "Retention schedule"
    ERASURE = "erasure", "Erasure on request"


class RetentionRun(models.Model):
    """One run of the retention job, or one erasure. Append-only: written when it starts and
    completed in the same transaction; its id, named by the transaction-local setting the audit
    trigger checks, is what lets that transaction delete audit rows (``audit.services``)."""

    APPEND_ONLY = True  # audit.services.audit_protect_tables puts the append-only trigger on it

    kind = models.CharField(max_length=10, choices=RunKind.choices)
    as_of = models.DateField(help_text="The day the rules were applied for.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    transaction_id = models.BigIntegerField(
        null=True, blank=True, help_text="PostgreSQL's id of the transaction the run ran in."
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the scheduler.",
    )
    counts = models.JSONField(default=dict, help_text="Records acted on, per record class.")

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["-started_at"], name="retention_run_recent_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} run {self.pk} for {self.as_of}"


class TombstoneAction(models.TextChoices):
    DELETED = "deleted", "Deleted"
    ANONYMISED = "anonymised", "Anonymised"
    CHILD_REMOVED = "child_removed", "Erased child removed"


class Tombstone(models.Model):
    """What one record was (its kind and id), which rule removed it, and when; never its content.
    ``parts`` counts the rows that went with it, by table."""

    APPEND_ONLY = True

    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="tombstones", db_index=False)
    record_class = models.CharField(max_length=20, choices=RecordClass.choices)
    model = models.CharField(max_length=60, help_text="The record's kind: app and model, e.g. escalations.escalation")
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=15, choices=TombstoneAction.choices)
    rule = models.CharField(max_length=300, help_text="The rule applied, in words, as it was then.")
    parts = models.JSONField(default=dict, help_text="Rows that went with it, per table (counts only).")
    at = models.DateTimeField()

    class Meta:
        ordering = ["run", "record_class", "object_id"]
        indexes = [
            models.Index(fields=["run", "record_class"], name="tombstone_run_idx"),
            models.Index(fields=["model", "object_id"], name="tombstone_record_idx"),
        ]

    def __str__(self):
        return f"{self.model} {self.object_id} {self.action} ({self.record_class})"


class ErasureStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    ERASED = "erased", "Approved and erased"
    REFUSED = "refused", "Refused"


class ErasureRequest(models.Model):
    """A request to erase one child's records, made by an admin with a reason, and carried out
    only when a second admin approves it (``records.services.erasure_decide``)."""

    child = models.ForeignKey(
        "children.Child",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Cleared once the child's records are erased.",
    )
    child_ref = models.BigIntegerField(help_text="The child's record id, kept after erasure (never their case ID).")
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=ErasureStatus.choices, default=ErasureStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    run = models.OneToOneField(
        RetentionRun, null=True, blank=True, on_delete=models.PROTECT, related_name="erasure_request"
    )

    history = HistoricalRecords(no_db_index=["child", "requested_by", "decided_by", "run"])

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("requested_by")),
                name="erasure_decided_by_another",
                violation_error_message="An erasure is approved by someone other than the person who asked.",
            ),
        ]

    def __str__(self):
        return f"Erasure request {self.pk} ({self.status})"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being gathered"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Not made"


class SubjectAccessExport(models.Model):
    """Everything held about one child, gathered on the background worker into one ZIP (a PDF, the
    JSON and a manifest). Downloadable once, by the person who asked for it, for 7 days; the file is
    removed from the database when it is downloaded or expires."""

    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # export_requester_idx starts with it
    requested_at = models.DateTimeField()
    staff_names = models.BooleanField(help_text="Whether staff are named (RECORDS_EXPORT_STAFF_NAMES when asked).")
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    problem = models.TextField(blank=True)
    content = models.BinaryField(null=True, blank=True, help_text="The ZIP, until downloaded or expired.")
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="What it holds: counts only.")
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "requested_at"], name="export_requester_idx"),
            models.Index(fields=["status", "expires_at"], name="export_expiry_idx"),
        ]

    def __str__(self):
        return f"Subject access export {self.pk} ({self.status})"
