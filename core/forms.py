"""Helpers shared by forms: GOV.UK error summaries, and showing a domain error on its field."""

from core.errors import DomainError


def error_summary(*forms) -> list[dict]:
    """Every error of the forms, in field order, each with the id of the field to jump to."""
    errors = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, messages in form.errors.items():
            anchor = form[name].id_for_label if name in form.fields else None
            errors += [{"message": message, "anchor": anchor} for message in messages]
    return errors


def add_domain_error(form, error: DomainError) -> None:
    """Show a refusal from a service on the form field it names, or at the top of the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
