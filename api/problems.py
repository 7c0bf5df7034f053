"""Errors as RFC 9457 problem details (``application/problem+json``), with field errors.

Every error the API gives is a problem: ``type`` (a URI naming the kind of problem), ``title``,
``status``, ``detail`` (what went wrong, in words a person can act on), ``instance`` (the path), and
for bad input ``errors``, one per field, parameter or header, each naming where (``pointer``, a JSON
pointer into the body such as ``#/children/2/case_id``; or ``parameter``; or ``header``) and what.

A :class:`core.errors.DomainError` from a service becomes a problem whose detail is its message:
400 (refused), 403 (``NotPermitted``), 409 (``IllegalMove``; a text of the committee paper not yet
checked), 412 (``StaleUpdate``, with what changed). Anything unexpected is logged (its type and
where, never its message, which could hold a child's details) and answered 500, still a problem.
"""

from __future__ import annotations

import logging
import math
import traceback

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from api.services import RowsRefused
from core.errors import DomainError, IllegalMove, NotPermitted, StaleUpdate
from reports.identifiers import TextNotClean

logger = logging.getLogger("api")

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"

# status -> (type, title) for the problems that have one kind only
KINDS = {
    400: ("invalid-request", "The request is not valid"),
    401: ("not-authenticated", "Not signed in or no valid API key"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Not possible now"),
    412: ("stale-version", "Changed since you read it"),
    415: ("unsupported-media-type", "Send JSON"),
    428: ("precondition-required", "If-Match is required"),
    429: ("throttled", "Too many requests"),
    500: ("server-error", "Something went wrong"),
}
REFUSED = ("refused", "Refused")  # a DomainError: the rules refuse it (400)
ILLEGAL_MOVE = ("illegal-move", "Not possible in the escalation's state")  # 409
TEXT_NOT_CHECKED = ("text-not-checked", "The committee paper is waiting to be checked")  # 409
PAPER_WAITING = (
    "A text in the committee paper is waiting to be checked by the IRO service manager, so the report cannot be "
    "given out yet. Try again once it has been checked."
)


class Problem(exceptions.APIException):
    """A problem raised by the API's own code, with a kind, a status and extra members."""

    def __init__(self, detail: str, *, status_code: int, kind: tuple[str, str] | None = None, **members):
        super().__init__(detail)
        self.status_code = status_code
        self.kind = kind or KINDS[status_code]
        self.members = members


def problem(status_code: int, detail: str, *, kind=None, instance: str = "", **members) -> dict:
    type_, title = kind or KINDS.get(status_code, ("error", "Error"))
    body = {"type": TYPE_BASE + type_, "title": title, "status": status_code, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update({name: value for name, value in members.items() if value is not None})
    return body


def field_errors(detail, path: tuple = ()) -> list[dict]:
    """DRF's nested validation errors as a flat list, each with the JSON pointer of its field. The
    query parameters and headers a view checks are named as such (``api.views``)."""
    if isinstance(detail, dict):
        return [error for key, value in detail.items() for error in field_errors(value, (*path, str(key)))]
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [_where(path) | {"detail": str(item)} for item in detail]
        return [error for index, value in enumerate(detail) for error in field_errors(value, (*path, str(index)))]
    return [_where(path) | {"detail": str(detail)}]


def _where(path: tuple) -> dict:
    if path and path[0] in ("parameter", "header"):
        return {path[0]: "/".join(path[1:])}
    if path and path[0] == "non_field_errors":
        path = path[1:]
    return {"pointer": "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path) if path else "#"}


def _summary(errors: list[dict]) -> str:
    parts = []
    for error in errors[:10]:
        where = error.get("parameter") or error.get("header") or error.get("pointer", "#").removeprefix("#/")
        parts.append(f"{where}: {error['detail']}" if where and where != "#" else error["detail"])
    more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
    return "; ".join(parts) + more


def problem_exception_handler(exc, context):
    request = context.get("request")
    instance = request.path if request is not None else ""
    headers = {}
    members = {}
    kind = None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    if isinstance(exc, Problem):
        code, detail, kind, members = exc.status_code, str(exc.detail), exc.kind, exc.members
    elif isinstance(exc, RowsRefused):
        errors = [
            {"pointer": f"#/children/{i}/{field}", "detail": message} for (i, field), message in exc.problems.items()
        ]
        code, detail, kind, members = status.HTTP_400_BAD_REQUEST, _summary(errors), REFUSED, {"errors": errors}
    elif isinstance(exc, TextNotClean):
        code, detail, kind = status.HTTP_409_CONFLICT, PAPER_WAITING, TEXT_NOT_CHECKED
    elif isinstance(exc, NotPermitted):
        code, detail = status.HTTP_403_FORBIDDEN, exc.message
    elif isinstance(exc, IllegalMove):
        code, detail, kind = status.HTTP_409_CONFLICT, exc.message, ILLEGAL_MOVE
    elif isinstance(exc, StaleUpdate):
        code, detail = status.HTTP_412_PRECONDITION_FAILED, exc.message
    elif isinstance(exc, DomainError):
        code, detail, kind = status.HTTP_400_BAD_REQUEST, exc.message, REFUSED
        if exc.field:
            members["errors"] = [{"pointer": f"#/{exc.field}", "detail": exc.message}]
    elif isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        code, detail, members = status.HTTP_400_BAD_REQUEST, _summary(errors), {"errors": errors}
    elif isinstance(exc, exceptions.APIException):
        code = exc.status_code
        detail = exc.detail if isinstance(exc.detail, str) else _summary(field_errors(exc.detail))
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if isinstance(exc, exceptions.Throttled):
            wait = exc.wait if exc.wait is not None else 1
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
            detail = f"Too many requests from this key. Try again in {headers['Retry-After']} seconds."
    else:
        frames = "; ".join(f"{f.filename}:{f.lineno} {f.name}" for f in traceback.extract_tb(exc.__traceback__)[-8:])
        logger.error("API error %s on %s %s at %s", type(exc).__name__, request.method, instance, frames)
        code, detail = status.HTTP_500_INTERNAL_SERVER_ERROR, "Something went wrong. It has been logged."
    set_rollback()
    body = problem(code, str(detail), kind=kind, instance=instance, **members)
    return Response(body, status=code, headers=headers, content_type=MEDIA_TYPE)
