"""What the API reads and sends. Input serializers check the shape of a request (types, lengths,
codes that exist); the services decide whether it is allowed. Output serializers describe what the
selectors return, for the schema and the answer."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from children.models import Sex
from drift.rules import RULE_LABELS, RULES
from escalations.forms import TEXT_MAX
from escalations.models import EscalationStatus, StepResult
from escalations.selectors import DueState
from escalations.services import REASON_MAX
from escalations.states import Action, EscalationState
from ssda903.codes import LEGAL_STATUS

ID_MAX = 2**63 - 1
EARLIEST, LATEST = 1900, 2100  # as the pages' date fields (core.forms.GovukDateField)


class Day(serializers.DateField):
    """A date (YYYY-MM-DD) from 1900 to 2100."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not EARLIEST <= day.year <= LATEST:
            raise serializers.ValidationError(f"Enter a date from {EARLIEST} to {LATEST}.")
        return day


class Moment(serializers.DateTimeField):
    """A time (ISO 8601; without an offset, London time) from 1900 to 2100."""

    def to_internal_value(self, value):
        moment = super().to_internal_value(value)
        if not EARLIEST <= moment.year <= LATEST:
            raise serializers.ValidationError(f"Enter a time from {EARLIEST} to {LATEST}.")
        return moment


class Codes(serializers.ListField):
    """The codes of a many-to-many relation (themes, drift reasons), read from its prefetched rows."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(), **kwargs)

    def get_attribute(self, instance):
        return [item.code for item in super().get_attribute(instance).all()]

    def to_representation(self, data):
        return list(data)


def Id(**kwargs) -> serializers.IntegerField:  # noqa: N802 (a field factory, read like a field)
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def Code(**kwargs) -> serializers.CharField:  # noqa: N802
    return serializers.CharField(max_length=60, **kwargs)


def Text(*, max_length: int = TEXT_MAX, **kwargs) -> serializers.CharField:  # noqa: N802
    return serializers.CharField(max_length=max_length, **kwargs)


# --- people and vocabularies ----------------------------------------------------------------------


class Person(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


class StageItem(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    order = serializers.IntegerField()
    formal = serializers.BooleanField()
    target_working_days = serializers.IntegerField()


class Coded(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class ThemeItem(Coded):
    subthemes = Coded(many=True, source="active_subthemes")


class Vocabularies(serializers.Serializer):
    stages = StageItem(many=True)
    themes = ThemeItem(many=True)
    drift_reasons = Coded(many=True)
    outcomes = Coded(many=True, help_text="The outcomes an escalation can be resolved with (not withdrawn).")


class Manager(Person):
    stage = serializers.CharField(source="stage.code")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    away_until = serializers.DateField(allow_null=True, help_text="Away until this day; escalations go to the cover.")
    covered_by = Person(allow_null=True, help_text="Who covers while they are away.")


# --- children --------------------------------------------------------------------------------------


class ChildBrief(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.CharField()
    display_name = serializers.CharField()


class Child(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.CharField(help_text="The case-management ID (the 903 return's CHILD).")
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    display_name = serializers.CharField(help_text="The name as lists show it; never empty.")
    date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.ChoiceField(
        choices=[*Sex.values, ""], help_text="1 male, 2 female (903 codes); empty if not known."
    )
    legal_status = serializers.CharField(allow_blank=True, help_text="The 903 legal status code, e.g. C2.")
    looked_after_from = serializers.DateField(allow_null=True)
    looked_after_to = serializers.DateField(allow_null=True)
    social_worker = serializers.CharField(allow_blank=True)
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    iro = Person(allow_null=True)
    sibling_group = serializers.CharField(source="sibling_group.name", allow_null=True, default=None)
    details_to_complete = serializers.BooleanField()
    updated_at = serializers.DateTimeField(allow_null=True, help_text="When the record was last created or changed.")


class ChildRow(serializers.Serializer):
    """One child to create or change, by case ID. A field left out is left as it is; ``null`` (or an
    empty string) clears it."""

    case_id = serializers.CharField(max_length=40, help_text="The case-management ID: the record to create or change.")
    first_name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    date_of_birth = Day(allow_null=True, required=False)
    sex = serializers.ChoiceField(choices=[*Sex.values, ""], required=False, help_text="1 male, 2 female.")
    legal_status = serializers.ChoiceField(
        choices=["", *LEGAL_STATUS], required=False, help_text="A 903 legal status code (C1, C2, ..., V4)."
    )
    looked_after_from = Day(allow_null=True, required=False)
    looked_after_to = Day(allow_null=True, required=False)
    social_worker = serializers.CharField(max_length=200, allow_blank=True, required=False)
    team = serializers.CharField(
        max_length=120, allow_null=True, required=False, help_text="The name of a team the admin has set up."
    )
    iro = Id(allow_null=True, required=False, help_text="The id of the IRO the child is allocated to.")
    sibling_group = serializers.CharField(
        max_length=120,
        allow_null=True,
        allow_blank=True,
        required=False,
        help_text="An internal label shared by brothers and sisters, never a family name; created if new.",
    )

    def validate_case_id(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Enter the case ID.")
        return value.strip()


class ChildUpsert(serializers.Serializer):
    children = ChildRow(many=True, min_length=1, max_length=1000)


class ChildUpserted(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.CharField()


class ChildUpsertResult(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    children = ChildUpserted(many=True, help_text="Each child named, in the order sent.")


class ChildQuery(serializers.Serializer):
    case_id = serializers.CharField(max_length=40, required=False, help_text="Only the child with this case ID.")
    updated_since = Moment(required=False, help_text="Only children created or changed at or after this time.")
    cursor = serializers.CharField(max_length=200, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False)


# --- escalations -----------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "nullable": True, "pattern": f"^({'|'.join(StepResult.values)})$"})
class StepResultField(serializers.CharField):
    """A step's result, or null while it is open (stored as empty). Its schema is a pattern, not an
    enum: drf-spectacular's enum component would leave null out."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


