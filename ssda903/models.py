"""The SSDA903 return's tables, as imported (see ssda903.services.ssda903_import).

Each row is keyed by its natural key in the return: the child and a date. The child's case-management
ID (``CHILD``) is ``Child.case_id``; the Header's sex and date of birth live on Child itself.
"""

from django.db import models
from simple_history.models import HistoricalRecords


class HeaderRecord(models.Model):
    """The Header columns Child does not hold (ETHNIC, UPN, MOTHER, MC_DOB)."""

    child = models.OneToOneField("children.Child", on_delete=models.CASCADE, related_name="ssda903_header")
    ethnicity = models.CharField("ETHNIC", max_length=4, blank=True)
    upn = models.CharField("unique pupil number (UPN)", max_length=13, blank=True)
    mother = models.CharField("MOTHER", max_length=4, blank=True, help_text="1 when the child is a mother.")
    mother_child_dob = models.DateField(
        "MC_DOB", null=True, blank=True, help_text="Date of birth of the child's child."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "903 header"

    def __str__(self):
        return f"Header for {self.child_id}"


class Episode(models.Model):
    """An episode of care (Episodes table), keyed by child and start date (CHILD, DECOM)."""

    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="ssda903_episodes", db_index=False
    )  # ssda903_episode_child_start_unique starts with it
    start = models.DateField("start (DECOM)")
    reason_new_episode = models.CharField("RNE", max_length=1, blank=True)
    legal_status = models.CharField("legal status (LS)", max_length=2)
    category_of_need = models.CharField("CIN", max_length=2, blank=True)
    placement_type = models.CharField("placement type (PLACE)", max_length=2)
    placement_provider = models.CharField("PLACE_PROVIDER", max_length=3, blank=True)
    end = models.DateField("end (DEC)", null=True, blank=True)
    reason_ended = models.CharField("reason ended (REC)", max_length=3, blank=True)
    reason_place_change = models.CharField("REASON_PLACE_CHANGE", max_length=6, blank=True)
    home_postcode = models.CharField("HOME_POST", max_length=10, blank=True)
    placement_postcode = models.CharField("placement postcode (PL_POST)", max_length=10, blank=True)
    urn = models.CharField("URN", max_length=10, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "start"]
        constraints = [
            models.UniqueConstraint(fields=["child", "start"], name="ssda903_episode_child_start_unique"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="ssda903_episode_ends_after_start",
                violation_error_message="The episode ends before it starts.",
            ),
        ]

    def __str__(self):
        return f"Episode {self.child_id} from {self.start}"


class Review(models.Model):
    """A LAC review (Reviews table), keyed by child and review date (CHILD, REVIEW)."""

    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="ssda903_reviews", db_index=False
    )  # ssda903_review_child_date_unique starts with it
    date = models.DateField("review date (REVIEW)")
    participation = models.CharField("participation (REVIEW_CODE)", max_length=3)

    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "date"]
        constraints = [
            models.UniqueConstraint(fields=["child", "date"], name="ssda903_review_child_date_unique"),
        ]

    def __str__(self):
        return f"Review {self.child_id} on {self.date}"


class MissingEpisode(models.Model):
    """A missing (M) or away without authorisation (A) episode, keyed by child and MIS_START."""

    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="ssda903_missing", db_index=False
    )  # ssda903_missing_child_start_unique starts with it
    kind = models.CharField("MISSING", max_length=1)
    start = models.DateField("start (MIS_START)")
    end = models.DateField("end (MIS_END)", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "start"]
        constraints = [
            models.UniqueConstraint(fields=["child", "start"], name="ssda903_missing_child_start_unique"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="ssda903_missing_ends_after_start",
                violation_error_message="The missing episode ends before it starts.",
            ),
        ]

    def __str__(self):
        return f"Missing {self.child_id} from {self.start}"


class UascRecord(models.Model):
    """An unaccompanied asylum-seeking child (UASC table), keyed by child."""

    child = models.OneToOneField("children.Child", on_delete=models.CASCADE, related_name="ssda903_uasc")
    ceased = models.DateField("date UASC status ceased (DUC)", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "UASC record"

    def __str__(self):
        return f"UASC {self.child_id}"


class ImportRun(models.Model):
    """One successful import: its label, when, and what it did. Written once, never changed."""

    year = models.CharField(max_length=7, blank=True, help_text="The return's year, e.g. 2017-18.")
    imported_at = models.DateTimeField()
    directory = models.CharField(max_length=500)
    counts = models.JSONField(help_text="Per table: created, updated, unchanged.")
    warnings = models.JSONField(help_text="The warnings, as shown to the person importing.")

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self):
        return f"903 import {self.year or ''} at {self.imported_at:%Y-%m-%d %H:%M}".replace("  ", " ")
