from django.db import models
from simple_history.models import HistoricalRecords


class ClosureDay(models.Model):
    """A local day the council is closed, on top of England's bank holidays."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d %B %Y}: {self.reason}"
