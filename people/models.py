from django.contrib.auth.models import AbstractUser
from django.db import models
from simple_history.models import HistoricalRecords


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    IRO = "iro", "Independent reviewing officer"
    MANAGER = "manager", "Responding manager"
    SERVICE_MANAGER = "service_manager", "IRO service manager"
    REPORT_VIEWER = "report_viewer", "Report viewer"
    ADMIN = "admin", "Admin"


NAME_SORT_SEPARATOR = "\x01"  # below every character of a name, so "Lee" sorts before "Leeds"


def name_sort_key(*, last_name: str, first_name: str, username: str) -> str:
    """How people sort by name: surname, then first name, then username, ignoring case. One string,
    so that a list of escalations can keep its IRO's key and sort on an index
    (``Escalation.iro_sort_key``); compared by code point, as the database's C collation does."""
    return NAME_SORT_SEPARATOR.join(part.lower() for part in (last_name, first_name, username))


def name_sort_key_sql(alias: str) -> str:
    """:func:`name_sort_key` in SQL over the user table ``alias``, for the generators that write rows
    without the ORM (``bench/report_bench.py``, ``tests/escalations/test_plans.py``); SQL's lower()
    agrees with Python's for their ASCII names."""
    return f" || chr({ord(NAME_SORT_SEPARATOR)}) || ".join(
        f"lower({alias}.{column})" for column in ("last_name", "first_name", "username")
    )


class User(AbstractUser):
    """A member of staff. Managers respond at one stage of the ladder."""

    role = models.CharField(max_length=20, choices=Role.choices, db_index=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    stage = models.ForeignKey(
        "ladder.Stage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managers",
        help_text="For responding managers: the stage of the ladder they respond at.",
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="manager") | models.Q(stage__isnull=False),
                name="manager_has_stage",
                violation_error_message="A responding manager must have a stage.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def sort_key(self) -> str:
        return name_sort_key(last_name=self.last_name, first_name=self.first_name, username=self.username)

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.SERVICE_MANAGER, Role.ADMIN)


class Absence(models.Model):
    """A responding manager away from one day to another (both included), and who covers for them:
    an escalation sent to them while they are away goes to the delegate, and the timeline says so."""

    manager = models.ForeignKey(User, on_delete=models.PROTECT, related_name="absences")
    starts_on = models.DateField()
    ends_on = models.DateField()
    delegate = models.ForeignKey(User, on_delete=models.PROTECT, related_name="covering_for")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["manager", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="absence_ends_after_it_starts",
                violation_error_message="An absence ends on or after the day it starts.",
            ),
            models.CheckConstraint(
                condition=~models.Q(delegate=models.F("manager")),
                name="absence_delegate_is_someone_else",
                violation_error_message="Someone cannot cover for themselves.",
            ),
        ]

    def __str__(self):
        return f"{self.manager} away {self.starts_on} to {self.ends_on}, covered by {self.delegate}"
