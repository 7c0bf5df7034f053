"""Throttling per key (DRF's SimpleRateThrottle): each key, or each signed-in person, may make
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api"]`` requests (``API_THROTTLE_RATE``, 600 a minute by
default); beyond that the answer is 429 with ``Retry-After``. The counts are kept in Django's cache,
which is each process's own memory unless a shared cache is configured."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.permissions import request_key


class KeyRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        # Read at each request, not once at import, so a changed setting (a test's) applies.
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        key = request_key(request)
        if key is not None:
            ident = f"key-{key.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
