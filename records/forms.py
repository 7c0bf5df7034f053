"""Forms for the records management pages. They check what was typed; the services decide."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from core.once import once_key_new
from records.classes import Action, Unit

REASON_MAX = 2000


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the templates write the <form>, the CSRF token and the buttons
    helper.disable_csrf = True
    helper.layout = Layout(*layout)
    return helper


def _reason(label: str, required: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "aria-describedby": ""}),
        error_messages={"required": required, "max_length": f"The reason must be {REASON_MAX:,} characters or fewer"},
    )


def _counted(name: str) -> Field:
    return Field.textarea(name, max_characters=REASON_MAX)


class _OnceForm(forms.Form):
    once = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("once", once_key_new())


class ExportStartForm(_OnceForm):
    case_id = forms.CharField(
        label="The child's case-management ID",
        help_text="As in the council's case-management system (the 903 return's CHILD).",
        max_length=40,
        error_messages={
            "required": "Enter the child's case-management ID",
            "max_length": "A case-management ID is 40 characters or fewer",
        },
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("once", Field.text("case_id", field_width=10))


class HoldForm(_OnceForm):
    target = forms.CharField(
        label="What to hold",
        help_text="A child's case-management ID, or an escalation's reference such as ESC-2016-00012.",
        max_length=40,
        error_messages={
            "required": "Enter a case-management ID or an escalation's reference",
            "max_length": "Enter 40 characters or fewer",
        },
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    reason = _reason(
        "Why must the records be kept?",
        "Enter why the records must be kept",
        "For example, the claim, complaint, inquiry or court case they are needed for. Do not name the child.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("once", Field.text("target", field_width=20), _counted("reason"))


class HoldLiftForm(_OnceForm):
    reason = _reason("Why can the hold be lifted?", "Enter why the hold can be lifted")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("once", _counted("reason"))


class RuleForm(_OnceForm):
    keep_for = forms.IntegerField(
        label="How long",
        min_value=1,
        error_messages={
            "required": "Enter how long to keep them",
            "invalid": "How long must be a whole number, like 6",
            "min_value": "How long must be at least 1",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )
    unit = forms.ChoiceField(
        label="Counted in",
        choices=Unit.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose days, months or years"},
    )
    action = forms.ChoiceField(
        label="Then",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens when the time is up"},
    )
    reason = _reason(
        "Why are they kept this long?",
        "Enter why records of this class are kept this long",
        "Shown on the schedule, and kept in its audit trail.",
    )

    def __init__(self, *args, info, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, Action(a).label) for a in info.actions]
        self.fields["keep_for"].label = f"How long after {info.counted_from} are they kept?"
        self.fields["keep_for"].help_text = "A whole number of the days, months or years chosen below."
        self.helper = _helper(
            "once",
            Field.text("keep_for", label_size=Size.SMALL, field_width=3),
            Field.radios("unit", inline=True, legend_size=Size.SMALL),
            Field.radios("action", legend_size=Size.SMALL),
            _counted("reason"),
        )


class ErasureRequestForm(_OnceForm):
    case_id = ExportStartForm.base_fields["case_id"]
    reason = _reason(
        "Why should the child's records be erased?",
        "Enter why the child's records should be erased",
        "The request and its reason are kept after the records are erased: do not name the child.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("once", Field.text("case_id", field_width=10), _counted("reason"))


class ErasureDecideForm(_OnceForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve: erase the records now"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or refuse the erasure"},
    )
    note = forms.CharField(
        label="Your reasons",
        help_text="Needed to refuse. Do not name the child.",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "aria-describedby": ""}),
        error_messages={"max_length": f"Your reasons must be {REASON_MAX:,} characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("once", Field.radios("decision", legend_size=Size.MEDIUM), _counted("note"))
