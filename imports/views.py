"""Upload an escalation log: preview (nothing stored), then confirm (the very same file, checked
by its SHA-256 hash), which starts an import job and shows its progress. Thin views over
imports.services and imports.selectors."""

import hashlib

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.access import REPORT_MANAGERS, role_required
from core.errors import DomainError
from core.forms import error_summary
from imports.forms import UploadForm
from imports.progress import upload_dir
from imports.selectors import import_job_find, import_job_state, import_jobs_recent
from imports.services import ImportRejected, escalation_log_import, import_job_create, import_job_start

SESSION_KEY = "escalation_log_upload"
PROBLEMS_SHOWN = 50


@role_required(*REPORT_MANAGERS)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "jobs": import_jobs_recent()}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        digest = hashlib.sha256(data).hexdigest()
        (upload_dir() / digest).write_bytes(data)
        pending = {
            "sha256": digest, "filename": form.cleaned_data["file"].name, "sheet": form.cleaned_data["sheet"],
            "encoding": form.cleaned_data["encoding"], "create_missing": form.cleaned_data["create_missing"],
        }
        try:
            result = escalation_log_import(
                data=data, filename=pending["filename"], by=request.user, dry_run=True,
                create_missing=pending["create_missing"], sheet=pending["sheet"] or None,
                encoding=pending["encoding"] or None,
            )
        except ImportRejected as rejected:
            context["problems"] = rejected.problems
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            request.session[SESSION_KEY] = pending
            return render(request, "imports/preview.html", {"result": result, "pending": pending})
    context["errors"] = error_summary(form) if form.is_bound else []
    if context.get("problems"):
        context["errors"] += [{"message": problem, "anchor": None} for problem in context["problems"][:PROBLEMS_SHOWN]]
    return render(request, "imports/upload.html", context, status=400 if form.is_bound and context["errors"] else 200)


def _refused(request, message: str):
    return render(request, "imports/upload.html", {
        "form": UploadForm(), "jobs": import_jobs_recent(), "errors": [{"message": message, "anchor": None}],
    }, status=400)


@require_POST
@role_required(*REPORT_MANAGERS)
def confirm(request):
    pending = request.session.get(SESSION_KEY)
    if not pending or request.POST.get("sha256") != pending["sha256"]:
        return _refused(request, "The file to import has changed since its preview, or there is no preview. "
                                 "Upload the file again.")
    path = upload_dir() / pending["sha256"]
    data = path.read_bytes() if path.exists() else b""
    if hashlib.sha256(data).hexdigest() != pending["sha256"]:
        return _refused(request, "The uploaded file is no longer the file you previewed. Upload it again.")
    job = import_job_create(
        by=request.user, data=data, filename=pending["filename"], sheet=pending["sheet"] or "",
        encoding=pending["encoding"] or "", create_missing=pending["create_missing"],
    )
    del request.session[SESSION_KEY]
    path.unlink(missing_ok=True)
    import_job_start(job=job)
    return redirect("imports:job", pk=job.pk)


@require_GET
@role_required(*REPORT_MANAGERS)
def job(request, pk: int):
    state = import_job_state(import_job_find(pk))
    return render(request, "imports/job.html", {"state": state, "problems_shown": PROBLEMS_SHOWN})


@require_GET
@role_required(*REPORT_MANAGERS)
def job_progress(request, pk: int):
    """The changing part of the job page, fetched by imports/job-progress.js while the job runs."""
    state = import_job_state(import_job_find(pk))
    return render(request, "imports/includes/job_state.html", {"state": state, "problems_shown": PROBLEMS_SHOWN})
