"""The service manager's upload of the case-management extract: the CSV files, checked and imported
within the request (extract.services.extract_import), or every problem listed, naming the file, row
and column, with nothing stored."""

from django.contrib import messages
from django.shortcuts import redirect, render

from core.access import role_required
from core.errors import DomainError
from core.forms import error_summary
from extract.forms import ExtractUploadForm
from extract.selectors import extract_runs_recent
from extract.services import FILES, ExtractInvalid, extract_import
from people.access import REPORT_MANAGERS

PROBLEMS_SHOWN = 50
RECENT_RUNS = 10


def _anchor(message: str) -> str | None:
    """The file input a problem is about: its message starts with the file's name."""
    for extract_file in FILES:
        if message.startswith(extract_file.filename):
            return f"id_{extract_file.name}"
    return "id_mapping" if message.startswith("Mapping file") or message.startswith("The mapping") else None


@role_required(*REPORT_MANAGERS)
def upload(request):
    posted = request.method == "POST"
    form = ExtractUploadForm(request.POST if posted else None, request.FILES if posted else None)
    errors, more = [], 0
    if posted and form.is_valid():
        uploads = {f.filename: form.cleaned_data.get(f.name) for f in FILES}
        files = {name: upload.read() for name, upload in uploads.items() if upload}
        mapping = form.cleaned_data.get("mapping")
        try:
            mapping_text = mapping.read().decode("utf-8-sig") if mapping else None
            result = extract_import(
                files=files,
                mapping_text=mapping_text,
                source="Uploaded: " + ", ".join(f"{u.name} as {name}" for name, u in uploads.items() if u),
                by=request.user,
            )
        except UnicodeDecodeError:
            errors = [{"message": "The mapping file is not UTF-8: save it as UTF-8.", "anchor": "id_mapping"}]
        except ExtractInvalid as invalid:
            errors = [{"message": m, "anchor": _anchor(m)} for m in invalid.errors[:PROBLEMS_SHOWN]]
            more = len(invalid.errors) - len(errors)
        except DomainError as error:
            errors = [{"message": error.message, "anchor": None}]
        else:
            done = ", ".join(
                f"{name.replace('_', ' ')}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged"
                for name, c in result.counts.items()
            )
            messages.success(request, f"The extract was imported. {done}.")
            return redirect("extract:upload")
    elif form.is_bound:
        errors = error_summary(form)
    context = {
        "form": form,
        "errors": errors,
        "more": more,
        "runs": extract_runs_recent(limit=RECENT_RUNS),
    }
    return render(request, "extract/upload.html", context, status=400 if errors else 200)
