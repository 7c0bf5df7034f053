"""Who may use which pages, by role. Object-level rules live in each app's selectors."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from people.models import Role

REPORT_READERS = (Role.SERVICE_MANAGER, Role.ADMIN, Role.REPORT_VIEWER)
REPORT_MANAGERS = (Role.SERVICE_MANAGER, Role.ADMIN)


def role_required(*roles):
    """Signed-in users with one of ``roles`` only; anyone else gets 403 (a page their role may never use)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Who may use which pages. Which objects each person sees is decided in the selectors
# (children.selectors.child_visible_to, escalations.selectors.escalation_visible_to).
CASEWORKERS = (Role.IRO, Role.MANAGER, Role.SERVICE_MANAGER, Role.ADMIN)  # child and escalation pages
IRO_SIDE = (Role.IRO, Role.SERVICE_MANAGER, Role.ADMIN)  # resolve, escalate, reassign, Cafcass, withdraw
RESPONDERS = (Role.MANAGER, Role.SERVICE_MANAGER, Role.ADMIN)  # acknowledge, respond
OVERSIGHT = (Role.SERVICE_MANAGER, Role.ADMIN)  # all escalations, dashboard, access log
