"""Property-based fuzzing (issue 16): whatever comes in, the service answers with a page (a message
or success), never a 5xx or a traceback. Hypothesis, bounded and derandomised so the whole file runs
in well under 2 minutes; each test prints how many examples it ran (``pytest -s`` shows them, and
the counts are in the summary's "Hypothesis" statistics with ``--hypothesis-show-statistics``).

- log rows and whole files through the import (``imports.services.escalation_log_import``);
- every POST form the URL conf serves, found by walking it and reading each page's forms;
- every list filter (the query strings of the lists);
- every sign-in field.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from escalations.models import Escalation
from reports import services as report_services
from tests.factories import ChildFactory, IroFactory, ServiceManagerFactory, london, raise_escalation
from tests.imports.helpers import HEADER, import_log, log_csv, row

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
COUNTS: dict[str, int] = {}

# Text that has broken things before: control characters, NUL, long runs, huge numbers, odd scripts.
nasty_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["\x00", "ཋЖ", "99999999999999999999", "=1+1", "'; DROP TABLE x; --", "a" * 5000, "-1", "0"]),
)


def _count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def _print_counts():
    yield
    print("\nHypothesis examples run: " + ", ".join(f"{name} {n}" for name, n in sorted(COUNTS.items())))


def _no_server_error(response) -> None:
    assert response.status_code < 500, response.content[:500]
    assert b"Traceback" not in response.content


# --- the import ---------------------------------------------------------------------------------------


@FUZZ
@given(cells=st.dictionaries(st.sampled_from(HEADER), nasty_text, max_size=len(HEADER)))
def test_fuzzed_log_rows_are_imported_or_refused_with_a_message(cells):
    _count("log rows")
    iro = IroFactory()
    data = log_csv([row("LOG-1", iro, [ChildFactory(iro=iro)], **cells)])
    try:
        import_log(data, create_missing=True)
    except DomainError as refused:
        assert str(refused).strip()


@FUZZ
@given(data=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)), xlsx=st.booleans())
def test_fuzzed_whole_files_are_imported_or_refused_with_a_message(data, xlsx):
    _count("log files")
    try:
        import_log(data, filename="log.xlsx" if xlsx else "log.csv")
    except DomainError as refused:
        assert str(refused).strip()


# --- every POST form ------------------------------------------------------------------------------------


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


_FORM = re.compile(r'<form[^>]*method="post"[^>]*>(.*?)</form>', re.S | re.I)
_FIELD = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', re.I)


def _post_forms(client, escalation, story) -> dict[str, list[str]]:
    """Each page's URL and the names of the fields of its POST forms, for every URL in the URL conf
    that a service manager can open with the world's objects (admin and sign-out pages left out)."""
    args_for = {"escalations": [escalation.pk], "reports:story_change": [story.pk]}
    forms = {}
    for name, pattern in _patterns():
        if name.startswith(("admin:", "oidc")) or name in ("logout", "login"):
            continue
        wants = len(pattern.pattern.converters)
        args = args_for.get(name, args_for.get(name.split(":")[0], [])) if wants else []
        if len(args) != wants:
            continue
        try:
            url = reverse(name, args=args)
        except Exception:  # noqa: BLE001 (a pattern the world has no object for)
            continue
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        names = sorted(
            {field for form in _FORM.findall(response.content.decode()) for field in _FIELD.findall(form)}
            - {"csrfmiddlewaretoken"}
        )
        if names:
            forms[url] = names
    return forms


_WALKED: dict = {}


@FUZZ
@given(data=st.data())
def test_every_post_form_answers_fuzzed_input_with_a_page(client, data):
    _count("form posts")
    manager = ServiceManagerFactory()
    escalation = Escalation.objects.first() or raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    story = (
        report_services.story_include(escalation=escalation, by=manager)
        if not hasattr(escalation, "story")
        else escalation.story
    )
    client.force_login(manager)
    # The walk is done once per test: the examples share its database, and so its objects.
    key = (escalation.pk, story.pk)
    if key not in _WALKED:
        _WALKED.clear()
        _WALKED[key] = _post_forms(client, escalation, story)
    forms = _WALKED[key]
    assert len(forms) >= 10, forms  # the walk finds the forms
    url = data.draw(st.sampled_from(sorted(forms)))
    values = {name: data.draw(nasty_text, label=name) for name in forms[url]}
    _no_server_error(client.post(url, values))


# --- every list filter ------------------------------------------------------------------------------------

LISTS = {
    "escalations:all": ["q", "status", "stage", "theme", "team", "iro", "overdue", "sort", "page"]
    + [f"raised_{end}_{part}" for end in ("from", "to") for part in range(3)],
    "children:list": ["q", "page"],
    "drift:all": ["rule", "status", "iro", "team", "page", "sort"],
    "dashboard": ["year"],
    "reports:page": ["period", "start_0", "start_1", "start_2", "end_0", "end_1", "end_2"],
    "sign_in_failures": ["page"],
}


@FUZZ
@given(name=st.sampled_from(sorted(LISTS)), data=st.data())
def test_every_list_filter_answers_fuzzed_input_with_a_page(client, name, data):
    _count("list filters")
    client.force_login(ServiceManagerFactory())
    query = {field: data.draw(nasty_text, label=field) for field in data.draw(st.sets(st.sampled_from(LISTS[name])))}
    _no_server_error(client.get(reverse(name), query))


# --- sign-in ------------------------------------------------------------------------------------------------


@FUZZ
@given(username=nasty_text, password=nasty_text, next_url=nasty_text)
def test_every_sign_in_field_answers_fuzzed_input_with_a_page(client, username, password, next_url):
    _count("sign-in")
    response = client.post(reverse("login"), {"username": username, "password": password, "next": next_url})
    _no_server_error(response)
    assert response.status_code in (200, 302, 413, 429)
