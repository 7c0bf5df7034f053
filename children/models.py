from django.db import models
from django.db.models import Case, F, IntegerField, Value, When
from simple_history.models import HistoricalRecords

from core.shown import child_shown

# The lists' order: children with a name first (0), those with none recorded after (1), then by last
# and first name and case ID (children.selectors.child_named_first). Indexed, so a page of the list
# reads its own rows.
UNNAMED = Case(When(first_name="", last_name="", then=Value(1)), default=Value(0), output_field=IntegerField())


class SiblingGroup(models.Model):
    name = models.CharField(max_length=120, unique=True, help_text="An internal label, not a family name.")

    history = HistoricalRecords()

    def __str__(self):
        return self.name


class Sex(models.TextChoices):
    MALE = "1", "Male"
    FEMALE = "2", "Female"


class Child(models.Model):
    """A looked-after child, as known to the case management system."""

    case_id = models.CharField("case-management ID", max_length=40, unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    legal_status = models.CharField(max_length=4, blank=True, help_text="SSDA903 LS code, e.g. C2 or V2.")
    looked_after_from = models.DateField(null=True, blank=True)
    looked_after_to = models.DateField(null=True, blank=True)
    social_worker = models.CharField("allocated social worker", max_length=200, blank=True)
    team = models.ForeignKey("people.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    iro = models.ForeignKey(
        "people.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseload",
        limit_choices_to={"role": "iro"},
        db_index=False,  # child_caseload_order_idx starts with it
    )
    sibling_group = models.ForeignKey(
        SiblingGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    details_to_complete = models.BooleanField(
        default=False, help_text="Created from an import with only an ID: the record needs completing."
    )

    history = HistoricalRecords()

    @classmethod
    def from_db(cls, db, field_names, values):
        """Every child read during a signed-in page is noted for the access log (core/shown.py)."""
        instance = super().from_db(db, field_names, values)
        child_shown(instance.pk)
        return instance

    class Meta:
        verbose_name_plural = "children"
        ordering = ["last_name", "first_name", "case_id"]
        indexes = [
            # My children (an IRO's caseload) and Children (every child), in the lists' order.
            models.Index(
                F("iro"), UNNAMED, F("last_name"), F("first_name"), F("case_id"), name="child_caseload_order_idx"
            ),
            models.Index(UNNAMED, F("last_name"), F("first_name"), F("case_id"), name="child_list_order_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(looked_after_to__isnull=True)
                | models.Q(looked_after_from__isnull=True)
                | models.Q(looked_after_to__gte=models.F("looked_after_from")),
                name="child_looked_after_period_in_order",
                violation_error_message=(
                    "The date the child stopped being looked after is before they became looked after."
                ),
            ),
        ]

    def __str__(self):
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} ({self.case_id})" if name else self.case_id

    @property
    def display_name(self) -> str:
        """The child's name as lists show it; never empty (a child imported with only an ID)."""
        name = f"{self.first_name} {self.last_name}".strip()
        return name or f"Name not recorded (case ID {self.case_id})"

    def was_looked_after_on(self, day) -> bool | None:
        """Whether the record shows the child looked after on ``day``; None when it cannot say."""
        if self.looked_after_from is None:
            return None
        if day < self.looked_after_from:
            return False
        return self.looked_after_to is None or day <= self.looked_after_to
