"""``{% crispy_kept %}``: a filter form's markup, kept per process under a key of what it shows."""

import pytest
from django.core.cache import caches
from django.http import QueryDict
from django.template import Context, Template
from django.utils import timezone

from core.templatetags import kept_forms
from escalations.filters import AllEscalationsFilter
from escalations.models import Escalation
from tests.factories import IroFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    caches[kept_forms.CACHE].clear()
    yield
    caches[kept_forms.CACHE].clear()


def _form(query: str = ""):
    filters = AllEscalationsFilter(QueryDict(query), queryset=Escalation.objects.all())
    filters.is_valid()
    return filters.form


def _render(tag: str, form) -> str:
    return Template("{% load crispy_forms_tags kept_forms %}{% " + tag + " form %}").render(Context({"form": form}))


@pytest.mark.parametrize("query", ["", "status=open&q=ESC-2026", "overdue=on&raised_from_0=1&raised_from_1=4"])
def test_the_kept_markup_is_crispys_markup(query):
    assert _render("crispy_kept", _form(query)) == _render("crispy", _form(query))


def test_the_same_form_is_rendered_once(monkeypatch):
    calls = []
    render = kept_forms.render_crispy_form
    monkeypatch.setattr(kept_forms, "render_crispy_form", lambda form: calls.append(form) or render(form))
    first, second = _render("crispy_kept", _form("status=open")), _render("crispy_kept", _form("status=open"))
    assert (first, len(calls)) == (second, 1)


def test_other_values_are_other_markup():
    assert 'value="closed" selected' in _render("crispy_kept", _form("status=closed"))
    assert 'value="open" selected' in _render("crispy_kept", _form("status=open"))


def test_a_new_choice_is_shown_at_once():
    _render("crispy_kept", _form())
    IroFactory(first_name="Ottoline", last_name="Quince")
    assert "Ottoline Quince" in _render("crispy_kept", _form())


def test_a_form_with_errors_is_rendered_each_time_with_its_errors():
    query = "raised_from_0=31&raised_from_1=2&raised_from_2=2026"
    form = _form(query)
    assert form.errors
    # a fresh form for each: rendering a form with errors adds to its widgets' classes
    assert _render("crispy_kept", form) == _render("crispy", _form(query))
    assert caches[kept_forms.CACHE].get(kept_forms.form_markup_key(form)) is None


def test_a_search_typed_in_is_not_kept():
    form = _form("q=Ottoline")
    assert "Ottoline" in _render("crispy_kept", form)
    assert caches[kept_forms.CACHE].get(kept_forms.form_markup_key(form)) is None


def test_a_form_with_nothing_typed_in_is_kept():
    form = _form("status=open")
    markup = _render("crispy_kept", form)
    assert caches[kept_forms.CACHE].get(kept_forms.form_markup_key(form)) in markup


def test_a_sign_in_is_not_a_new_key():
    iro = IroFactory()
    before = kept_forms.form_markup_key(_form())
    iro.last_login = timezone.now()
    iro.save()
    assert kept_forms.form_markup_key(_form()) == before


def test_a_renamed_choice_is_shown_at_once():
    iro = IroFactory(first_name="Ottoline", last_name="Quince")
    _render("crispy_kept", _form())
    iro.last_name = "Marchbanks"
    iro.save()
    assert "Ottoline Marchbanks" in _render("crispy_kept", _form())
