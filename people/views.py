"""Managers' absences: who is away, and who covers for them. A manager records their own; the IRO
service manager and admins record anyone's."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.access import role_required
from core.errors import DomainError, NotPermitted
from core.forms import add_domain_error, error_summary
from core.once import FIELD as ONCE
from core.once import once_run, once_seen
from ladder.selectors import stage_list
from people.access import RESPONDERS
from people.forms import AbsenceForm
from people.models import Absence, Role
from people.selectors import absence_list, manager_list
from people.services import absence_cancel, absence_record


@role_required(*RESPONDERS)
def absences(request):
    today = timezone.localdate()
    if request.user.role == Role.MANAGER:
        managers = [request.user]
        delegates = list(manager_list(stages=[request.user.stage], exclude=request.user))
        listed = absence_list(manager=request.user, from_day=today)
    else:
        managers = delegates = list(manager_list(stages=stage_list()))
        listed = absence_list(from_day=today)
    seen = once_seen(key=request.POST.get(ONCE), user=request.user) if request.method == "POST" else None
    if seen:
        return redirect(seen)
    form = AbsenceForm(request.POST if request.method == "POST" else None, managers=managers, delegates=delegates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            once_run(
                key=data.get("once"),
                user=request.user,
                scope="people:absences",
                run=lambda: (
                    absence_record(
                        by=request.user,
                        manager=data["manager_obj"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        delegate=data["delegate_obj"],
                    ),
                    reverse("people:absences"),
                )[1],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{data['manager_obj']} is recorded as away. {data['delegate_obj']} covers.")
            return redirect("people:absences")
    context = {"form": form, "errors": error_summary(form), "absences": listed}
    return render(request, "people/absences.html", context, status=400 if form.errors else 200)


@require_POST
@role_required(*RESPONDERS)
def absence_end(request, pk: int):
    try:
        absence = Absence.objects.get(pk=pk)
    except Absence.DoesNotExist:
        raise Http404("No absence found") from None
    try:
        absence_cancel(by=request.user, absence=absence)
    except NotPermitted:
        raise Http404("No absence found") from None  # someone else's: not revealed
    messages.success(request, f"{absence.manager}'s absence was cancelled.")
    return redirect("people:absences")
