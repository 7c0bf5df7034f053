"""The limits every input is held to, in one place (README "Limits on input").

Forms (through :class:`TextCheckedForm` and :class:`CleanTextValidator`), the list filters, the
services that take text without a form, and the importers all ask these functions, so a value is
refused for the same reason, in the same words, wherever it comes in:

- text: no NUL or other control character (tab, newline and carriage return are allowed in
  multi-line text only), and no more characters than its column holds;
- dates: only years 1900 to 2100.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.deconstruct import deconstructible

from core.errors import DomainError

EARLIEST_YEAR, LATEST_YEAR = 1900, 2100
LONG_TEXT_MAX = 10_000  # characters in a long answer (a concern, a response, a note, an imported summary)

# C0 controls and DEL, and the C1 controls; tab, newline and CR are allowed in multi-line text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _character_name(char: str) -> str:
    if char == "\x00":
        return "a NUL character"
    if char in "\t\n\r":
        return {"\t": "a tab", "\n": "a line break", "\r": "a line break"}[char]
    return f"a control character (U+{ord(char):04X})"


def has_control(value: str) -> bool:
    """Whether ``value`` holds any control character at all, line breaks and tabs included (a fast
    first look; :func:`text_problem` says whether it matters)."""
    return _CONTROL.search(value) is not None


def text_visible(value: str) -> str:
    """``value`` with each control character written as an escape (``\\x00``), to quote it in a message."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", value)


def text_problem(value: str, *, max_length: int | None = None, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be stored as text, as the end of a sentence ("contains a NUL character
    at character 4"), or None when it can. ``max_length``: the characters its column holds."""
    if not isinstance(value, str):
        return None
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if found:
        return f"contains {_character_name(found.group())} at character {found.start() + 1}, which cannot be stored"
    if max_length is not None and len(value) > max_length:
        return f"has {len(value):,} characters: it can have at most {max_length:,}"
    return None


def text_refuse(value: str, *, what: str, max_length: int | None = None, multiline: bool = False, field=None) -> str:
    """``value`` if it can be stored, else a :class:`~core.errors.DomainError` naming ``what``
    ("The story text contains a NUL character ..."), on ``field``. For services that take text
    without a form."""
    problem = text_problem(value, max_length=max_length, multiline=multiline)
    if problem:
        raise DomainError(f"{what[0].upper()}{what[1:]} {problem}. Remove it and try again.", field=field)
    return value


def year_in_range(year: int) -> bool:
    return EARLIEST_YEAR <= year <= LATEST_YEAR


def date_problem(value: dt.date | dt.datetime) -> str | None:
    """Why a date is refused as invalid for this service, or None."""
    if not year_in_range(value.year):
        return f"must be between {EARLIEST_YEAR} and {LATEST_YEAR}"
    return None


@deconstructible
class CleanTextValidator:
    """A form field validator: no control characters (multi-line text may hold tab, newline, CR)."""

    def __init__(self, *, multiline: bool = False, label: str = ""):
        self.multiline = multiline
        self.label = label

    def __call__(self, value):
        problem = text_problem(value, multiline=self.multiline)
        if problem:
            what = self.label or "The answer"
            raise ValidationError(f"{what} {problem}. Remove it and try again.", code="control_character")

    def __eq__(self, other):
        return isinstance(other, CleanTextValidator) and (self.multiline, self.label) == (other.multiline, other.label)


class TextCheckedForm:
    """A form mixin: every text field refuses control characters (see :func:`text_problem`),
    naming the field; a textarea may hold line breaks and tabs. Every text field must have a
    ``max_length`` (its column's), checked by Django's own validator."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField) and not any(
                isinstance(v, CleanTextValidator) for v in field.validators
            ):
                label = f"‘{field.label or name.replace('_', ' ').capitalize()}’"
                multiline = isinstance(field.widget, forms.Textarea)
                # This one names the field and the character, so Django's own NUL check is not needed.
                field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
                field.validators.append(CleanTextValidator(multiline=multiline, label=label))
                if field.max_length is not None and "max_length" not in field.error_messages:
                    field.error_messages["max_length"] = (
                        f"{label} can have at most %(limit_value)d characters (it has %(show_value)d)"
                    )
