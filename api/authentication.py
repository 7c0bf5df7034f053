"""Who is calling: an API key (``Authorization: Api-Key <key>``), or a signed-in browser session
(DRF's SessionAuthentication, which enforces CSRF on every change)."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from api.selectors import api_key_for

KEYWORD = "Api-Key"


class ServiceKeyAuthentication(BaseAuthentication):
    """The key acts as its account: ``request.user`` is the account, ``request.auth`` the key."""

    def authenticate(self, request):
        header = get_authorization_header(request)
        keyword, _, secret = header.partition(b" ")
        if keyword.lower() != KEYWORD.lower().encode():
            return None
        key = api_key_for(secret.decode("latin-1"))
        if key is None:
            raise AuthenticationFailed(
                "This API key is not valid: it is unknown, revoked or expired, or its account is deactivated or "
                "no longer one that may hold it. Ask an admin for a new key."
            )
        return key.user, key

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'
