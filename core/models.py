from django.conf import settings
from django.db import models


class OnceKey(models.Model):
    """A one-time key a form carried (``core.once``): the change it asked for was made once, and
    this is where its result is, so a second submission of the same form shows that result."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=100, help_text="What the form was for, e.g. escalations:respond 12.")
    result_path = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user"], name="once_key_user_idx")]

    def __str__(self):
        return f"{self.scope} ({self.key})"


class DataVersion(models.Model):
    """The one row saying which version of the records the database holds (``core.changes``): a
    random ``epoch`` chosen when the row is made, and ``base``, the writing transactions counted
    before the last compaction. With the :class:`DataChange` rows since, it names the data that
    cached results were computed from."""

    epoch = models.CharField(max_length=32)
    base = models.BigIntegerField(default=0)


class DataChange(models.Model):
    """One row per committed transaction that wrote a watched table, written by the database's own
    triggers (``core.changes``), never by Python; folded into :class:`DataVersion` each night."""

    txid = models.BigIntegerField(primary_key=True)
