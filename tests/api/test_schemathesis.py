"""schemathesis, as a real outside client, against the live server: every operation of the API,
with positive and negative data, with a key of each scope and a manager's signed-in session (the
manager's moves, acknowledge and respond, need one; a session sends CSRF as a browser would).

Checks: all of schemathesis's. Two are told what this API answers, as its schema documents:
- a request valid by the schema may still be refused by the rules with 400 (a code that names no
  stage, a child that is not on the caseload), 409 (a closed escalation) or 412 (a stale If-Match):
  ``positive_data_acceptance`` accepts those;
- a missing If-Match is 428 Precondition Required (RFC 6585), which ``missing_required_header``
  accepts.
Every other answer must be documented for its operation and match its schema; no 5xx.

Bounded: 15 examples an operation in the fuzzing phase, and the coverage phase (every boundary value
of every field) only for the operations the caller can reach: one it may never use answers 403 to
anything, which the fuzzing phase's positive and negative data show. It runs once, on PostgreSQL
(production's database, and the stricter: NUL characters, integer ranges).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import resolve
from django.utils import timezone
from django.utils.crypto import get_random_string

from api.scopes import Scope
from escalations import services as workflow
from ladder.models import Stage
from people.models import Role
from reports.periods import Period
from reports.services import report_issue
from tests.api.conftest import make_key
from tests.factories import (
    ChildFactory,
    DriftFlagFactory,
    IroFactory,
    ManagerFactory,
    SiblingGroupFactory,
    TeamFactory,
    UserFactory,
    outcome,
    raise_escalation,
    reseed_vocabularies,
)
from themes.selectors import drift_reason_list, resolution_outcome_list, theme_list

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="schemathesis runs once, in the PostgreSQL suite (production's database): see the module docstring",
    ),
]

HOOKS = Path(__file__).with_name("schemathesis_hooks.py")
CHECKED_IN = Path(__file__).resolve().parents[2] / "api" / "openapi.yaml"
MAX_EXAMPLES = 15
CONFIG = """
[phases.stateful]
enabled = false

[checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "409", "412"]

[checks.missing_required_header]
expected-statuses = ["400", "401", "403", "404", "428"]
"""


@pytest.fixture
def fast_enough(settings):
    """The throttle is tested on its own (test_throttling): here it must not get in the way."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "1000000/minute"}}


@pytest.fixture
def council():
    """A small council: an IRO with a caseload and escalations in every state, another IRO's, managers
    at every stage, teams, a sibling group, drift flags open and cleared, an issued committee report,
    and the accounts of the keys."""
    reseed_vocabularies()
    teams = [TeamFactory(name="Children Looked After - North"), TeamFactory(name="Children Looked After - South")]
    iro, other_iro = IroFactory(username="fuzz-iro"), IroFactory(username="fuzz-iro-b")
    managers = {
        stage.code: [ManagerFactory(stage=stage, team=teams[0]), ManagerFactory(stage=stage, team=teams[1])]
        for stage in Stage.objects.filter(active=True)
    }
    group = SiblingGroupFactory()
    caseload = [ChildFactory(iro=iro, team=teams[i % 2], sibling_group=group if i < 3 else None) for i in range(8)]
    others = [ChildFactory(iro=other_iro, team=teams[0]) for _ in range(3)]
    manager = managers["team_manager"][0]
    escalations = [raise_escalation(iro=iro, children=[child], addressee=manager) for child in caseload[:6]]
    workflow.escalation_first_response(escalation=escalations[1], by=manager)
    workflow.escalation_respond(escalation=escalations[2], by=manager, response="We will update the plan.")
    workflow.escalation_resolve(
        escalation=escalations[3], by=iro, outcome=outcome("resolved"), reason="The plan was updated."
    )
    workflow.escalation_withdraw(escalation=escalations[4], by=iro, reason="Raised in error.")
    for child in (caseload[0], caseload[6], others[0]):
        DriftFlagFactory(child=child)
        DriftFlagFactory(child=child, rule="R28-visit", cleared_on=dt.date(2026, 1, 5), escalation=escalations[0])
    theirs = raise_escalation(iro=other_iro, children=[others[0]], addressee=managers["team_manager"][1])
    service_manager = UserFactory(role=Role.SERVICE_MANAGER)
    year = timezone.localdate().year - 1
    issued, _ = report_issue(period=Period.financial_year(f"{year - 1}-{year % 100:02d}"), by=service_manager)
    return {
        "iro": iro,
        "manager": manager,
        "managers": managers,
        "teams": teams,
        "caseload": caseload,
        "all_children": caseload + others,
        "escalations": escalations,
        "all_escalations": [*escalations, theirs],
        "issued": [issued.pk],
        "cms": UserFactory(username="cms-service", role=Role.ADMIN),
        "viewer": UserFactory(username="bi-service", role=Role.REPORT_VIEWER),
        "year": year,
    }


