"""Forms for the escalation pages, one per purpose. They check what was typed; the services decide
whether the move is allowed (the raise form asks the service's own check of the themes, so the rule
is written once). Layout is crispy-forms-gds (GOV.UK Design System markup)."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Layout, Size
from django import forms
from django.utils import timezone

from children.models import Child
from core.errors import DomainError
from core.formats import format_date
from core.forms import GovukDateField
from core.once import once_key_new
from core.validation import LONG_TEXT_MAX, TextCheckedForm
from escalations.services import escalation_choices_check
from ladder.models import Stage
from people.models import User
from people.selectors import absences_current, manager_list
from themes.models import Theme
from themes.selectors import drift_reason_list, resolution_outcome_list, theme_list


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the templates write the <form>, the CSRF token and the buttons
    helper.disable_csrf = True
    helper.layout = Layout(*layout)
    return helper


TEXT_MAX = LONG_TEXT_MAX  # characters in a long answer (the concern, a response, a note)
REASON_MAX = 2_000  # characters in a move's reason


def text_field(
    *, label: str, called: str, required: str = "", max_length: int = TEXT_MAX, rows: int = 5, **kwargs
) -> forms.CharField:
    """A long-text question with GOV.UK messages (shown with the character count by ``counted``):
    ``called`` names the answer in them; ``required`` is the message for an empty answer, and
    without it the question is optional."""
    messages = {"required": required, "max_length": f"{called} must be {max_length:,} characters or fewer"}
    return forms.CharField(
        label=label,
        # crispy-forms-gds adds the character count's id to aria-describedby, which must exist
        widget=forms.Textarea(attrs={"rows": rows, "aria-describedby": ""}),
        max_length=max_length,
        required=bool(required),
        error_messages=messages,
        **kwargs,
    )


def counted(form, name: str, **kwargs) -> Field:
    """A textarea with GOV.UK's character count, up to the field's maximum."""
    return Field.textarea(name, max_characters=form.fields[name].max_length, **kwargs)


def reason_field(*, label: str, required: str) -> forms.CharField:
    return text_field(
        label=label,
        called="The reason",
        required=required,
        max_length=REASON_MAX,
        rows=3,
        help_text="A sentence or two. It is shown on the escalation's timeline.",
    )


class VersionForm(TextCheckedForm, forms.Form):
    """Every change carries the version the person opened, so a stale change is refused, and a
    one-time key (``core.once``), so a second submission of the same form changes nothing."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    once = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("once", once_key_new())
        self.helper = _helper("version", "once")


_DateField = GovukDateField  # one message for a bad date, naming the question


# --- choosing the person it goes to, and so the stage ----------------------------------------------


class StageAndPersonMixin:
    """The person it goes to, from a list grouped by stage: a manager responds at one stage, so the
    person gives the stage. (One select rather than stage radios revealing a list each: GOV.UK's
    conditional radios carry aria-expanded, which ARIA does not allow on a radio.)"""

    def add_stage_fields(self, stages: list[Stage], *, label: str = "Who is it going to?", team=None, exclude=None):
        """The people at ``stages``, each with their team (those of ``team``, the child's, first)
        and, when they are away, who covers for them (an escalation sent to them goes there)."""
        managers = list(manager_list(stages=stages, exclude=exclude))
        away = absences_current(on=timezone.localdate())
        self.managers = {str(m.pk): m for m in managers}
        self.child_team = team
        groups = []
        for stage in stages:
            people = [m for m in managers if m.stage_id == stage.pk]
            people.sort(key=lambda m: (team is None or m.team_id != team.pk, m.last_name, m.first_name))
            if people:
                days = f"{stage.target_working_days} working day{'s' if stage.target_working_days != 1 else ''}"
                groups.append(
                    (f"{stage.label} (response within {days})", [(str(m.pk), _person(m, away)) for m in people])
                )
        hint = "People are listed by their stage of the ladder. The response target depends on the stage."
        if team is not None:
            hint += f" At each stage, {team}'s managers come first."
        self.fields["addressee"] = forms.ChoiceField(
            label=label,
            help_text=hint,
            choices=[("", "Choose a person")] + groups,
            error_messages={"required": "Choose who it is going to"},
        )

    def stage_layout(self):
        return Field.select("addressee", label_size=Size.MEDIUM)

    def clean_stage_and_person(self, data):
        person = self.managers.get(data.get("addressee") or "")
        if person is not None:
            data["stage_obj"], data["addressee_obj"] = person.stage, person
            other_team = self.child_team is not None and person.team_id != self.child_team.pk
            data["other_team_warning"] = (
                f"{person} is not in {self.child_team}, the child's team. You can still send it to them."
                if other_team
                else ""
            )
        return data


