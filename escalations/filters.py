"""The service manager's filters for *All escalations* (django-filter, laid out with crispy-forms-gds).

The FilterSet declares the filters, their labels and how their input is checked; the query itself
is :func:`escalations.selectors.escalation_search`, which the dashboard's counts share, so a count
on the dashboard and the list it links to always agree. Links into the list are built with
:func:`all_escalations_query`, the one place that knows the parameters' names.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Div, Field, Fluid, Layout
from django import forms
from django.http import QueryDict

from core.forms import GovukDateField
from core.validation import TextCheckedForm
from escalations import selectors
from escalations.models import Escalation, EscalationStatus
from ladder.models import Stage
from people.models import Role, Team, User
from themes.models import Theme


class FilterDateField(GovukDateField):
    """The list's dates are optional: an empty one does not narrow the list."""

    def __init__(self, *, what: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(what=what, **kwargs)


class DateFilter(django_filters.Filter):
    field_class = FilterDateField


class CheckboxFilter(django_filters.Filter):
    field_class = forms.BooleanField


class AllEscalationsForm(TextCheckedForm, forms.Form):
    """The filter form: GOV.UK markup, and the checks that involve more than one field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        column = "govuk-grid-column-one-third"
        self.helper.layout = Layout(
            Field.text("q", field_width=Fluid.TWO_THIRDS),
            Div(
                Div(Field.select("status"), css_class=column),
                Div(Field.select("stage"), css_class=column),
                Div(Field.select("theme"), css_class=column),
                css_class="govuk-grid-row",
            ),
            Div(
                Div(Field.select("team"), css_class=column),
                Div(Field.select("iro"), css_class=column),
                Div(Field.checkbox("overdue", small=True), css_class=column + " govuk-!-padding-top-6"),
                css_class="govuk-grid-row",
            ),
            Div(
                Div(Field("raised_from"), css_class="govuk-grid-column-one-half"),
                Div(Field("raised_to"), css_class="govuk-grid-column-one-half"),
                css_class="govuk-grid-row",
            ),
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("raised_from"), data.get("raised_to")
        if start and end and end < start:
            self.add_error("raised_to", "The ‘raised to’ date must be the same as or after the ‘raised from’ date")
        return data


def _choice_error(what: str) -> dict:
    return {"invalid_choice": f"Select {what} from the list"}


class AllEscalationsFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Reference, child's name or case ID",
        max_length=100,
        error_messages={"max_length": "Search for 100 characters or fewer"},
    )
    status = django_filters.ChoiceFilter(
        choices=EscalationStatus.choices,
        empty_label="Open or closed",
        label="Status",
        error_messages=_choice_error("a status"),
    )
    stage = django_filters.ModelChoiceFilter(
        queryset=Stage.objects.order_by("order"),
        empty_label="Any stage",
        label="Current stage",
        error_messages=_choice_error("a stage"),
    )
    theme = django_filters.ModelChoiceFilter(
        queryset=Theme.objects.order_by("order", "label"),
        empty_label="Any theme",
        label="Theme",
        error_messages=_choice_error("a theme"),
    )
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.order_by("name"),
        empty_label="Any team",
        label="Children’s team",
        help_text="Escalations about at least one child of the team",
        error_messages=_choice_error("a team"),
    )
    iro = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(role=Role.IRO).order_by("last_name", "first_name", "username"),
        empty_label="Any IRO",
        label="IRO",
        error_messages=_choice_error("an IRO"),
    )
    overdue = CheckboxFilter(label="Overdue now only", required=False)
    raised_from = DateFilter(label="Raised from", what="the ‘raised from’ date", help_text="For example, 1 4 2025")
    raised_to = DateFilter(label="Raised to", what="the ‘raised to’ date", help_text="For example, 31 3 2026")

    class Meta:
        model = Escalation
        fields: list[str] = []
        form = AllEscalationsForm

    def filter_queryset(self, queryset):
        """The query is the selector's (shared with the dashboard), not one filter at a time."""
        return selectors.escalation_search(queryset, **self.criteria())

    def criteria(self) -> dict:
        """The cleaned filters as keyword arguments for :func:`escalations.selectors.escalation_search`.
        Call ``is_valid()`` first."""
        data = self.form.cleaned_data
        return {name: data.get(name) for name in self.filters if name != "overdue"} | {
            "overdue": bool(data.get("overdue"))
        }


def all_escalations_query(**criteria) -> str:
    """The query string of *All escalations* for these filters: ``status``, ``stage``, ``theme``,
    ``team``, ``iro`` (objects or ids), ``overdue`` (True) and ``raised_from`` / ``raised_to`` (dates,
    written as the day, month and year the GOV.UK date input sends)."""
    unknown = set(criteria) - set(AllEscalationsFilter.base_filters)
    if unknown:
        raise ValueError(f"Not a filter of All escalations: {sorted(unknown)}")
    query = QueryDict(mutable=True)
    for name in AllEscalationsFilter.base_filters:  # the form's order, so links are stable
        value = criteria.get(name)
        if value is None or value is False or value == "":
            continue
        if isinstance(value, dt.date):
            query[f"{name}_0"], query[f"{name}_1"], query[f"{name}_2"] = (
                str(value.day),
                str(value.month),
                str(value.year),
            )
        elif value is True:
            query[name] = "on"
        else:
            query[name] = str(getattr(value, "pk", value))
    return query.urlencode()
