from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from background.selectors import service_ready
from people.access import START_PAGES


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
    """ "Stay signed in" from the session-timeout warning: this request itself starts the inactivity
    count again (SESSION_SAVE_EVERY_REQUEST); the answer says how long the session now has."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    request.session.modified = True
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