def _person(manager: User, away: dict) -> str:
    """How the pickers show a manager: their name, their team, and who covers while they are away."""
    label = f"{manager} ({manager.team})" if manager.team_id else f"{manager} (no team)"
    absence = away.get(manager.pk)
    if absence is not None:
        label += f": away until {format_date(absence.ends_on)}, {absence.delegate} is covering"
    return label


# --- raising -------------------------------------------------------------------------------------


class RaiseForm(TextCheckedForm, StageAndPersonMixin, forms.Form):
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
    concern = text_field(
        label="What is the concern?",
        called="The concern",
        help_text="Say what has drifted or been delayed, and what it means for the child.",
        required="Enter the concern",
        rows=6,
    )
    desired_outcome = text_field(label="What outcome do you want? (optional)", called="The outcome you want", rows=4)

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
        self.add_stage_fields(stages, team=children[0].team if children else None)
        self.helper = _helper(
            Field.checkboxes("children", legend_size=Size.MEDIUM),
            HTML('{% include "escalations/_themes_field.html" %}'),
            self.stage_layout(),
            counted(self, "concern", label_size=Size.MEDIUM),
            counted(self, "desired_outcome", label_size=Size.MEDIUM),
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
    response = text_field(
        label="Your response",
        called="Your response",
        help_text="What you have found and what will happen.",
        required="Enter your response",
        rows=6,
    )
    action_agreed = text_field(label="Action agreed (optional)", called="The action agreed", rows=3)
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
            counted(self, "response", label_size=Size.MEDIUM),
            counted(self, "action_agreed"),
            Field("action_due_on"),
        )


# --- the IRO's side -------------------------------------------------------------------------------


class EscalateForm(StageAndPersonMixin, VersionForm):
    reason = reason_field(label="Why are you escalating it?", required="Enter why you are escalating it")

    def __init__(self, *args, stages: list[Stage], team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_stage_fields(stages, label="Who should it go to?", team=team)
        self.helper = _helper("version", "once", self.stage_layout(), counted(self, "reason", label_size=Size.MEDIUM))

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
    reason = reason_field(label="Why are you closing it?", required="Enter why you are closing it")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = {str(o.pk): o for o in resolution_outcome_list()}
        self.fields["outcome"].choices = [(k, o.label) for k, o in self.outcomes.items()]
        self.helper = _helper(
            "version",
            "once",
            Field.radios("outcome", legend_size=Size.MEDIUM),
            counted(self, "reason", label_size=Size.MEDIUM),
        )

    def clean_outcome(self):
        return self.outcomes[self.cleaned_data["outcome"]]


class WithdrawForm(VersionForm):
    reason = reason_field(label="Why are you withdrawing it?", required="Enter why you are withdrawing it")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("version", "once", counted(self, "reason", label_size=Size.MEDIUM))


class ReopenForm(StageAndPersonMixin, VersionForm):
    reason = reason_field(label="Why are you reopening it?", required="Enter why you are reopening it")

    def __init__(self, *args, stages: list[Stage], team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_stage_fields(stages, label="Who should it go to?", team=team)
        self.helper = _helper("version", "once", self.stage_layout(), counted(self, "reason", label_size=Size.MEDIUM))

    def clean(self):
        return self.clean_stage_and_person(super().clean())


class NoteForm(TextCheckedForm, forms.Form):
    """A note: a question or an update that is not a formal step."""

    text = text_field(
        label="Your note",
        called="The note",
        help_text="A question or an update. It is added to the timeline and cannot be changed afterwards.",
        required="Enter the note",
    )
    once = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("once", once_key_new())
        self.helper = _helper("once", counted(self, "text", label_size=Size.MEDIUM))


class CafcassForm(VersionForm):
    referred_on = _DateField(
        what="the date of the referral",
        label="When was the case referred to Cafcass?",
        help_text="For example, 27 3 2026",
    )
    reason = text_field(
        label="Why was it referred?", called="The reason", required="Enter why the case was referred to Cafcass"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("version", "once", Field("referred_on"), counted(self, "reason"))
