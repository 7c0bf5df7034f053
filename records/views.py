"""Records management pages, for the IRO service manager and admins: subject access exports, legal
holds, the retention schedule, what it would do today, its runs and tombstones; and, for admins
only, changing the schedule and erasure on request. Thin views over records.services and
records.selectors."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.access import role_required
from core.errors import DomainError, NotPermitted
from core.forms import add_domain_error, error_summary
from core.once import FIELD as ONCE
from core.once import once_run, once_seen
from escalations.selectors import escalation_by_reference
from people.access import OVERSIGHT
from people.models import Role
from records import selectors, services
from records.classes import CLASSES, FIXED
from records.export import zip_name
from records.forms import (
    ErasureDecideForm,
    ErasureRequestForm,
    ExportStartForm,
    HoldForm,
    HoldLiftForm,
    RuleForm,
)
from records.models import ErasureRequest, ErasureStatus, LegalHold, RetentionRun, SubjectAccessExport

ADMINS = (Role.ADMIN,)  # changing the retention schedule, and erasure on request
TOMBSTONES_PER_PAGE = 100


def _seen(request):
    return once_seen(key=request.POST.get(ONCE), user=request.user) if request.method == "POST" else None


def _form_page(request, template, form, context=None):
    context = {"form": form, "errors": error_summary(form), **(context or {})}
    return render(request, template, context, status=400 if form.errors else 200)


@role_required(*OVERSIGHT)
def index(request):
    return render(
        request,
        "records/index.html",
        {
            "is_admin": request.user.role == Role.ADMIN,
            "holds": selectors.legal_holds_active().count(),
            "pending_erasures": selectors.erasure_requests_pending().count(),
        },
    )


# --- subject access exports --------------------------------------------------------------------------


@role_required(*OVERSIGHT)
def exports(request):
    if seen := _seen(request):
        return redirect(seen)
    form = ExportStartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = once_run(
                key=form.cleaned_data.get("once"),
                user=request.user,
                scope="records:exports",
                run=lambda: reverse(
                    "records:export",
                    args=[services.export_start(by=request.user, case_id=form.cleaned_data["case_id"]).pk],
                ),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect(result.path)
    context = {"exports": selectors.exports_recent(), "staff_names": settings.RECORDS_EXPORT_STAFF_NAMES}
    return _form_page(request, "records/exports.html", form, context)


def _export_or_404(pk: int) -> SubjectAccessExport:
    try:
        return selectors.export_find(pk)
    except SubjectAccessExport.DoesNotExist:
        raise Http404("No export found") from None


@role_required(*OVERSIGHT)
def export(request, pk: int):
    found = _export_or_404(pk)
    return render(request, "records/export.html", _export_context(request, found))


def _export_context(request, found, errors=()):
    return {
        "export": found,
        "may_download": selectors.export_may_download(found, user=request.user),
        "errors": list(errors),
    }


@require_POST
@role_required(*OVERSIGHT)
def export_download(request, pk: int):
    found = _export_or_404(pk)
    try:
        content = services.export_download(export=found, by=request.user, path=request.path)
    except DomainError as error:
        status = 403 if isinstance(error, NotPermitted) else 400
        errors = [{"message": error.message, "anchor": None}]
        return render(request, "records/export.html", _export_context(request, found, errors), status=status)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{zip_name(found.pk)}"'
    response["Cache-Control"] = "no-store"
    return response


# --- legal holds -------------------------------------------------------------------------------------------


@role_required(*OVERSIGHT)
def holds(request):
    if seen := _seen(request):
        return redirect(seen)
    form = HoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"].strip()
        escalation = escalation_by_reference(target)
        child = None if escalation else selectors.child_by_case_id(target)
        if escalation is None and child is None:
            form.add_error(
                "target", f"No child or escalation has the ID or reference '{target}'. Check it and try again."
            )
        else:
            try:
                once_run(
                    key=form.cleaned_data.get("once"),
                    user=request.user,
                    scope="records:holds",
                    run=lambda: (
                        services.legal_hold_place(
                            by=request.user, reason=form.cleaned_data["reason"], child=child, escalation=escalation
                        ),
                        reverse("records:holds"),
                    )[1],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                what = escalation.reference if escalation else f"case ID {child.case_id}"
                messages.success(request, f"The records of {what} are on hold.")
                return redirect("records:holds")
    return _form_page(
        request,
        "records/holds.html",
        form,
        {"active": selectors.legal_holds_active(), "lifted": selectors.legal_holds_lifted()},
    )


@role_required(*OVERSIGHT)
def hold_lift(request, pk: int):
    try:
        hold = selectors.legal_hold_find(pk)
    except LegalHold.DoesNotExist:
        raise Http404("No hold found") from None
    if seen := _seen(request):
        return redirect(seen)
    form = HoldLiftForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            once_run(
                key=form.cleaned_data.get("once"),
                user=request.user,
                scope=f"records:hold_lift:{hold.pk}",
                run=lambda: (
                    services.legal_hold_lift(hold=hold, by=request.user, reason=form.cleaned_data["reason"]),
                    reverse("records:holds"),
                )[1],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The hold was lifted.")
            return redirect("records:holds")
    return _form_page(request, "records/hold_lift.html", form, {"hold": hold})


# --- the retention schedule ---------------------------------------------------------------------------


@role_required(*OVERSIGHT)
def schedule(request):
    return render(
        request,
        "records/schedule.html",
        {
            "rules": list(selectors.retention_rules().values()),
            "fixed": FIXED,
            "case_record_age": selectors.case_record_age(),
            "is_admin": request.user.role == Role.ADMIN,
        },
    )


@role_required(*ADMINS)
def rule_change(request, record_class: str):
    if record_class not in CLASSES:
        raise Http404("No such record class")
    rule = selectors.retention_rule(record_class)
    if seen := _seen(request):
        return redirect(seen)
    initial = {"keep_for": rule.keep_for, "unit": rule.unit, "action": rule.action, "reason": rule.reason}
    form = RuleForm(request.POST if request.method == "POST" else None, info=rule.info, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            once_run(
                key=data.get("once"),
                user=request.user,
                scope=f"records:rule_change:{record_class}",
                run=lambda: (
                    services.retention_rule_update(
                        record_class=record_class,
                        by=request.user,
                        keep_for=data["keep_for"],
                        unit=data["unit"],
                        action=data["action"],
                        reason=data["reason"],
                    ),
                    reverse("records:schedule"),
                )[1],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"The rule for {rule.info.label.lower()} was changed.")
            return redirect("records:schedule")
    return _form_page(request, "records/rule_change.html", form, {"rule": rule})


@role_required(*OVERSIGHT)
def dry_run(request):
    plan = selectors.retention_plan()
    return render(
        request,
        "records/dry_run.html",
        {"plan": plan, "case_record_age": selectors.case_record_age(), "runs": selectors.retention_runs(limit=5)},
    )


@role_required(*OVERSIGHT)
def runs(request):
    return render(request, "records/runs.html", {"runs": selectors.retention_runs()})


@role_required(*OVERSIGHT)
def run(request, pk: int):
    try:
        found = selectors.retention_run_find(pk)
    except RetentionRun.DoesNotExist:
        raise Http404("No run found") from None
    page = Paginator(selectors.tombstones_of(found), TOMBSTONES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "records/run.html", {"run": found, "page": page})


# --- erasure on request (admins) ---------------------------------------------------------------------


@role_required(*ADMINS)
def erasures(request):
    if seen := _seen(request):
        return redirect(seen)
    form = ErasureRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = once_run(
                key=form.cleaned_data.get("once"),
                user=request.user,
                scope="records:erasures",
                run=lambda: reverse(
                    "records:erasure",
                    args=[
                        services.erasure_request(
                            by=request.user, case_id=form.cleaned_data["case_id"], reason=form.cleaned_data["reason"]
                        ).pk
                    ],
                ),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The erasure is waiting for a second admin's approval.")
            return redirect(result.path)
    return _form_page(request, "records/erasures.html", form, {"requests": selectors.erasure_requests()[:50]})


@role_required(*ADMINS)
def erasure(request, pk: int):
    try:
        found = selectors.erasure_find(pk)
    except ErasureRequest.DoesNotExist:
        raise Http404("No erasure request found") from None
    if seen := _seen(request):
        return redirect(seen)
    form = ErasureDecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            once_run(
                key=form.cleaned_data.get("once"),
                user=request.user,
                scope=f"records:erasure:{found.pk}",
                run=lambda: (
                    services.erasure_decide(
                        request=found, by=request.user, approve=approve, note=form.cleaned_data["note"]
                    ),
                    reverse("records:erasure", args=[found.pk]),
                )[1],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The child's records were erased." if approve else "The erasure was refused.")
            return redirect("records:erasure", pk=found.pk)
    scope = selectors.erasure_scope(child=found.child) if found.child_id else None
    decidable = found.status == ErasureStatus.PENDING and found.requested_by_id != request.user.pk
    return _form_page(
        request, "records/erasure.html", form, {"request_": found, "scope": scope, "decidable": decidable}
    )
