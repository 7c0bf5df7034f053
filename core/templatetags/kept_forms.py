"""``{% crispy_kept form %}``: ``{% crispy form %}`` for a filter form, rendered once per distinct
markup in each process.

The markup of a form with no errors is a pure function of its class, the values its fields show
and the choices each field offers. So the rendered HTML is kept in Django's ``fragments`` cache
(settings ``CACHES``, per-process memory) under a sha256 of exactly those (``core.kept``, as the
charts are): the same filters over the same choices are read back without rendering, and a new or
renamed IRO, theme or team changes the key, so nothing is ever stale or invalidated. A form with
errors is rendered every time, and so is one with free text typed in (a search may be a child's
name, which is not kept). The *All escalations* filter form took 39 ms of crispy-forms rendering
on every request (bench/README.md).
"""

from __future__ import annotations

from crispy_forms.utils import render_crispy_form
from django import forms, template
from django.utils.safestring import mark_safe

from core.kept import kept, kept_key

register = template.Library()

CACHE = "fragments"
# A user's columns that no label shows and that change without a rename (a sign-in sets last_login).
UNSHOWN_COLUMNS = frozenset({"password", "last_login"})


def _offered(field) -> list | None:
    """What a field's choices are made from: for a model choice field, its empty label and each row
    of its queryset as a tuple of its columns (the labels are made from the rows; tuples cost a
    query and no model instances); for another choice field, its choices."""
    queryset = getattr(field, "queryset", None)
    if queryset is not None:
        columns = [f.attname for f in queryset.model._meta.concrete_fields if f.name not in UNSHOWN_COLUMNS]
        rows = queryset.values_list(*columns)
        return [str(field.empty_label), *([str(value) for value in row] for row in rows)]
    choices = getattr(field, "choices", None)
    return [[str(value), str(label)] for value, label in choices] if choices is not None else None


def form_markup_key(form) -> str:
    """The cache key of a form's markup: a sha256 of its class, each field's shown value and what
    the choices of each field that has them are made from."""
    fields = [[bound.name, repr(bound.value()), _offered(bound.field)] for bound in form]
    return kept_key("form", {"form": f"{type(form).__module__}.{type(form).__qualname__}", "fields": fields})


def _typed_in(form) -> bool:
    """Whether any text field holds what someone typed (perhaps a child's name)."""
    return any(type(bound.field) is forms.CharField and str(bound.value() or "").strip() for bound in form)


@register.simple_tag
def crispy_kept(form):
    if (form.is_bound and form.errors) or _typed_in(form):
        return render_crispy_form(form)
    markup = kept(CACHE, form_markup_key(form), lambda: str(render_crispy_form(form)))
    return mark_safe(markup)  # noqa: S308 - crispy's own rendered (escaped) markup, read back
