from django import forms

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label="Escalation log", help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx)")
    sheet = forms.CharField(
        label="Sheet (optional)",
        required=False,
        help_text="For a workbook: the sheet to read. Leave empty for the first.",
    )
    encoding = forms.CharField(
        label="Encoding (optional)",
        required=False,
        help_text="Only for a CSV file that is not UTF-8, for example cp1252.",
    )
    create_missing = forms.BooleanField(
        label="Create children and IROs the system does not know yet",
        required=False,
        help_text="Children are marked 'details to complete'; IROs are created as inactive users.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(f"{upload.name} is not a CSV or .xlsx file. Save the log as CSV or Excel.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB. Split the log into smaller files.")
        return upload
