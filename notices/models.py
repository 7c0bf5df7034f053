"""Notices (emails) as records: an outbox the services write in the same transaction as the change
they tell of, and the worker delivers (``notices.delivery``)."""

from django.conf import settings
from django.db import models


class NoticeKind(models.TextChoices):
    # Sent at once, when something happens.
    STEP_SENT = "step_sent", "Sent to you"
    FIRST_RESPONSE = "first_response", "Acknowledged"
    RESPONSE = "response", "Responded to"
    ESCALATED_PAST_YOU = "escalated_past_you", "Escalated past you"
    CLOSED = "closed", "Closed"
    CAFCASS = "cafcass", "Referred to Cafcass"
    NOTE = "note", "A note was added"
    # Sent by the clock, in working hours only.
    DUE_SOON = "due_soon", "Reply due soon"
    OVERDUE = "overdue", "Reply overdue"
    CAP_REACHED = "cap_reached", "20 working days reached"
    OVERDUE_DIGEST = "overdue_digest", "Overdue replies today"
    DAILY_SUMMARY = "daily_summary", "Your daily summary"
    DRIFT_DIGEST = "drift_digest", "New drift flags today"


# Notices sent by the clock: only in working hours (NOTICE_WORKING_HOURS) on working days.
CLOCK_KINDS = frozenset(
    {
        NoticeKind.DUE_SOON,
        NoticeKind.OVERDUE,
        NoticeKind.CAP_REACHED,
        NoticeKind.OVERDUE_DIGEST,
        NoticeKind.DAILY_SUMMARY,
        NoticeKind.DRIFT_DIGEST,
    }
)

# Morning digests: already one email a day, so never held for someone's daily summary.
DIGEST_KINDS = frozenset({NoticeKind.OVERDUE_DIGEST, NoticeKind.DAILY_SUMMARY, NoticeKind.DRIFT_DIGEST})


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"
    CANCELLED = "cancelled", "Not needed any more"
    SUMMARISED = "summarised", "Sent in a daily summary"


class Notice(models.Model):
    """One notice to one person. ``key`` is unique: one row per (kind, step or escalation,
    recipient), so nothing is written, or sent, twice.

    A notice carries no child's name, date of birth or case ID and no text typed into the app: its
    words are made when it is sent, from the reference, the stage, the due time, who acted and a
    link (``notices/templates/notices/email``).
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notices", db_index=False
    )
    escalation = models.ForeignKey(
        "escalations.Escalation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    step = models.ForeignKey(
        "escalations.Step", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    how = models.CharField(
        max_length=20, blank=True, help_text="For a step sent: raised, escalated, reassigned, reopened."
    )
    due_at = models.DateTimeField(null=True, blank=True, help_text="The due time the notice is about.")
    items = models.JSONField(default=list, blank=True, help_text="A digest's or summary's lines (references only).")
    addressed = models.BooleanField(
        default=False, help_text="About a step addressed to the recipient: it cannot be switched off."
    )

    status = models.CharField(max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.PENDING)
    send_after = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="A worker is sending it until then.")
    held_for_summary = models.BooleanField(
        default=False, help_text="The recipient wants a daily summary: it goes in the next one."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True, help_text="As sent.")
    body = models.TextField(blank=True, help_text="As sent.")
    summary = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="summarised", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "send_after"], name="notice_due_idx"),
            models.Index(fields=["recipient", "status"], name="notice_recipient_idx"),
            models.Index(fields=["step", "status"], name="notice_step_idx"),
            models.Index(fields=["escalation"], name="notice_escalation_idx"),
            # Every foreign key starts an index (SQLite checks a key from the parent's side too).
            models.Index(fields=["actor"], name="notice_actor_idx"),
            models.Index(fields=["on_behalf_of"], name="notice_on_behalf_of_idx"),
            models.Index(fields=["summary"], name="notice_summary_idx"),
        ]

    def __str__(self):
        return self.key


class Frequency(models.TextChoices):
    AT_ONCE = "at_once", "Each notice as it happens"
    DAILY = "daily", "One summary each working morning at 9am"
    OFF = "off", "No emails"


class NoticePreference(models.Model):
    """How a person wants their notices. Steps addressed to them can be summarised but never
    switched off; notices about escalations they are only part of can be."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference")
    addressed = models.CharField(
        "Steps sent to you", max_length=10, choices=Frequency.choices[:2], default=Frequency.AT_ONCE
    )
    others = models.CharField(
        "Other news of escalations you are part of", max_length=10, choices=Frequency.choices, default=Frequency.AT_ONCE
    )

    def __str__(self):
        return f"{self.user}: {self.addressed}, {self.others}"
