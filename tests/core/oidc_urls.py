"""The project's URLs with single sign-on switched on, for tests/core/test_oidc.py (the real switch
is in core/urls.py, read once at start-up, and is tested in a fresh interpreter there)."""

from django.urls import path
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from core.oidc import CouncilAccountCallbackView
from iro_escalations.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("oidc/callback/", CouncilAccountCallbackView.as_view(), name="oidc_authentication_callback"),
    path("oidc/authenticate/", OIDCAuthenticationRequestView.as_view(), name="oidc_authentication_init"),
    *project_urlpatterns,
]
