"""Upload an escalation log: a preview job checks every row and stores nothing, and its page
shows its progress, then what would be imported; confirming it imports the very same file
(checked by its SHA-256 hash) as a second job, whose page shows its progress in turn. Thin views
over imports.services and imports.selectors."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.access import role_required
from core.errors import DomainError
from core.forms import error_summary
from imports.forms import UploadForm
from imports.jobs import AlreadyConfirmed, import_job_confirm, import_job_create, import_job_retry, import_job_start
from imports.selectors import import_job_find, import_job_state, import_jobs_recent
from people.access import REPORT_MANAGERS

PROBLEMS_SHOWN = 50


@role_required(*REPORT_MANAGERS)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None, initial=_options_of(request.GET.get("again")))
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            by=request.user,
            data=form.cleaned_data["file"].read(),
            filename=form.cleaned_data["file"].name,
            sheet=form.cleaned_data["sheet"],
            encoding=form.cleaned_data["encoding"],
            create_missing=form.cleaned_data["create_missing"],
            mapping=form.cleaned_data["mapping"],
            dry_run=True,
        )
        import_job_start(job=job)
        return redirect("imports:job", pk=job.pk)
    errors = error_summary(form) if form.is_bound else []
    return render(
        request,
        "imports/upload.html",
        {"form": form, "jobs": import_jobs_recent(), "errors": errors},
        status=400 if errors else 200,
    )


def _options_of(job_id: str | None) -> dict:
    """The options a job was uploaded with, to choose again with the file ("Upload the file again")."""
    if not (job_id or "").isdigit():
        return {}
    job = import_job_find(int(job_id))
    return {"sheet": job.sheet, "encoding": job.encoding, "create_missing": job.create_missing}


@require_POST
@role_required(*REPORT_MANAGERS)
def confirm(request, pk: int):
    preview = import_job_find(pk)
    try:
        job = import_job_confirm(preview=preview, by=request.user, sha256=request.POST.get("sha256", ""))
    except AlreadyConfirmed as already:  # a second click: show the import the first one started
        return redirect("imports:job", pk=already.job.pk)
    except DomainError as error:
        return render(
            request,
            "imports/job.html",
            {
                "state": import_job_state(preview),
                "problems_shown": PROBLEMS_SHOWN,
                "errors": [{"message": error.message, "anchor": None}],
            },
            status=400,
        )
    import_job_start(job=job)
    return redirect("imports:job", pk=job.pk)


@require_POST
@role_required(*REPORT_MANAGERS)
def retry(request, pk: int):
    """Run again a job whose worker stopped before it finished."""
    job = import_job_find(pk)
    try:
        import_job_retry(job=job)
    except DomainError as error:
        return render(
            request,
            "imports/job.html",
            {
                "state": import_job_state(job),
                "problems_shown": PROBLEMS_SHOWN,
                "errors": [{"message": error.message, "anchor": None}],
            },
            status=400,
        )
    return redirect("imports:job", pk=job.pk)


@require_GET
@role_required(*REPORT_MANAGERS)
def job(request, pk: int):
    state = import_job_state(import_job_find(pk))
    return render(request, "imports/job.html", {"state": state, "problems_shown": PROBLEMS_SHOWN})


@require_GET
@role_required(*REPORT_MANAGERS)
def job_progress(request, pk: int):
    """The changing part of the job page, fetched by static/js/job-progress.js while the job runs."""
    state = import_job_state(import_job_find(pk))
    return render(request, "imports/includes/job_state.html", {"state": state, "problems_shown": PROBLEMS_SHOWN})
