from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.core import signing

from core.errors import DomainError
from core.forms import GovukDateField
from core.validation import TextCheckedForm
from escalations.selectors import escalation_by_reference
from reports.models import Classification
from reports.periods import Period


class PeriodForm(TextCheckedForm, forms.Form):
    """A financial year, or a first and last day."""

    period = forms.ChoiceField(label="Financial year", required=False)
    start = forms.DateField(
        label="From",
        required=False,
        help_text="For example, 2015-04-01",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, years: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(year, year) for year in years]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        try:
            if start or end:
                if not (start and end):
                    raise DomainError(
                        "Enter both the first and the last day, or choose a financial year.",
                        field="end" if start else "start",
                    )
                data["chosen"] = Period.between(start, end)
            elif data.get("period"):
                data["chosen"] = Period.financial_year(data["period"])
            else:
                raise DomainError("Choose a financial year, or enter a first and last day.", field="period")
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


class IncludeStoryForm(TextCheckedForm, forms.Form):
    reference = forms.CharField(
        label="Escalation reference",
        max_length=40,
        help_text="The escalation the story is about, for example ESC-2015-00012",
    )

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        escalation = escalation_by_reference(reference)
        if escalation is None:
            raise forms.ValidationError(f"There is no escalation with the reference {reference}.")
        self.cleaned_data["escalation"] = escalation
        return reference


# --- the paper's pages (laid out with crispy-forms-gds) -----------------------------------------------


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the templates write the <form>, the CSRF token and the buttons
    helper.disable_csrf = True
    helper.layout = Layout(*layout)
    return helper


class ReportSettingsForm(TextCheckedForm, forms.Form):
    classification = forms.ChoiceField(
        label="How is the report classified?",
        choices=Classification.choices,
        widget=forms.RadioSelect,
        help_text="An Open report may be published. A Closed report goes only to those entitled to see it.",
        error_messages={"required": "Choose whether the report is Open or Closed"},
    )
    suppress_small_numbers = forms.BooleanField(
        label="Hide small numbers in Open reports",
        required=False,
        help_text=(
            "Counts below the threshold are shown as [c], and so is every count, percentage or change from which "
            "one of them could be worked out."
        ),
    )
    small_number_threshold = forms.IntegerField(
        label="Threshold",
        help_text="Counts from 1 up to one less than this are hidden. Usually 5.",
        error_messages={"required": "Enter the threshold", "invalid": "The threshold must be a whole number, like 5"},
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("classification", legend_size=Size.MEDIUM),
            Field.checkbox("suppress_small_numbers"),
            Field.text("small_number_threshold", field_width=3),
        )


