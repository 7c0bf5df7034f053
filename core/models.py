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
