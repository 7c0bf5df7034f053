"""API keys for service accounts, and the record of every use of one.

A key (:class:`ServiceKey`) belongs to one account and has one scope (``api.scopes``). It is shown
once, when it is made, and stored hashed (djangorestframework-api-key: a prefix to find it and a
SHA-512 hash of the whole key). Keys are made and revoked by admins (the Django admin, or the
``api_key_create`` and ``api_key_revoke`` commands), through ``api.services``.
"""

from django.db import models
from rest_framework_api_key.models import AbstractAPIKey
from simple_history.models import HistoricalRecords

from api.scopes import Scope


class ServiceKey(AbstractAPIKey):
    user = models.ForeignKey(
        "people.User",
        on_delete=models.PROTECT,
        related_name="api_keys",
        help_text="The account the key acts as: what it may see and do is that account's.",
    )
    scope = models.CharField(max_length=20, choices=Scope.choices)
    created_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("people.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords(excluded_fields=["hashed_key"], no_db_index=["user", "created_by", "revoked_by"])

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"

    def __str__(self):
        return f"{self.name} ({self.prefix}, {self.scope})"

    @property
    def label(self) -> str:
        """How the access log and the use log name the key: its prefix and name, never the secret."""
        return f"API key {self.prefix} ({self.name})"


class KeyUse(models.Model):
    """One request made with a key: when, what (method and path, never the query string, which can
    carry a case ID) and the answer's status. Append-only (PostgreSQL refuses UPDATE and DELETE)."""

    APPEND_ONLY = True  # audit.services.audit_protect_tables puts the append-only trigger on it

    key = models.ForeignKey(ServiceKey, on_delete=models.PROTECT, related_name="uses", db_index=False)
    at = models.DateTimeField()
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["key", "at"], name="keyuse_key_at_idx")]

    def __str__(self):
        return f"{self.method} {self.path} {self.status}"
