"""The case-management extract's tables (``drift-watch.md``): social worker visits, care plans and
allocated workers, as imported by :func:`extract.services.extract_import`.

Each row is keyed by its natural key: (child, visit date) for visits, (child, plan start) for care
plans, (child, worker, start) for allocations. The child is ``Child`` by its case-management ID
(the 903 ``CHILD``). Every create and change is audited (django-simple-history).
"""

from django.db import models
from simple_history.models import HistoricalRecords


class Visit(models.Model):
    """A statutory social worker visit (``visits.csv``; SSD ``ssd_cla_visits``)."""

    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="extract_visits", db_index=False
    )  # extract_visit_child_date_unique starts with it
    date = models.DateField("visit date")
    seen = models.BooleanField("child seen", null=True, blank=True, help_text="Blank: not recorded (counts as seen).")
    seen_alone = models.BooleanField("child seen alone", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "date"]
        constraints = [models.UniqueConstraint(fields=["child", "date"], name="extract_visit_child_date_unique")]

    def __str__(self):
        return f"Visit {self.child_id} on {self.date}"


class CarePlan(models.Model):
    """A care plan on the case-management system (``care_plans.csv``; SSD ``ssd_cla_care_plan``)."""

    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="extract_care_plans", db_index=False
    )  # extract_care_plan_child_start_unique starts with it
    start = models.DateField("plan start", help_text="The date the care plan took effect.")
    end = models.DateField("plan end", null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "start"]
        constraints = [
            models.UniqueConstraint(fields=["child", "start"], name="extract_care_plan_child_start_unique"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="extract_care_plan_ends_after_start",
                violation_error_message="The care plan ends before it starts.",
            ),
        ]

    def __str__(self):
        return f"Care plan {self.child_id} from {self.start}"


class Allocation(models.Model):
    """An allocated social worker (``allocations.csv``; SSD ``ssd_involvements``)."""

    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="extract_allocations", db_index=False
    )  # extract_allocation_unique starts with it
    worker = models.CharField(max_length=200, help_text="The worker's name or ID.")
    role = models.CharField(max_length=100, blank=True, help_text="Shown; not used by the drift watch's rules.")
    team = models.CharField(max_length=120, blank=True)
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Blank: still allocated.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["child", "start", "worker"]
        constraints = [
            models.UniqueConstraint(fields=["child", "worker", "start"], name="extract_allocation_unique"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="extract_allocation_ends_after_start",
                violation_error_message="The allocation ends before it starts.",
            ),
        ]

    def __str__(self):
        return f"Allocation {self.child_id}: {self.worker} from {self.start}"


class ExtractImportRun(models.Model):
    """One successful import of the extract: when, by whom, which files, and what it did. Written once.

    The drift watch reads ``tables`` to know which tables were ever imported: a rule whose table
    never was is "not evaluated", never read as "no visit"."""

    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=500, help_text="The directory, or the uploaded files' names.")
    tables = models.JSONField(help_text="The tables the import held: visits, care_plans, allocations.")
    counts = models.JSONField(help_text="Per table: created, updated, unchanged.")
    warnings = models.JSONField(help_text="The warnings, as shown to the person importing.")

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self):
        return f"Case-management extract import at {self.imported_at:%Y-%m-%d %H:%M}"
