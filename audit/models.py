"""The audit trail of changes is django-simple-history's historical tables, one per audited model
(``audit.apps`` installs their append-only triggers after ``migrate``).

This app's own table is the access log: every time someone opens a child's or an escalation's
page. It is append-only too.
"""

from django.conf import settings
from django.db import models


class AccessLogEntry(models.Model):
    """One look at a child's or an escalation's page: who, what, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(
        "children.Child",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_log",
        db_index=False,  # access_child_idx starts with it
    )
    escalation = models.ForeignKey(
        "escalations.Escalation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_log",
        db_index=False,  # access_escalation_idx starts with it
    )
    path = models.CharField(max_length=300, help_text="The page that was opened.")
    viewed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        verbose_name_plural = "access log entries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(child__isnull=False) | models.Q(escalation__isnull=False),
                name="access_log_names_a_record",
                violation_error_message="An access log entry names the child or the escalation that was opened.",
            ),
        ]
        indexes = [
            models.Index(fields=["child", "viewed_at"], name="access_child_idx"),
            models.Index(fields=["escalation", "viewed_at"], name="access_escalation_idx"),
        ]

    def __str__(self):
        return f"{self.user} opened {self.path} at {self.viewed_at:%Y-%m-%d %H:%M}"
