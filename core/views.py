from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from people.models import Role

# Where each role starts: the page they use most.
START_PAGES = {
    Role.IRO: "children:list",
    Role.MANAGER: "escalations:inbox",
    Role.SERVICE_MANAGER: "dashboard",
    Role.ADMIN: "dashboard",
    Role.REPORT_VIEWER: "reports:page",
}


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
