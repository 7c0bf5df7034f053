"""Pages for notices: each person's email settings; the service manager's list of notices that could
not be sent, with a retry; and, in development only, the emails the service has sent."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.access import role_required
from core.forms import error_summary
from core.paging import CappedPaginator
from notices.forms import PreferenceForm
from notices.models import Notice, NoticeStatus
from notices.selectors import notice_preference_for, notices_failed, notices_held_for, notices_sent
from notices.services import notice_preference_set, notice_retry
from people.access import OVERSIGHT

PAGE_SIZE = 25


@login_required
def preferences(request):
    preference = notice_preference_for(request.user)
    form = PreferenceForm(
        request.POST or None, initial={"addressed": preference.addressed, "others": preference.others}
    )
    if request.method == "POST" and form.is_valid():
        notice_preference_set(user=request.user, **form.cleaned_data)
        messages.success(request, "Your email settings were saved.")
        return redirect("notices:settings")
    context = {
        "form": form,
        "errors": error_summary(form),
        "held": notices_held_for(request.user).count(),
        "email": request.user.email,
    }
    return render(request, "notices/settings.html", context, status=400 if form.errors else 200)


@role_required(*OVERSIGHT)
def failed(request):
    page = CappedPaginator(notices_failed(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notices/failed.html", {"page": page})


@require_POST
@role_required(*OVERSIGHT)
def retry(request, pk: int):
    notice = get_object_or_404(Notice, pk=pk)
    notice = notice_retry(notice=notice)
    if notice.status == NoticeStatus.PENDING:
        messages.success(request, f"The email to {notice.recipient} will be sent again now.")
    else:
        messages.info(request, f"The email to {notice.recipient} had already been dealt with.")
    return redirect("notices:failed")


@login_required
def sent(request):
    """Development only (DEBUG): what the service has sent, for trying it out without a mail server."""
    if not settings.DEBUG:
        raise Http404("This page exists only in development.")
    page = CappedPaginator(notices_sent(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notices/sent.html", {"page": page})
