"""The API's behaviour, one thing per test: keys (shown once, stored hashed, revoked, every use
recorded, the access log naming the key), problems (RFC 9457, field errors), children (upsert by case
ID, filters), escalations (raise, moves with If-Match, Idempotency-Key replays, notes), a signed-in
session with CSRF, reports without child data, drift flags, and the throttle's Retry-After."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import KeyUse, ServiceKey
from api.scopes import Scope
from api.services import api_key_revoke
from audit.models import AccessLogEntry
from children.models import Child
from escalations.models import Escalation
from tests.api.conftest import key_client
from tests.factories import DriftFlagFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _iro(api_world):
    return key_client(api_world["keys"][Scope.IRO_TOOLS])


def _cms(api_world):
    return key_client(api_world["keys"][Scope.CASE_MANAGEMENT])


# --- keys ---------------------------------------------------------------------------------------------


def test_a_key_is_stored_hashed_never_as_its_secret(api_world):
    secret = api_world["keys"][Scope.REPORTING]
    key = ServiceKey.objects.get(name="Power BI")
    assert secret.startswith(key.prefix + ".")
    assert secret not in key.hashed_key and key.hashed_key
    assert key.is_valid(secret)


def test_the_create_command_shows_the_key_once(api_world, capsys):
    call_command(
        "api_key_create", "--name", "Warehouse", "--user", api_world["viewer"].username, "--scope", "reporting"
    )
    shown = capsys.readouterr().out
    key = ServiceKey.objects.get(name="Warehouse")
    secret = next(word for word in shown.split() if word.startswith(key.prefix + "."))
    assert key_client(secret).get(reverse("api:issued_reports")).status_code == 200


def test_a_revoked_key_is_refused_with_401_and_a_problem(api_world):
    api_key_revoke(key=ServiceKey.objects.get(name="Power BI"), by=None)
    response = key_client(api_world["keys"][Scope.REPORTING]).get(reverse("api:issued_reports"))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Api-Key")
    assert "revoked" in response.json()["detail"]


def test_every_use_of_a_key_is_recorded_without_the_query_string(api_world):
    _cms(api_world).get(reverse("api:children") + f"?case_id={api_world['own_child'].case_id}")
    use = KeyUse.objects.get(key__name="Mosaic nightly")
    assert (use.method, use.path, use.status) == ("GET", "/api/v1/children/", 200)


def test_reading_a_child_is_in_the_access_log_naming_the_key(api_world):
    child = api_world["own_child"]
    _iro(api_world).get(reverse("api:child", kwargs={"id": child.pk}))
    entry = AccessLogEntry.objects.get(child=child, user=api_world["iro"])
    key = ServiceKey.objects.get(name="IRO tools")
    assert entry.path == f"/api/v1/children/{child.pk}/ (API key {key.prefix} (IRO tools))"


# --- problems -------------------------------------------------------------------------------------------


def test_bad_input_is_a_problem_naming_each_field(api_world):
    response = _cms(api_world).post(
        reverse("api:children_upsert"), {"children": [{"case_id": "A1", "sex": "7"}, {}]}, format="json"
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["status"] == 400
    pointers = {error["pointer"] for error in problem["errors"]}
    assert pointers == {"#/children/0/sex", "#/children/1/case_id"}
    assert Child.objects.filter(case_id="A1").count() == 0


def test_outside_access_is_a_404_problem_as_on_the_pages(api_world):
    response = _iro(api_world).get(reverse("api:escalation", kwargs={"id": api_world["other"].pk}))
    assert response.status_code == 404
    assert response.json()["detail"] == f"There is no escalation {api_world['other'].pk} that you can see."


def test_a_scope_that_may_not_use_an_operation_is_told_which_may(api_world):
    response = key_client(api_world["keys"][Scope.REPORTING]).get(reverse("api:children"))
    assert response.status_code == 403
    assert "case-management or iro-tools" in response.json()["detail"]


# --- children -----------------------------------------------------------------------------------------


def test_upsert_creates_then_changes_then_leaves_alone(api_world):
    team = TeamFactory(name="North")
    row = {"case_id": "C900", "first_name": "Ada", "team": "North", "iro": api_world["iro"].pk, "sibling_group": "G1"}
    first = _cms(api_world).post(reverse("api:children_upsert"), {"children": [row]}, format="json").json()
    assert (first["created"], first["updated"], first["unchanged"]) == (1, 0, 0)
    again = _cms(api_world).post(reverse("api:children_upsert"), {"children": [row]}, format="json").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    changed = {"case_id": "C900", "social_worker": "J Smith"}
    third = _cms(api_world).post(reverse("api:children_upsert"), {"children": [changed]}, format="json").json()
    assert (third["created"], third["updated"]) == (0, 1)
    child = Child.objects.get(case_id="C900")
    assert (child.first_name, child.team, child.iro, child.social_worker) == ("Ada", team, api_world["iro"], "J Smith")
    assert child.sibling_group.name == "G1"


def test_upsert_is_all_or_nothing_naming_the_row(api_world):
    rows = [{"case_id": "C901"}, {"case_id": "C902", "team": "Nowhere"}]
    response = _cms(api_world).post(reverse("api:children_upsert"), {"children": rows}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"pointer": "#/children/1/team", "detail": "There is no team called 'Nowhere'. An admin adds teams."}
    ]
    assert not Child.objects.filter(case_id__in=["C901", "C902"]).exists()


def test_an_iro_key_lists_only_their_caseload(api_world):
    results = _iro(api_world).get(reverse("api:children")).json()["results"]
    assert [row["id"] for row in results] == [api_world["own_child"].pk]


def test_children_filter_by_case_id(api_world):
    child = api_world["other_child"]
    results = _cms(api_world).get(reverse("api:children") + f"?case_id={child.case_id}").json()["results"]
    assert [row["case_id"] for row in results] == [child.case_id]


# --- escalations --------------------------------------------------------------------------------------


def _raise(client, api_world, **headers):
    body = {
        "children": [api_world["own_child"].pk],
        "stage": "team_manager",
        "addressee": api_world["manager"].pk,
        "concern": "The plan has not changed since the review.",
        "themes": ["drift"],
    }
    return client.post(reverse("api:escalations"), body, format="json", **headers)


def test_raise_gives_201_with_location_and_etag(api_world):
    response = _raise(_iro(api_world), api_world)
    assert response.status_code == 201, response.json()
    escalation = Escalation.objects.get(pk=response.json()["id"])
    assert response["Location"] == f"/api/v1/escalations/{escalation.pk}/"
    assert response["ETag"] == f'"{escalation.version}"'
    assert escalation.iro == api_world["iro"]


def test_the_same_idempotency_key_again_replays_the_first_answer(api_world):
    client = _iro(api_world)
    first = _raise(client, api_world, HTTP_IDEMPOTENCY_KEY="k-1")
    second = _raise(client, api_world, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.json()["id"] == second.json()["id"]
    assert second["Idempotent-Replayed"] == "true"
    assert Escalation.objects.filter(children=api_world["own_child"]).count() == 2  # the fixture's and this one


def test_an_idempotency_key_used_for_another_change_is_409(api_world):
    client = _iro(api_world)
    _raise(client, api_world, HTTP_IDEMPOTENCY_KEY="k-2")
    own = api_world["own"]
    response = client.post(
        reverse("api:withdraw", kwargs={"id": own.pk}),
        {"reason": "Raised in error."},
        format="json",
        HTTP_IF_MATCH=f'"{own.version}"',
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert response.status_code == 409
    assert "already used" in response.json()["detail"]


def test_a_move_without_if_match_is_428(api_world):
    response = _iro(api_world).post(
        reverse("api:withdraw", kwargs={"id": api_world["own"].pk}), {"reason": "Raised in error."}, format="json"
    )
    assert response.status_code == 428


def test_a_stale_if_match_is_412_with_what_changed(api_world):
    own = api_world["own"]
    client = _iro(api_world)
    stale = f'"{own.version}"'
    client.post(reverse("api:note", kwargs={"id": own.pk}), {"text": "A question."}, format="json")
    moved = client.post(
        reverse("api:withdraw", kwargs={"id": own.pk}), {"reason": "Error."}, format="json", HTTP_IF_MATCH=stale
    )
    assert moved.status_code == 200
    again = client.post(
        reverse("api:resolve", kwargs={"id": own.pk}),
        {"outcome": "resolved", "reason": "Done."},
        format="json",
        HTTP_IF_MATCH=stale,
    )
    assert again.status_code == 412
    problem = again.json()
    assert problem["current_version"] == moved.json()["version"]
    assert problem["changes"][0]["who"] == str(api_world["iro"])


def test_a_move_the_state_table_refuses_is_409(api_world):
    own = api_world["own"]
    client = _iro(api_world)
    done = client.post(
        reverse("api:withdraw", kwargs={"id": own.pk}),
        {"reason": "Error."},
        format="json",
        HTTP_IF_MATCH=f'"{own.version}"',
    )
    response = client.post(
        reverse("api:withdraw", kwargs={"id": own.pk}), {"reason": "Error."}, format="json", HTTP_IF_MATCH=done["ETag"]
    )
    assert response.status_code == 409


def test_a_manager_session_responds_with_csrf(api_world, settings):
    own = api_world["own"]
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(api_world["manager"])
    url = reverse("api:respond", kwargs={"id": own.pk})
    body = {"response": "We will update the plan.", "action_agreed": "Plan updated", "action_due_on": "2030-01-10"}
    refused = client.post(url, body, format="json", HTTP_IF_MATCH=f'"{own.version}"')
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    client.get(reverse("home"), follow=True)  # any page with a form (sign out) sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    answered = client.post(url, body, format="json", HTTP_IF_MATCH=f'"{own.version}"', HTTP_X_CSRFTOKEN=token)
    assert answered.status_code == 200, answered.json()
    assert answered.json()["state"] == "responded"


def test_the_manager_key_side_cannot_respond_with_an_iro_key(api_world):
    own = api_world["own"]
    response = _iro(api_world).post(
        reverse("api:respond", kwargs={"id": own.pk}),
        {"response": "x"},
        format="json",
        HTTP_IF_MATCH=f'"{own.version}"',
    )
    assert response.status_code == 403


# --- reports, drift flags, throttle ---------------------------------------------------------------------


def test_the_committee_report_names_no_child(api_world):
    response = key_client(api_world["keys"][Scope.REPORTING]).get(reverse("api:committee_report"))
    assert response.status_code == 200
    assert "schema" in response.json()
    text = response.content.decode()
    for child in (api_world["own_child"], api_world["other_child"]):
        assert child.last_name not in text and child.case_id not in text


def test_drift_flags_of_the_caseload_only(api_world):
    mine = DriftFlagFactory(child=api_world["own_child"])
    DriftFlagFactory(child=api_world["other_child"])
    results = _iro(api_world).get(reverse("api:drift_flags")).json()["results"]
    assert [(row["id"], row["child"]["id"]) for row in results] == [(mine.pk, api_world["own_child"].pk)]
    assert (
        AccessLogEntry.objects.filter(child=api_world["own_child"], path__startswith="/api/v1/drift-flags/").count()
        == 1
    )


def test_drift_flags_filter_by_child_and_status(api_world):
    own, other = api_world["own_child"], api_world["other_child"]
    DriftFlagFactory(child=own)
    cleared = DriftFlagFactory(child=other, rule="R28-visit", cleared_on="2026-01-05")
    DriftFlagFactory(child=other)
    url = reverse("api:drift_flags") + f"?child={other.pk}&status=cleared"
    results = _cms(api_world).get(url).json()["results"]
    assert [row["id"] for row in results] == [cleared.pk]
    assert results[0]["rule_label"] and results[0]["cleared_on"] == "2026-01-05"


def test_too_many_requests_is_429_with_retry_after(api_world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "2/minute"}}
    client = key_client(api_world["keys"][Scope.REPORTING])
    codes = [client.get(reverse("api:issued_reports")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    last = client.get(reverse("api:issued_reports"))
    assert 1 <= int(last["Retry-After"]) <= 60
    other = key_client(api_world["keys"][Scope.CASE_MANAGEMENT]).get(reverse("api:vocabularies"))
    assert other.status_code == 200  # per key
