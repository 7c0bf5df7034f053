from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from core.validation import TextCheckedForm
from notices.models import Frequency


class PreferenceForm(TextCheckedForm, forms.Form):
    addressed = forms.ChoiceField(
        label="Escalations sent to you",
        help_text="These cannot be switched off: a reply is expected from you.",
        choices=Frequency.choices[:2],
        widget=forms.RadioSelect,
    )
    others = forms.ChoiceField(
        label="News of escalations you raised or were sent before",
        help_text="Replies to your escalations, escalations passed to someone more senior, and closures.",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.radios("addressed", legend_size=Size.MEDIUM), Field.radios("others", legend_size=Size.MEDIUM)
        )
