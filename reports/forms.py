from django import forms

from core.errors import DomainError
from escalations.selectors import escalation_by_reference
from reports.periods import Period


class PeriodForm(forms.Form):
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


class IncludeStoryForm(forms.Form):
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