class StepItem(serializers.Serializer):
    sequence = serializers.IntegerField()
    stage = serializers.CharField(source="stage.code")
    stage_label = serializers.CharField(source="stage.label")
    addressee = Person(allow_null=True)
    sent_at = serializers.DateTimeField()
    sent_by = Person(allow_null=True)
    sent_for = Person(allow_null=True, help_text="Who it was meant for, when they were away and it went to cover.")
    sent_reason = serializers.CharField(allow_blank=True)
    target_working_days = serializers.IntegerField()
    due_on = serializers.DateField()
    due_at = serializers.DateTimeField()
    first_response_at = serializers.DateTimeField(allow_null=True)
    first_response_by = Person(allow_null=True)
    responded_at = serializers.DateTimeField(allow_null=True)
    responded_by = Person(allow_null=True)
    response = serializers.CharField(allow_blank=True)
    action_agreed = serializers.CharField(allow_blank=True)
    action_due_on = serializers.DateField(allow_null=True)
    result = StepResultField(help_text="How the step ended; null while it is open.")
    ended_at = serializers.DateTimeField(allow_null=True)
    ended_by = Person(allow_null=True)
    end_reason = serializers.CharField(allow_blank=True)


class NoteItem(serializers.Serializer):
    id = serializers.IntegerField()
    author = Person()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class SubThemeRef(serializers.Serializer):
    theme = serializers.CharField(source="theme.code")
    code = serializers.CharField()


class EscalationRow(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    version = serializers.IntegerField(help_text="The version: send it back as If-Match (the ETag) with a change.")
    status = serializers.ChoiceField(choices=EscalationStatus.values)
    state = serializers.ChoiceField(choices=[s.value for s in EscalationState])
    iro = Person()
    children = ChildBrief(many=True)
    raised_at = serializers.DateTimeField()
    themes = Codes()
    current_stage = serializers.CharField(source="current_stage.code", allow_null=True, default=None)
    current_addressee = Person(allow_null=True)
    highest_stage = serializers.CharField(source="highest_stage.code", allow_null=True, default=None)
    next_due_at = serializers.DateTimeField(allow_null=True, help_text="When the reply is due; empty once answered.")
    due_state = serializers.ChoiceField(
        choices=[s.value for s in DueState], allow_null=True, source="due", help_text="Empty when closed."
    )
    first_response_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(source="outcome.code", allow_null=True, default=None)
    closed_at = serializers.DateTimeField(allow_null=True)
    cafcass_referred_on = serializers.DateField(allow_null=True)


class Escalation(EscalationRow):
    concern = serializers.CharField()
    desired_outcome = serializers.CharField(allow_blank=True)
    subthemes = SubThemeRef(many=True)
    drift_reasons = Codes()
    cafcass_reason = serializers.CharField(allow_blank=True)
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=[a.value for a in Action]),
        help_text="The moves you may make now (escalations.states.actions_open_to).",
    )
    steps = StepItem(many=True)
    notes = NoteItem(many=True)


class EscalationQuery(serializers.Serializer):
    """The filters of *All escalations* (``escalations.selectors.escalation_search``)."""

    q = serializers.CharField(max_length=100, required=False, help_text="A reference, or a child's name or case ID.")
    status = serializers.ChoiceField(choices=EscalationStatus.values, required=False)
    stage = Code(required=False, help_text="The current stage's code.")
    theme = Code(required=False, help_text="A theme's code.")
    team = serializers.CharField(max_length=120, required=False, help_text="A children's team, by name.")
    iro = Id(required=False, help_text="The IRO's id.")
    overdue = serializers.BooleanField(required=False, help_text="Only those whose reply is overdue now.")
    raised_from = Day(required=False)
    raised_to = Day(required=False)
    cursor = serializers.CharField(max_length=200, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False)

    def validate(self, data):
        if data.get("raised_from") and data.get("raised_to") and data["raised_to"] < data["raised_from"]:
            raise serializers.ValidationError({"raised_to": "raised_to must be the same as or after raised_from."})
        return data


