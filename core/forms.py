"""Helpers shared by forms: GOV.UK error summaries, and showing a domain error on its field."""

from django import forms

from core.errors import DomainError


def _anchor(form, name: str) -> str | None:
    """The id of the first input of field ``name``, as rendered by crispy-forms-gds: checkboxes
    and radios are numbered from 1, the day of a date input is ``_0``. A form may override the
    anchor of a field it lays out itself in ``error_anchors``."""
    if name in getattr(form, "error_anchors", {}):
        return form.error_anchors[name]
    if name not in form.fields:
        return None
    bound = form[name]
    widget = form.fields[name].widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return f"{bound.auto_id}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{bound.auto_id}_0"
    return bound.id_for_label or None


def error_summary(*forms) -> list[dict]:
    """Every error of the forms, in field order, each with the id of the field to jump to."""
    errors = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, messages in form.errors.items():
            anchor = _anchor(form, name)
            errors += [{"message": message, "anchor": anchor} for message in messages]
    return errors


def add_domain_error(form, error: DomainError) -> None:
    """Show a refusal from a service on the form field it names, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
