import datetime as dt

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.views.decorators.http import require_GET, require_POST

from background.selectors import service_ready
from core.access import role_required
from core.forms import PasswordChangeForm, SignInForm, error_summary
from core.selectors import sign_in_failures_from_ip, sign_in_failures_recent
from core.sessions import session_touch
from people.access import OVERSIGHT, START_PAGES


@login_required
def home(request):
    name = START_PAGES.get(request.user.role)
    if name is None:  # e.g. a superuser made with createsuperuser, who has no role yet
        if request.user.is_staff:
            return redirect("admin:index")
        raise PermissionDenied("Your account has no role yet. Ask an administrator to give you one.")
    try:
        return redirect(reverse(name))
    except NoReverseMatch:  # the dashboard is not installed
        return redirect("children:list")


@require_POST
def session_keep_alive(request):
    """ "Stay signed in" from the session-timeout warning: the session is written now, which starts
    the inactivity count again (core.sessions); the answer says how long the session now has."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    session_touch(request.session, force=True)
    return JsonResponse({"signed_in": True, "expires_in": request.session.get_expiry_age()})


def _service_owner() -> dict:
    return {
        "council_name": settings.SERVICE_COUNCIL_NAME,
        "contact_email": settings.SERVICE_CONTACT_EMAIL,
        "dpo_email": settings.SERVICE_DPO_EMAIL,
        "timeout_minutes": settings.SESSION_COOKIE_AGE // 60,
    }


def accessibility_statement(request):
    return render(request, "core/accessibility.html", _service_owner())


def privacy_notice(request):
    return render(request, "core/privacy.html", _service_owner())


# --- sign-in protection (README "Sign-in protection") --------------------------------------------------


class ErrorSummaryMixin:
    """Django's own form views, with the GOV.UK error summary (``includes/error_summary.html``)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["errors"] = error_summary(context["form"])
        return context


class SignInView(ErrorSummaryMixin, auth_views.LoginView):
    """Django's sign-in, refused for the cool-off time from an IP address with
    SIGN_IN_IP_FAILURE_LIMIT failed sign-ins under any usernames (django-axes locks each username
    and IP pair on its own, after AXES_FAILURE_LIMIT)."""

    authentication_form = SignInForm

    def post(self, request, *args, **kwargs):
        if sign_in_failures_from_ip(get_client_ip_address(request)) >= settings.SIGN_IN_IP_FAILURE_LIMIT:
            return render(
                request,
                "registration/locked_out.html",
                {
                    "failure_limit": settings.SIGN_IN_IP_FAILURE_LIMIT,
                    "from_ip": True,
                    "cooloff_timedelta": dt.timedelta(hours=settings.AXES_COOLOFF_TIME),
                },
                status=429,
            )
        return super().post(request, *args, **kwargs)


FAILURES_PAGE_SIZE = 50


@role_required(*OVERSIGHT)
def sign_in_failures(request):
    """The service manager's list of recent failed sign-ins."""
    page = Paginator(sign_in_failures_recent(), FAILURES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/sign_in_failures.html", {"page": page, "ip_limit": settings.SIGN_IN_IP_FAILURE_LIMIT})


class PasswordChangeView(ErrorSummaryMixin, auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


# --- health checks (README "Deploying"): for the proxy and the orchestrator, signed out, saying
# nothing but whether the service can serve.


@require_GET
def healthz(request):
    """Alive: the web process answers."""
    return JsonResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


@require_GET
def readyz(request):
    """Ready: the database answers and a background worker has beaten lately."""
    ready = service_ready()
    return JsonResponse(
        {"status": "ok" if ready else "not ready"}, status=200 if ready else 503, headers={"Cache-Control": "no-store"}
    )
