"""``{% crispy_kept form %}``: ``{% crispy form %}`` for a filter form, rendered once per distinct
markup in each process.

The markup of a form with no errors is a pure function of its class, the values its fields show
and the choices each field offers. So the rendered HTML is kept in Django's ``fragments`` cache
(settings ``CACHES``, per-process memory) under a sha256 of exactly those, like the charts
(``reports.charts``): the same filters over the same choices are read back without rendering, and
a new IRO, theme or team in a list changes the key, so nothing is ever stale or invalidated. A form
with errors is rendered every time. The *All escalations* filter form took 39 ms of crispy-forms
rendering on every request (bench/README.md).
"""

from __future__ import annotations

import hashlib
import json

from crispy_forms.utils import render_crispy_form
from django import template
from django.core.cache import caches
from django.utils.safestring import mark_safe

register = template.Library()

CACHE = "fragments"


def _offered(field) -> list | None:
    """What a field's choices are made from: for a model choice field, every column of every row
    of its queryset (its labels are made from the rows; reading the rows as tuples costs a query
    and no model instances), and its empty label; for another choice field, the choices."""
    queryset = getattr(field, "queryset", None)
    if queryset is not None:
        return [str(field.empty_label), *([str(value) for value in row] for row in queryset.values_list())]
    choices = getattr(field, "choices", None)
    return [[str(value), str(label)] for value, label in choices] if choices is not None else None


def form_markup_key(form) -> str:
    """The cache key of a form's markup: a sha256 of its class, each field's shown value and what
    the choices of each field that has them are made from."""
    fields = [[bound.name, repr(bound.value()), _offered(bound.field)] for bound in form]
    described = {"form": f"{type(form).__module__}.{type(form).__qualname__}", "fields": fields}
    return "form:" + hashlib.sha256(json.dumps(described, separators=(",", ":")).encode()).hexdigest()


@register.simple_tag
def crispy_kept(form):
    if form.is_bound and form.errors:
        return render_crispy_form(form)
    cache = caches[CACHE]
    key = form_markup_key(form)
    markup = cache.get(key)
    if markup is None:
        markup = str(render_crispy_form(form))
        cache.set(key, markup)
    return mark_safe(markup)  # noqa: S308 - crispy's own rendered (escaped) markup, read back
