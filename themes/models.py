"""The controlled vocabularies: themes, sub-themes, drift reasons and outcomes.

Codes are stable identifiers (seeded from ``domain.md``); labels are what users see. Admins add
entries or retire them (``active=False``); nothing is deleted, so history keeps its meaning.
"""

from django.db import models
from simple_history.models import HistoricalRecords


class CodedEntry(models.Model):
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Untick to retire. Retired entries stay in history.")

    class Meta:
        abstract = True
        ordering = ["order", "label"]

    def __str__(self):
        return self.label


class Theme(CodedEntry):
    DRIFT = "drift"  # drift reasons go only with this theme; the report analyses it on its own

    history = HistoricalRecords()

    class Meta(CodedEntry.Meta):
        constraints = [models.UniqueConstraint(fields=["code"], name="theme_code_unique")]


class SubTheme(CodedEntry):
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="subthemes", db_index=False
    )  # subtheme_code_unique_in_theme starts with it

    history = HistoricalRecords()

    class Meta(CodedEntry.Meta):
        constraints = [
            models.UniqueConstraint(fields=["theme", "code"], name="subtheme_code_unique_in_theme"),
        ]


class DriftReason(CodedEntry):
    history = HistoricalRecords()

    class Meta(CodedEntry.Meta):
        constraints = [models.UniqueConstraint(fields=["code"], name="drift_reason_code_unique")]


class Outcome(CodedEntry):
    RESOLVED = "resolved"
    NOT_RESOLVED = "not_resolved"
    WITHDRAWN = "withdrawn"

    history = HistoricalRecords()

    class Meta(CodedEntry.Meta):
        constraints = [models.UniqueConstraint(fields=["code"], name="outcome_code_unique")]
