"""Middleware for every request: one log line each, with a request ID, and the security headers
Django and django-csp do not set (README "Deploying")."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings

from core.changes import data_version, data_version_remembered

logger = logging.getLogger("iro.requests")

# An ID the proxy gave (nginx's $request_id), if it looks like one; otherwise ours.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLogMiddleware:
    """One line per request: method, path (never the query string, which may hold a search for a
    child's name), the view's route, status, time taken, the user's ID and the request ID, which is
    also sent back as ``X-Request-ID`` so a person reporting a problem can quote it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request.request_id,
                "method": request.method,
                "path": request.path,
                "route": match.route if match else "",
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        return response


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` on every response, and ``Cache-Control: no-store`` on every response to
    someone signed in (their pages and downloads hold children's data: no browser or proxy may keep
    them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response


class DataVersionMiddleware:
    """A GET or HEAD in a session reads the data version once, first, before anything reads a
    record (even the signed-in person: this comes before AuthenticationMiddleware), and every kept
    part of the page is keyed by that one reading (``core.changes.data_version_remembered``).
    Whatever the page then reads is as new as that version or newer, so a part made from it is
    never kept under a version newer than what it shows, even when a write commits during the
    request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return self.get_response(request)
        with data_version_remembered():
            data_version()
            return self.get_response(request)
