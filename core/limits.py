"""Limits on what a request may send (README "Limits on input").

Two middlewares, placed straight after Django's ``AuthenticationMiddleware`` (which reads nothing
but the session), so they run before anything reads the body (the CSRF check, the forms):

- :class:`BodyLimitMiddleware` refuses from the Content-Length alone a body over
  ``REQUEST_BODY_MAX_BYTES``, and an anonymous one over ``ANONYMOUS_BODY_MAX_BYTES``: a 413 page,
  the body never read;
- :class:`PostRateLimitMiddleware` allows a signed-in person ``POST_RATE_LIMIT_PER_MINUTE`` POSTs a
  minute (Django's cache): a 429 page beyond it.

The API (``/api/``) has its own rules for both: Django REST framework authenticates the key or the
session before anything reads the body, and throttles each key and person itself (``API_THROTTLE_RATE``,
a 429 problem). So only the overall body limit applies to it here.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def _too_large(request, limit: int, signed_in: bool):
    return render(
        request,
        "core/too_large.html",
        {"limit_words": _size_words(limit), "signed_in": signed_in},
        status=413,
    )


def _for_the_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


API_PREFIX = "/api/"


def _size_words(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):,.0f} MB"
    return f"{max(size // 1024, 1):,} KB"


class BodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length:
            if length > settings.REQUEST_BODY_MAX_BYTES:
                return _too_large(request, settings.REQUEST_BODY_MAX_BYTES, request.user.is_authenticated)
            if (
                length > settings.ANONYMOUS_BODY_MAX_BYTES
                and not request.user.is_authenticated
                and not _for_the_api(request)
            ):
                return _too_large(request, settings.ANONYMOUS_BODY_MAX_BYTES, False)
        return self.get_response(request)


class PostRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "POST"
            and request.user.is_authenticated
            and not _for_the_api(request)
            and post_rate_exceeded(request.user.pk)
        ):
            response = render(
                request, "core/too_many.html", {"per_minute": settings.POST_RATE_LIMIT_PER_MINUTE}, status=429
            )
            response["Retry-After"] = "60"
            return response
        return self.get_response(request)


def post_rate_exceeded(user_id: int, *, now: float | None = None) -> bool:
    """Count one POST by ``user_id`` in this minute; whether it is over the limit."""
    minute = int((now if now is not None else time.time()) // 60)
    key = f"post-rate:{user_id}:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > settings.POST_RATE_LIMIT_PER_MINUTE
