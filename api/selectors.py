"""Reads for API keys."""

from __future__ import annotations

from django.db.models import Max, QuerySet

from api.models import KeyUse, ServiceKey
from api.scopes import scope_refusal


def api_key_for(secret: str) -> ServiceKey | None:
    """The usable key whose secret this is: not revoked, not expired, its account active and still one
    that may hold its scope (``api.scopes.scope_refusal``: an IRO who became a manager no longer acts
    through an iro-tools key); or None. The secret is checked against the stored hash only."""
    secret = (secret or "").strip()
    if not secret or "." not in secret or len(secret) > 200:
        return None
    prefix = secret.partition(".")[0]
    key = ServiceKey.objects.select_related("user").filter(prefix=prefix, revoked=False).first()
    if key is None or not key.is_valid(secret) or key.has_expired:
        return None
    if scope_refusal(key.scope, key.user) is not None:  # deactivated, or their role changed
        return None
    return key


def api_key_list() -> QuerySet[ServiceKey]:
    """Every key, newest first, with its account and when it was last used."""
    return ServiceKey.objects.select_related("user").annotate(last_used_at=Max("uses__at")).order_by("-created")


def api_key_uses(*, key: ServiceKey) -> QuerySet[KeyUse]:
    """What a key was used for, newest first."""
    return KeyUse.objects.filter(key=key).order_by("-at", "-pk")
