"""Upload an escalation log: preview (nothing stored), then confirm (the very same file, checked
by its SHA-256 hash). Thin views over imports.services.escalation_log_import."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_POST

from core.access import REPORT_MANAGERS, role_required
from core.errors import DomainError
from core.forms import error_summary
from imports.forms import UploadForm
from imports.services import ImportRejected, escalation_log_import

SESSION_KEY = "escalation_log_upload"


def _upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _run(data: bytes, pending: dict, *, by, dry_run: bool):
    return escalation_log_import(
        data=data, filename=pending["filename"], by=by, dry_run=dry_run,
        create_missing=pending["create_missing"], sheet=pending["sheet"] or None, encoding=pending["encoding"] or None,
    )


@role_required(*REPORT_MANAGERS)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        digest = hashlib.sha256(data).hexdigest()
        (_upload_dir() / digest).write_bytes(data)
        pending = {
            "sha256": digest, "filename": form.cleaned_data["file"].name, "sheet": form.cleaned_data["sheet"],
            "encoding": form.cleaned_data["encoding"], "create_missing": form.cleaned_data["create_missing"],
        }
        try:
            result = _run(data, pending, by=request.user, dry_run=True)
        except ImportRejected as rejected:
            context["problems"] = rejected.problems
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            request.session[SESSION_KEY] = pending
            return render(request, "imports/preview.html", {"result": result, "pending": pending})
    context["errors"] = error_summary(form) if form.is_bound else []
    if context.get("problems"):
        context["errors"] += [{"message": problem, "anchor": None} for problem in context["problems"][:50]]
    return render(request, "imports/upload.html", context, status=400 if form.is_bound and context["errors"] else 200)


@require_POST
@role_required(*REPORT_MANAGERS)
def confirm(request):
    pending = request.session.get(SESSION_KEY)
    if not pending or request.POST.get("sha256") != pending["sha256"]:
        return render(request, "imports/upload.html", {
            "form": UploadForm(), "errors": [{"message": "The file to import has changed since its preview, or there "
                                                        "is no preview. Upload the file again.", "anchor": None}],
        }, status=400)
    path = _upload_dir() / pending["sha256"]
    data = path.read_bytes() if path.exists() else b""
    if hashlib.sha256(data).hexdigest() != pending["sha256"]:
        return render(request, "imports/upload.html", {
            "form": UploadForm(), "errors": [{"message": "The uploaded file is no longer the file you previewed. "
                                                        "Upload it again.", "anchor": None}],
        }, status=400)
    try:
        result = _run(data, pending, by=request.user, dry_run=False)
    except DomainError as error:
        problems = error.problems if isinstance(error, ImportRejected) else [error.message]
        return render(request, "imports/upload.html", {
            "form": UploadForm(), "problems": problems,
            "errors": [{"message": problem, "anchor": None} for problem in problems[:50]],
        }, status=400)
    del request.session[SESSION_KEY]
    path.unlink(missing_ok=True)
    return render(request, "imports/done.html", {"result": result, "pending": pending})