class PaperCoverForm(TextCheckedForm, forms.Form):
    item_number = forms.CharField(label="Item number", required=False, max_length=20, help_text="For example, 11")
    meeting_name = forms.ChoiceField(label="Meeting", error_messages={"required": "Choose the meeting"})
    meeting_date = GovukDateField(
        required=False, what="the date of the meeting", label="Date of the meeting", help_text="For example, 1 3 2017"
    )
    title = forms.CharField(label="Report title", max_length=200, error_messages={"required": "Enter the report title"})
    wards = forms.CharField(
        label="Ward(s) or groups affected", max_length=200, error_messages={"required": "Enter the wards affected"}
    )
    version_label = forms.CharField(
        label="Version", max_length=40, help_text="For example, Final", error_messages={"required": "Enter the version"}
    )
    dated = GovukDateField(
        required=False, what="the date of this version", label="Dated", help_text="For example, 20 2 2017"
    )
    key_decision = forms.BooleanField(label="This is a key decision", required=False)
    sent_to_constitutional_officer = GovukDateField(
        required=False,
        what="the date the final report was sent",
        label="Date the final report was sent to the constitutional officer",
    )

    def __init__(self, *args, meeting_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_name"].choices = [(name, name) for name in meeting_names]
        self.helper = _helper(
            Fieldset(
                Field.text("item_number", field_width=5),
                Field.select("meeting_name"),
                Field("meeting_date"),
                Field.text("title"),
                Field.text("wards"),
                legend="Cover",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("version_label", field_width=10),
                Field("dated"),
                Field.checkbox("key_decision"),
                Field("sent_to_constitutional_officer"),
                legend="Audit trail",
                legend_size=Size.MEDIUM,
            ),
        )


class PaperSectionForm(TextCheckedForm, forms.Form):
    text = forms.CharField(
        label="Text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Leave a blank line between paragraphs; the paper numbers them. Start a line with - for a bullet.",
    )
    figures = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, label: str = "Text", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.helper = _helper("figures", Field.textarea("text", label_size=Size.SMALL, rows=12))

    def clean_figures(self):
        """The figures the page showed the draft with, signed by the page so they cannot be altered."""
        value = self.cleaned_data["figures"]
        if not value:
            return None
        try:
            return signing.loads(value, salt=FIGURES_SALT)
        except signing.BadSignature:
            raise forms.ValidationError("The page was changed: open it again.") from None


FIGURES_SALT = "reports.paper.figures"


def sign_figures(figures: dict) -> str:
    return signing.dumps(figures, salt=FIGURES_SALT)


class PaperThemesForm(TextCheckedForm, forms.Form):
    """One commentary box for each theme of the themes table."""

    def __init__(self, *args, themes: list[tuple[str, str, str]], **kwargs):
        """``themes``: (section key, theme label, current text)."""
        super().__init__(*args, **kwargs)
        self.keys = {}
        for i, (key, label, text) in enumerate(themes):
            name = f"theme_{i}"
            self.keys[name] = key
            self.fields[name] = forms.CharField(
                label=label, required=False, initial=text, widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
            )
        self.helper = _helper(*[Field.textarea(name, label_size=Size.SMALL, rows=4) for name in self.keys])


DOCUMENT_ROWS_EXTRA = 2


class PaperDocumentsForm(TextCheckedForm, forms.Form):
    """The background documents, the appendices after the figures, and the consultation table: the
    rows there are, and two empty ones to add more (rows left empty are dropped)."""

    def __init__(self, *args, paper, **kwargs):
        super().__init__(*args, **kwargs)
        self.document_rows = len(paper.background_documents) + DOCUMENT_ROWS_EXTRA
        self.appendix_rows = len(paper.appendices) + DOCUMENT_ROWS_EXTRA
        self.consultation_rows = len(paper.consultation) + DOCUMENT_ROWS_EXTRA
        layout = []
        for i in range(self.document_rows):
            row = paper.background_documents[i] if i < len(paper.background_documents) else {}
            for key, label in (("title", "Background paper"), ("held_at", "Held at"), ("contact", "Contact")):
                self.fields[f"document_{i}_{key}"] = forms.CharField(
                    label=label, required=False, max_length=300, initial=row.get(key, "")
                )
            layout.append(
                Fieldset(
                    *[Field.text(f"document_{i}_{key}") for key in ("title", "held_at", "contact")],
                    legend=f"Background document {i + 1}",
                    legend_size=Size.SMALL,
                )
            )
        for i in range(self.appendix_rows):
            row = paper.appendices[i] if i < len(paper.appendices) else {}
            self.fields[f"appendix_{i}_title"] = forms.CharField(
                label=f"Title of appendix {i + 2}",
                required=False,
                max_length=300,
                initial=row.get("title", ""),
                help_text="Appendix 1 is always the figures." if i == 0 else "",
            )
            layout.append(Field.text(f"appendix_{i}_title"))
        for i in range(self.consultation_rows):
            row = paper.consultation[i] if i < len(paper.consultation) else {}
            self.fields[f"consultee_{i}_officer"] = forms.CharField(
                label="Officer title", required=False, max_length=200, initial=row.get("officer", "")
            )
            self.fields[f"consultee_{i}_sought"] = forms.BooleanField(
                label="Comments sought", required=False, initial=row.get("sought", False)
            )
            self.fields[f"consultee_{i}_included"] = forms.BooleanField(
                label="Comments included", required=False, initial=row.get("included", False)
            )
            layout.append(
                Fieldset(
                    Field.text(f"consultee_{i}_officer"),
                    Field.checkbox(f"consultee_{i}_sought", small=True),
                    Field.checkbox(f"consultee_{i}_included", small=True),
                    legend=f"Consultation {i + 1}",
                    legend_size=Size.SMALL,
                )
            )
        self.helper = _helper(*layout)

    def rows(self) -> dict[str, list[dict]]:
        data = self.cleaned_data
        return {
            "background_documents": [
                {key: data[f"document_{i}_{key}"] for key in ("title", "held_at", "contact")}
                for i in range(self.document_rows)
            ],
            "appendices": [{"title": data[f"appendix_{i}_title"]} for i in range(self.appendix_rows)],
            "consultation": [
                {
                    "officer": data[f"consultee_{i}_officer"],
                    "sought": data[f"consultee_{i}_sought"],
                    "included": data[f"consultee_{i}_included"],
                }
                for i in range(self.consultation_rows)
            ],
        }


class OverrideRequestForm(TextCheckedForm, forms.Form):
    subject = forms.CharField(widget=forms.HiddenInput)
    term = forms.CharField(label="Flagged word", max_length=200, required=False)
    reason = forms.CharField(
        label="Why it does not identify anyone", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
