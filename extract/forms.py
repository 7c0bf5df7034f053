from django import forms

from core.validation import TextCheckedForm

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_MAPPING_BYTES = 1024 * 1024


class ExtractUploadForm(TextCheckedForm, forms.Form):
    """The extract's CSV files (any of them) and an optional mapping file."""

    visits = forms.FileField(
        label="Visits (visits.csv)", required=False, help_text="Social worker visits. A CSV file in UTF-8."
    )
    care_plans = forms.FileField(
        label="Care plans (care_plans.csv)", required=False, help_text="Care plans on the system. A CSV file in UTF-8."
    )
    allocations = forms.FileField(
        label="Allocated workers (allocations.csv)",
        required=False,
        help_text="Allocations of the child's social worker. A CSV file in UTF-8.",
    )
    mapping = forms.FileField(
        label="Mapping file (optional)",
        required=False,
        help_text="A YAML file naming the council's columns, when they are not the extract's or the SSD's names.",
    )

    FILES = ("visits", "care_plans", "allocations")

    def _check(self, name, *, suffixes, limit, what):
        upload = self.cleaned_data.get(name)
        if upload is None:
            return None
        if not upload.name.lower().endswith(suffixes):
            raise forms.ValidationError(f"{upload.name} is not {what}.")
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name} is larger than {limit // (1024 * 1024)} MB. Import the extract with the "
                "import_case_extract command instead."
            )
        return upload

    def clean_visits(self):
        return self._check("visits", suffixes=(".csv",), limit=MAX_FILE_BYTES, what="a CSV file")

    def clean_care_plans(self):
        return self._check("care_plans", suffixes=(".csv",), limit=MAX_FILE_BYTES, what="a CSV file")

    def clean_allocations(self):
        return self._check("allocations", suffixes=(".csv",), limit=MAX_FILE_BYTES, what="a CSV file")

    def clean_mapping(self):
        return self._check("mapping", suffixes=(".yaml", ".yml"), limit=MAX_MAPPING_BYTES, what="a YAML file")

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(name) for name in self.FILES):
            self.add_error("visits", "Choose at least one of the extract's files")
        return data
