"""The access log, written in one place: after every signed-in GET or HEAD answered with a page
(2xx), one entry for each child whose record it read (``core.shown``). Views that log more (the
escalation page, which logs the escalation with its children) call ``access_log_record`` themselves;
the children they logged are not logged twice."""

from __future__ import annotations

from audit.services import access_log_children_shown
from core.shown import Shown, children_unwatch, children_watch


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        shown = Shown()
        token = children_watch(shown)
        try:
            response = self.get_response(request)
        finally:
            children_unwatch(token)
        user = getattr(request, "user", None)
        children = shown.unlogged()
        if children and user is not None and user.is_authenticated and 200 <= response.status_code < 300:
            access_log_children_shown(user=user, path=request.path, children=children)
        return response
