from django import forms

from core.validation import TextCheckedForm, text_problem
from imports.models import ImportJob
from imports.parsing import FileProblem, mapping_load

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_MAPPING_BYTES = 1024 * 1024


class UploadForm(TextCheckedForm, forms.Form):
    file = forms.FileField(label="Escalation log", help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx)")
    sheet = forms.CharField(
        label="Sheet (optional)",
        required=False,
        max_length=ImportJob._meta.get_field("sheet").max_length,
        help_text="For a workbook: the sheet to read. Leave empty for the first.",
    )
    encoding = forms.CharField(
        label="Encoding (optional)",
        required=False,
        max_length=ImportJob._meta.get_field("encoding").max_length,
        help_text="Only for a CSV file that is not UTF-8, for example cp1252.",
    )
    mapping = forms.FileField(
        label="Mapping file (optional)",
        required=False,
        help_text="A YAML file that maps your log's own headings and words to the service's (see the import guide).",
    )
    create_missing = forms.BooleanField(
        label="Create children and IROs the system does not know yet",
        required=False,
        help_text="Children are marked 'details to complete'; IROs are created as inactive users.",
    )

    def clean_mapping(self):
        upload = self.cleaned_data.get("mapping")
        if not upload:
            return ""
        if upload.size > MAX_MAPPING_BYTES:
            raise forms.ValidationError(
                "The mapping file is larger than 1 MB: a mapping file lists headings and words."
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                f"{upload.name} is not a text file in UTF-8. Save the mapping file as UTF-8."
            ) from None
        problem = text_problem(text, multiline=True)
        if problem:
            raise forms.ValidationError(f"The mapping file {problem}. Save it again as plain text.")
        try:
            mapping_load(text)
        except FileProblem as problem:
            raise forms.ValidationError(str(problem)) from None
        return text

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(f"{upload.name} is not a CSV or .xlsx file. Save the log as CSV or Excel.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB. Split the log into smaller files.")
        return upload
