from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class Stage(models.Model):
    """One rung of the council's dispute-resolution ladder, most junior first."""

    code = models.SlugField(max_length=50, unique=True, help_text="Stable identifier; never reused.")
    label = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(unique=True, help_text="Lower is more junior.")
    formal = models.BooleanField(help_text="Informal stages do not start the 20-working-day clock.")
    target_working_days = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text="Response target in working days after the day the step is sent.",
    )
    active = models.BooleanField(default=True, help_text="Retired stages stay in history.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]

    def __str__(self):
        return self.label


class LadderSettings(models.Model):
    """The ladder-wide timescales. There is exactly one row."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    first_response_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Target for the first reply, in elapsed hours."
    )
    process_cap_working_days = models.PositiveSmallIntegerField(
        default=20,
        help_text="The whole formal process, from the first formal step to resolution, in working days.",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "ladder settings"
        verbose_name_plural = "ladder settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="ladder_settings_singleton"),
        ]

    def __str__(self):
        return "Ladder settings"