def _fuzz_data(council, base: str, auth_headers: dict, *, children, escalations) -> dict:
    themes = theme_list()
    year = council["year"]
    return {
        "base": base,
        "auth_headers": auth_headers,
        "children": [child.pk for child in children],
        "case_ids": [child.case_id for child in children],
        "raisable": [child.pk for child in council["caseload"]],
        "escalations": [escalation.pk for escalation in escalations],
        "issued": council["issued"],
        "stages": list(council["managers"]),
        "managers": {
            "any": [m.pk for people in council["managers"].values() for m in people],
            **{code: [m.pk for m in people] for code, people in council["managers"].items()},
        },
        "themes": [theme.code for theme in themes],
        "subthemes": [f"{t.code}/{sub.code}" for t in themes for sub in t.active_subthemes],
        "drift_reasons": [reason.code for reason in drift_reason_list()],
        "outcomes": [o.code for o in resolution_outcome_list()],
        "teams": [team.name for team in council["teams"]],
        "iros": [council["iro"].pk],
        "periods": [f"{y}-{(y + 1) % 100:02d}" for y in range(year - 3, year + 1)],
    }


def _session_headers(user) -> dict:
    """A signed-in session, as sign-in makes it, and the CSRF cookie and header a browser sends."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    csrf = get_random_string(32)
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
    }


def _refused_operations(scope: str | None, role: str) -> list[str]:
    """The operations a caller may never use (403 whatever is sent), from the views' own ``access``
    (``api.permissions``). For those the fuzzing phase is enough; the coverage phase, which sends
    every boundary value of every field, is kept for the operations the caller can reach."""
    schema = yaml.safe_load(CHECKED_IN.read_text())
    refused = []
    for path, methods in schema["paths"].items():
        view = resolve(path.replace("{id}", "1")).func.view_class
        for method, operation in methods.items():
            scopes, roles = view.access[method.upper()]
            if (scope is not None and scope not in scopes) or role not in roles:
                refused.append(operation["operationId"])
    return refused


def _config(refused: list[str]) -> str:
    if not refused:
        return CONFIG
    ids = ", ".join(f'"{operation}"' for operation in refused)
    return CONFIG + f"\n[[operations]]\ninclude-operation-id = [{ids}]\nphases.coverage.enabled = false\n"


def _schemathesis(live_server, tmp_path, name: str, headers: dict, data: dict, extra=(), refused=()):
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(list(refused)))
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        f"{live_server.url}/api/v1/schema/",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        # One worker: schemathesis's workers are threads, and Python 3.11.7's ast.parse (which
        # hypothesis calls to describe a filter) is not thread-safe: "SystemError: AST constructor
        # recursion depth mismatch", CPython gh-106905), which two workers met once in five runs.
        "--workers",
        "1",
        "--seed",
        "17",
        "--generation-database",
        "none",
        "--no-color",
        "--request-timeout",
        "60",
        "--report",
        "junit",
        "--report-junit-path",
        str(tmp_path / f"schemathesis-{name}.xml"),
    ]
    for header, value in headers.items():
        command += ["-H", f"{header}: {value}"]
    command += list(extra)
    env = {**os.environ, "API_FUZZ_DATA": json.dumps(data), "SCHEMATHESIS_HOOKS": str(HOOKS)}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=900, cwd=tmp_path)


def _run(live_server, tmp_path, name, headers, data, extra=(), refused=()):
    started = dt.datetime.now()
    done = _schemathesis(live_server, tmp_path, name, headers, data, extra, refused)
    start = done.stdout.find("FAILURES") if "FAILURES" in done.stdout else done.stdout.rfind("SUMMARY")
    summary = done.stdout[start:] if start >= 0 else done.stdout[-3000:]
    print(f"--- schemathesis as {name} ({(dt.datetime.now() - started).seconds} s) ---\n{summary}")
    assert done.returncode == 0, f"schemathesis as {name} failed:\n{done.stdout[-20000:]}\n{done.stderr[-3000:]}"
    assert "Tested: " in done.stdout
    return done


@pytest.mark.parametrize("scope", [Scope.CASE_MANAGEMENT, Scope.REPORTING, Scope.IRO_TOOLS, "manager session"])
def test_schemathesis_finds_nothing(live_server, tmp_path, council, fast_enough, scope):
    if scope == "manager session":
        account = council["manager"]
        headers = _session_headers(account)
        children = council["caseload"][:6]
        escalations = council["escalations"]
    else:
        account = {Scope.CASE_MANAGEMENT: council["cms"], Scope.REPORTING: council["viewer"]}.get(scope, council["iro"])
        headers = {"Authorization": f"Api-Key {make_key(account, scope, f'schemathesis {scope}')}"}
        children = council["caseload"] if scope == Scope.IRO_TOOLS else council["all_children"]
        escalations = council["escalations"] if scope == Scope.IRO_TOOLS else council["all_escalations"]
    data = _fuzz_data(council, live_server.url, headers, children=children, escalations=escalations)
    # The session is a raw Cookie header, which schemathesis cannot take away when it checks that a
    # request without the schema's credentials is refused; the key runs make that check.
    extra = ["--exclude-checks", "ignored_auth"] if scope == "manager session" else []
    refused = _refused_operations(None if scope == "manager session" else str(scope), account.role)
    _run(live_server, tmp_path, str(scope), headers, data, extra, refused)
