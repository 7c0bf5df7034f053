"""What a caller may use. Each operation names the key scopes that may call it and the roles whose
accounts may (a group from ``people.access``), as ``access = {method: (scopes, roles)}`` on its view.
A key needs both: its scope, and an account whose role may use the operation; a signed-in person
needs the role. Which objects they reach is decided by the selectors the views call, and who may
make which move on an escalation by ``escalations.states``."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from api.models import ServiceKey
from api.scopes import Scope


def request_key(request) -> ServiceKey | None:
    """The key the request was made with, if it was made with one."""
    auth = getattr(request, "_auth", None)
    return auth if isinstance(auth, ServiceKey) else None


class ScopeAndRole(BasePermission):
    message = "You do not have access to this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method not in view.access:
            return True  # a method the operation does not have: 405 follows
        scopes, roles = view.access[request.method]
        key = request_key(request)
        if key is not None and key.scope not in scopes:
            allowed = " or ".join(Scope(scope).value for scope in sorted(scopes))
            self.message = (
                f"A key with the {key.scope} scope cannot use this. It needs a key with the {allowed} scope."
                if scopes
                else "API keys cannot use this: sign in instead."
            )
            return False
        if user.role not in roles:
            self.message = (
                f"The account {'of this key' if key else 'you are signed in with'} ({user.get_role_display()}) "
                "does not give access to this."
            )
            return False
        return True
