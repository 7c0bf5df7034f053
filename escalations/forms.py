"""Forms for the escalation pages, one per purpose. They check what was typed; the services decide
whether the move is allowed (the raise form asks the service's own check of the themes, so the rule
is written once). Layout is crispy-forms-gds (GOV.UK Design System markup)."""

from __future__ import annotations

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Layout, Size
from django import forms

from children.models import Child
from core.errors import DomainError
from core.once import once_key_new
from escalations.services import escalation_choices_check
from ladder.models import Stage
from people.models import User
from people.selectors import manager_list
from themes.models import Theme
from themes.selectors import drift_reason_list, resolution_outcome_list, theme_list


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the templates write the <form>, the CSRF token and the buttons
    helper.disable_csrf = True
    helper.layout = Layout(*layout)
    return helper


class VersionForm(forms.Form):
    """Every change carries the version the person opened, so a stale change is refused, and a
    one-time key (``core.once``), so a second submission of the same form changes nothing."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    once = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("once", once_key_new())
        self.helper = _helper("version", "once")


class _DateField(DateInputField):
    """A GOV.UK date input that names the question in its messages."""

    def __init__(self, *, what: str, **kwargs):
        super().__init__(require_all_fields=False, **kwargs)
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["invalid"] = f"{what[0].upper()}{what[1:]} must be a real date"
        self.what = what

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except (ValueError, TypeError, forms.ValidationError) as error:
            raise forms.ValidationError(self.error_messages["invalid"]) from error


# --- choosing the person it goes to, and so the stage ----------------------------------------------


class StageAndPersonMixin:
    """The person it goes to, from a list grouped by stage: a manager responds at one stage, so the
    person gives the stage. (One select rather than stage radios revealing a list each: GOV.UK's
    conditional radios carry aria-expanded, which ARIA does not allow on a radio.)"""

    def add_stage_fields(self, stages: list[Stage], *, label: str = "Who is it going to?"):
        managers = list(manager_list(stages=stages))
        self.managers = {str(m.pk): m for m in managers}
        groups = []
        for stage in stages:
            people = [(str(m.pk), str(m)) for m in managers if m.stage_id == stage.pk]
            if people:
                days = f"{stage.target_working_days} working day{'s' if stage.target_working_days != 1 else ''}"
                groups.append((f"{stage.label} (response within {days})", people))
        self.fields["addressee"] = forms.ChoiceField(
            label=label,
            help_text="People are listed by their stage of the ladder. The response target depends on the stage.",
            choices=[("", "Choose a person")] + groups,
            error_messages={"required": "Choose who it is going to"},
        )

    def stage_layout(self):
        return Field.select("addressee", label_size=Size.MEDIUM)

    def clean_stage_and_person(self, data):
        person = self.managers.get(data.get("addressee") or "")
        if person is not None:
            data["stage_obj"], data["addressee_obj"] = person.stage, person
        return data


# --- raising -------------------------------------------------------------------------------------


class RaiseForm(StageAndPersonMixin, forms.Form):
    """Everything an IRO enters to raise an escalation. Nothing is saved until they confirm."""

    children = forms.MultipleChoiceField(
        label="Which children is it about?",
        help_text="Select every child the concern is about. Brothers and sisters on your caseload are listed.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one child"},
    )
    themes = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    subthemes = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    drift_reasons = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    concern = forms.CharField(
        label="What is the concern?",
        help_text="Say what has drifted or been delayed, and what it means for the child.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the concern"},
        max_length=10000,
    )
    desired_outcome = forms.CharField(
        label="What outcome do you want? (optional)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10000,
    )

    def __init__(self, *args, children: list[Child], stages: list[Stage], **kwargs):
        super().__init__(*args, **kwargs)
        self.child_choices = {str(c.pk): c for c in children}
        self.fields["children"].choices = [
            (str(c.pk), f"{c.first_name} {c.last_name} ({c.case_id})".strip()) for c in children
        ]
        self.theme_list = theme_list()
        self.theme_choices = {str(t.pk): t for t in self.theme_list}
        self.subtheme_choices = {str(s.pk): s for t in self.theme_list for s in t.active_subthemes}
        self.reason_choices = {str(r.pk): r for r in drift_reason_list()}
        self.fields["themes"].choices = [(k, t.label) for k, t in self.theme_choices.items()]
        self.fields["subthemes"].choices = [(k, s.label) for k, s in self.subtheme_choices.items()]
        self.fields["drift_reasons"].choices = [(k, r.label) for k, r in self.reason_choices.items()]
        self.error_anchors = {"themes": "id_themes_1", "subthemes": "id_themes_1", "drift_reasons": "id_themes_1"}
        self.add_stage_fields(stages)
        self.helper = _helper(
            Field.checkboxes("children", legend_size=Size.MEDIUM),
            HTML('{% include "escalations/_themes_field.html" %}'),
            self.stage_layout(),
            Field.textarea("concern", label_size=Size.MEDIUM),
            Field.textarea("desired_outcome", label_size=Size.MEDIUM),
        )

    def theme_rows(self):
        """The themes with their sub-themes, and what is ticked, for the themes template."""
        ticked = set(self._value("themes"))
        ticked_subs = set(self._value("subthemes"))
        ticked_reasons = set(self._value("drift_reasons"))
        rows = []
        for key, theme in self.theme_choices.items():
            subs = [(str(s.pk), s.label, str(s.pk) in ticked_subs) for s in theme.active_subthemes]
            reasons = (
                [(k, r.label, k in ticked_reasons) for k, r in self.reason_choices.items()]
                if theme.code == Theme.DRIFT
                else []
            )
            rows.append(
                {
                    "key": key,
                    "label": theme.label,
                    "label_lower": theme.label.lower(),
                    "checked": key in ticked,
                    "subthemes": subs,
                    "reasons": reasons,
                }
            )
        return rows

    def _value(self, name):
        value = self[name].value() or []
        return [str(v) for v in value]

    def clean(self):
        data = super().clean()
        self.clean_stage_and_person(data)
        themes = [self.theme_choices[k] for k in data.get("themes", [])]
        subthemes = [self.subtheme_choices[k] for k in data.get("subthemes", [])]
        reasons = [self.reason_choices[k] for k in data.get("drift_reasons", [])]
        try:
            themes, subthemes, reasons = escalation_choices_check(
                themes=themes, subthemes=subthemes, drift_reasons=reasons
            )
        except DomainError as error:
            self.add_error("themes", error.message)
        data["children_objs"] = [self.child_choices[k] for k in data.get("children", [])]
        data["theme_objs"], data["subtheme_objs"], data["reason_objs"] = themes, subthemes, reasons
        return data


# --- the manager's side --------------------------------------------------------------------------


class RespondForm(VersionForm):
    response = forms.CharField(
        label="Your response",
        help_text="What you have found and what will happen.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter your response"},
        max_length=10000,
    )
    action_agreed = forms.CharField(
        label="Action agreed (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10000
    )
    action_due_on = _DateField(
        what="the date the action will be done by",
        label="Date the action will be done by (optional)",
        help_text="For example, 27 3 2026",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            "version",
            "once",
            Field.textarea("response", label_size=Size.MEDIUM),
            Field.textarea("action_agreed"),
            Field("action_due_on"),
        )


# --- the IRO's side -------------------------------------------------------------------------------


class EscalateForm(StageAndPersonMixin, VersionForm):
    def __init__(self, *args, stages: list[Stage], **kwargs):
        super().__init__(*args, **kwargs)
        self.add_stage_fields(stages, label="Who should it go to?")
        self.helper = _helper("version", "once", self.stage_layout())

    def clean(self):
        return self.clean_stage_and_person(super().clean())


class ReassignForm(VersionForm):
    addressee = forms.ChoiceField(label="Who should it go to instead?", error_messages={"required": "Choose a person"})

    def __init__(self, *args, managers: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.managers = {str(m.pk): m for m in managers}
        self.fields["addressee"].choices = [("", "Choose a person")] + [(k, str(m)) for k, m in self.managers.items()]
        self.fields["addressee"].help_text = "Managers at the same stage. The response is still due at the same time."
        self.helper = _helper("version", "once", Field.select("addressee"))

    def clean_addressee(self):
        return self.managers[self.cleaned_data["addressee"]]


class ResolveForm(VersionForm):
    outcome = forms.ChoiceField(
        label="What was the outcome?", widget=forms.RadioSelect, error_messages={"required": "Choose the outcome"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {str(o.pk): o for o in resolution_outcome_list()}
        self.fields["outcome"].choices = [(k, o.label) for k, o in self.outcomes.items()]
        self.helper = _helper("version", "once", Field.radios("outcome", legend_size=Size.MEDIUM))

    def clean_outcome(self):
        return self.outcomes[self.cleaned_data["outcome"]]


class CafcassForm(VersionForm):
    referred_on = _DateField(
        what="the date of the referral",
        label="When was the case referred to Cafcass?",
        help_text="For example, 27 3 2026",
    )
    reason = forms.CharField(
        label="Why was it referred?",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter why the case was referred to Cafcass"},
        max_length=10000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("version", "once", Field("referred_on"), Field.textarea("reason"))
