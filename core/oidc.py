"""Optional single sign-on with the council's identity provider (mozilla-django-oidc).

Switched on by the ``OIDC_*`` environment variables (``iro_escalations/settings.py``, README "Single
sign-on"). The identity provider only proves who someone is: they sign in to the account that
already exists here with the same email address, with the role an administrator gave it. Nobody is
created from the identity provider, and an unknown, ambiguous or deactivated account is refused
with a message saying what to do.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

SIGN_IN_FAILED = (
    "We could not sign you in with your council account. Try again, or sign in with your username and password."
)
NO_EMAIL = (
    "Your council account did not tell us your email address, so we could not find your account "
    "here. Ask your IT service desk to release the email claim to IRO Escalations."
)
NO_ACCOUNT = (
    "There is no IRO Escalations account with the email address {email}. Ask your IRO service "
    "manager to add you, or to correct the email address on your account."
)
SEVERAL_ACCOUNTS = (
    "More than one IRO Escalations account has the email address {email}, so we cannot tell which "
    "is yours. Ask your IRO service manager to correct the accounts."
)
DEACTIVATED = (
    "Your IRO Escalations account has been deactivated. Ask your IRO service manager if you still need access."
)


class CouncilAccountBackend(OIDCAuthenticationBackend):
    """Signs in the existing, active user whose email matches the identity provider's."""

    def verify_token(self, token, **kwargs):
        """The library checks the ID token's signature and nonce; this also checks that it was
        issued to this service (its audience), which the library leaves out."""
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token (a signed userinfo answer is checked by the library only)
            audience = payload.get("aud")
            audiences = audience if isinstance(audience, list) else [audience]
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The ID token was not issued to this service (aud).")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        return self.user_for_claims(self.get_userinfo(access_token, id_token, payload))

    def user_for_claims(self, claims: dict):
        """The one active user with the claims' email address (any case), or None with the reason
        left on the request for the sign-in page."""
        email = (claims.get("email") or "").strip()
        if not email:
            return self._refuse(NO_EMAIL)
        users = list(self.filter_users_by_claims(claims)[:2])
        if not users:
            return self._refuse(NO_ACCOUNT.format(email=email))
        if len(users) > 1:
            return self._refuse(SEVERAL_ACCOUNTS.format(email=email))
        user = users[0]
        if not user.is_active:
            return self._refuse(DEACTIVATED)
        return self.update_user(user, claims)

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email).order_by("pk")

    def create_user(self, claims):
        raise NotImplementedError("Accounts are never created from the identity provider.")

    def _refuse(self, reason: str) -> None:
        request = getattr(self, "request", None)
        if request is not None:
            request.oidc_refusal = reason
        return None


class CouncilAccountCallbackView(OIDCAuthenticationCallbackView):
    """Back on the sign-in page after a failed single sign-on, saying why."""

    def login_failure(self):
        messages.error(self.request, getattr(self.request, "oidc_refusal", SIGN_IN_FAILED))
        return super().login_failure()
