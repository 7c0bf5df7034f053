"""The drift watch's tables: the flags as found day by day, the refreshes that found them, and the
rule-to-theme map admins edit. The rules themselves are :mod:`drift.rules`; the flags are written
only by :func:`drift.services.drift_refresh` (and linked to escalations by
:func:`drift.services.drift_flag_link_escalation`)."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from drift.rules import RULE_LABELS, RULES

RULE_CHOICES = [(code, f"{code}: {RULE_LABELS[code]}") for code in RULES]


class DriftFlag(models.Model):
    """A rule found broken for a child: from the first refresh that found it (``first_seen``) to the
    first that no longer did (``cleared_on``). While open, one per child and rule; a flag that comes
    back after clearing is a new row."""

    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="drift_flags", db_index=False
    )  # drift_flag_child_idx starts with it
    rule = models.CharField(max_length=30, choices=RULE_CHOICES)
    due = models.DateField(null=True, blank=True)
    detail = models.CharField(max_length=300, help_text="The latest sentence the rules gave (no names).")
    first_seen = models.DateField(help_text="The as-of day of the refresh that first found it.")
    cleared_on = models.DateField(
        null=True, blank=True, help_text="The as-of day of the first refresh that no longer found it."
    )
    escalation = models.ForeignKey(
        "escalations.Escalation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drift_flags",
        help_text="The escalation raised from this flag.",
    )

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "rule"],
                condition=models.Q(cleared_on__isnull=True),
                name="drift_flag_one_open_per_child_and_rule",
            ),
        ]
        indexes = [
            models.Index(fields=["child", "first_seen"], name="drift_flag_child_idx"),
            models.Index(fields=["first_seen"], name="drift_flag_first_seen_idx"),
        ]

    def __str__(self):
        return f"{self.rule} for {self.child_id} from {self.first_seen}"

    @property
    def is_open(self) -> bool:
        return self.cleared_on is None


class DriftRun(models.Model):
    """One refresh of the flags (:func:`drift.services.drift_refresh`). Written once."""

    as_of = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    children = models.PositiveIntegerField(help_text="Children looked after on the day, assessed.")
    created = models.PositiveIntegerField(help_text="New flags.")
    cleared = models.PositiveIntegerField(help_text="Flags no longer found.")
    updated = models.PositiveIntegerField(help_text="Open flags whose due date or sentence changed.")
    open = models.PositiveIntegerField(help_text="Flags open after the refresh.")
    not_evaluated = models.JSONField(help_text="Rules whose data was never imported.")
    impact = models.JSONField(
        null=True, blank=True, help_text="The reporting year's impact figures as of the run (drift.selectors)."
    )

    class Meta:
        ordering = ["-as_of", "-started_at"]
        indexes = [models.Index(fields=["as_of", "started_at"], name="drift_run_as_of_idx")]

    def __str__(self):
        return f"Drift refresh as of {self.as_of}"


class RuleTheme(models.Model):
    """Which theme (and sub-theme) *Raise an escalation* ticks for a flag of each rule. Admins edit it."""

    rule = models.CharField(max_length=30, choices=RULE_CHOICES, unique=True)
    theme = models.ForeignKey("themes.Theme", on_delete=models.PROTECT, related_name="+")
    subtheme = models.ForeignKey("themes.SubTheme", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["rule"]
        verbose_name = "drift rule's theme"
        verbose_name_plural = "drift rules' themes"

    def __str__(self):
        return f"{self.rule}: {self.theme}"

    def clean(self):
        # Data integrity the database cannot check across tables: the raise form refuses a sub-theme
        # without its theme.
        if self.subtheme_id and self.theme_id and self.subtheme.theme_id != self.theme_id:
            raise ValidationError({"subtheme": f"Choose a sub-theme of {self.theme}, or none."})
