from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout
from django import forms

from core.forms import GovukDateField
from core.once import once_key_new
from core.validation import TextCheckedForm


class AbsenceForm(TextCheckedForm, forms.Form):
    manager = forms.ChoiceField(label="Who is away?", error_messages={"required": "Choose who is away"})
    starts_on = GovukDateField(what="the first day away", label="First day away", help_text="For example, 27 3 2026")
    ends_on = GovukDateField(what="the last day away", label="Last day away", help_text="For example, 3 4 2026")
    delegate = forms.ChoiceField(
        label="Who covers for them?",
        help_text="A manager at the same stage. Escalations sent to the person away go to them instead.",
        error_messages={"required": "Choose who covers for them"},
    )
    once = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, managers, delegates, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("once", once_key_new())
        self.people = {str(m.pk): m for m in [*managers, *delegates]}
        who = [(str(m.pk), f"{m} ({m.stage.label})") for m in managers]
        self.fields["manager"].choices = [("", "Choose a person"), *who] if len(managers) > 1 else who
        self.fields["delegate"].choices = [("", "Choose a person")] + [
            (str(m.pk), f"{m} ({m.stage.label}{', ' + str(m.team) if m.team_id else ''})") for m in delegates
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "once",
            Field.select("manager"),
            Field("starts_on"),
            Field("ends_on"),
            Field.select("delegate"),
        )

    def clean(self):
        data = super().clean()
        data["manager_obj"] = self.people.get(data.get("manager") or "")
        data["delegate_obj"] = self.people.get(data.get("delegate") or "")
        return data