class Raise(serializers.Serializer):
    children = serializers.ListField(child=Id(), min_length=1, max_length=30, help_text="The children's ids.")
    stage = Code(help_text="The stage it goes to (any stage: an IRO may go straight to a senior one).")
    addressee = Id(help_text="The id of an active responding manager at that stage.")
    concern = Text()
    desired_outcome = Text(allow_blank=True, required=False, default="")
    themes = serializers.ListField(child=Code(), max_length=50, required=False, default=list)
    subthemes = serializers.ListField(
        child=serializers.RegexField(r"^[-\w]{1,60}/[-\w]{1,60}$", max_length=121),
        max_length=100,
        required=False,
        default=list,
        help_text="theme/sub-theme codes, e.g. health/complex_health; a sub-theme implies its theme.",
    )
    drift_reasons = serializers.ListField(child=Code(), max_length=50, required=False, default=list)


class Respond(serializers.Serializer):
    response = Text()
    action_agreed = Text(allow_blank=True, required=False, default="")
    action_due_on = Day(allow_null=True, required=False, default=None)


class Escalate(serializers.Serializer):
    stage = Code()
    addressee = Id()
    reason = Text(max_length=REASON_MAX)


class Reassign(serializers.Serializer):
    addressee = Id()


class Resolve(serializers.Serializer):
    outcome = Code(help_text="resolved or not_resolved (see vocabularies).")
    reason = Text(max_length=REASON_MAX)


class Withdraw(serializers.Serializer):
    reason = Text(max_length=REASON_MAX)


class CafcassReferral(serializers.Serializer):
    referred_on = Day()
    reason = Text()


class Reopen(serializers.Serializer):
    stage = Code(required=False, help_text="By default the stage it last reached.")
    addressee = Id(required=False, help_text="By default the person it was last with.")
    reason = Text(max_length=REASON_MAX)


class Note(serializers.Serializer):
    text = Text()


class Empty(serializers.Serializer):
    """No body is needed (an empty object is fine)."""


# --- drift flags -----------------------------------------------------------------------------------


class DriftFlagItem(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.ChoiceField(choices=list(RULES), help_text="The drift watch's rule (docs/drift-watch.md).")
    rule_label = serializers.SerializerMethodField()
    child = ChildBrief()
    due = serializers.DateField(allow_null=True, help_text="When it was due (empty when there is no clock).")
    detail = serializers.CharField(help_text="The rule's sentence, as the Drift watch page shows it.")
    first_seen = serializers.DateField(help_text="The as-of day of the refresh that first found it.")
    cleared_on = serializers.DateField(allow_null=True, help_text="The first as-of day it was no longer found.")
    escalation = serializers.IntegerField(
        source="escalation_id", allow_null=True, help_text="The id of the escalation raised from it, if any."
    )

    def get_rule_label(self, flag) -> str:
        return RULE_LABELS[flag.rule]


class DriftFlagQuery(serializers.Serializer):
    """The filters of *All drift flags* (``drift.selectors.drift_flag_search``)."""

    status = serializers.ChoiceField(choices=["open", "cleared", "any"], required=False, default="open")
    rule = serializers.ChoiceField(choices=list(RULES), required=False)
    child = Id(required=False, help_text="Only this child's flags (their id).")
    cursor = serializers.CharField(max_length=200, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False)


# --- reports ---------------------------------------------------------------------------------------


class PeriodQuery(serializers.Serializer):
    period = serializers.RegexField(r"^\d{4}-(\d{2}|\d{4})$", required=False, help_text="A financial year: 2015-16.")
    start = Day(required=False, help_text="With end: any period, both days included.")
    end = Day(required=False)

    def validate(self, data):
        if "period" in data and ("start" in data or "end" in data):
            raise serializers.ValidationError({"period": "Give a financial year (period) or start and end, not both."})
        if ("start" in data) != ("end" in data):
            raise serializers.ValidationError({"start" if "end" in data else "end": "Give both start and end."})
        return data


class Issued(serializers.Serializer):
    id = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    version = serializers.IntegerField()
    issued_at = serializers.DateTimeField()
    issued_by = Person()


class IssuedReport(Issued):
    report = serializers.JSONField(source="data", help_text="The report's JSON as issued (docs/report-json.md).")


# --- problems (RFC 9457) ---------------------------------------------------------------------------


class FieldError(serializers.Serializer):
    pointer = serializers.CharField(
        required=False, help_text="A JSON pointer into the body, e.g. #/children/2/case_id."
    )
    parameter = serializers.CharField(required=False, help_text="The query parameter.")
    header = serializers.CharField(required=False, help_text="The header.")
    detail = serializers.CharField()


class Change(serializers.Serializer):
    who = serializers.CharField()
    when = serializers.DateTimeField()
    fields = serializers.ListField(child=serializers.CharField(), help_text="What they changed, in words.")


class Problem(serializers.Serializer):
    type = serializers.CharField(help_text="A URI naming the kind of problem.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, in words a person can act on.")
    instance = serializers.CharField(required=False)
    errors = FieldError(many=True, required=False, help_text="Each bad field, parameter or header.")
    current_version = serializers.IntegerField(required=False, help_text="412: the version now (the new ETag).")
    changes = Change(many=True, required=False, help_text="412: what was changed after your version.")
