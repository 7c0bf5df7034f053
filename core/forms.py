"""Helpers shared by forms: GOV.UK error summaries, and showing a domain error on its field."""

import datetime as dt

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from core.errors import DomainError
from core.validation import EARLIEST_YEAR, LATEST_YEAR, TextCheckedForm, date_problem


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


class GovukDateField(DateInputField):
    """A GOV.UK date input (day, month, year) with one message for whatever is wrong, naming the
    question ("The date the action will be done by must include a month"), as the Design System
    asks; a date outside 1900 to 2100 is refused as not a real one for this service."""

    EARLIEST, LATEST = EARLIEST_YEAR, LATEST_YEAR

    def __init__(self, *, what: str, **kwargs):
        kwargs.setdefault("require_all_fields", False)
        super().__init__(**kwargs)
        self.what = what
        self.error_messages["required"] = f"Enter {what}"

    def _refuse(self, message: str):
        raise forms.ValidationError(f"{self.what[0].upper()}{self.what[1:]} {message}", code="invalid")

    def clean(self, value):
        parts = [str(part).strip() if part is not None else "" for part in (list(value or []) + ["", "", ""])[:3]]
        for field in self.fields:
            field.widget.errors = []
        if not any(parts):
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [name for name, part in zip(("day", "month", "year"), parts) if not part]
        if missing:
            self._refuse("must include a " + " and a ".join(missing))
        day, month, year = parts
        if not all(part.isdigit() and len(part) <= 4 for part in parts):
            self._refuse("must be a real date")
        if len(year) != 4:
            self._refuse("must have a year with 4 numbers")
        try:
            found = dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            self._refuse("must be a real date")
        problem = date_problem(found)
        if problem:
            self._refuse(problem)
        return found


PASSWORD_MAX = 1_000  # characters: far beyond any real password, short enough to hash at once


class SignInForm(TextCheckedForm, AuthenticationForm):
    """Django's sign-in form, with a username no longer than the column that holds it (django-axes
    records failed attempts by username) and no control characters: either is refused with a
    message before anyone's password is tried."""

    error_anchors = {"__all__": "id_username"}  # a failed sign-in is about the username first

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username_max = get_user_model()._meta.get_field("username").max_length
        for name, limit, message in (
            ("username", username_max, f"Enter a username of {username_max} characters or fewer"),
            ("password", PASSWORD_MAX, f"Enter a password of {PASSWORD_MAX:,} characters or fewer"),
        ):
            field = self.fields[name]
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit))
            field.error_messages["max_length"] = message


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_anchors = {"__all__": "id_old_password"}
