"""The API's operations. Thin, like the pages: who may call each is ``api.permissions`` (the key's
scope and the account's role); which objects they reach comes from the selectors the pages use
(outside them is 404); changes go through the services the pages use, with the escalation's version
as If-Match and a one-time key as Idempotency-Key (``core.once``). Every answer carrying child data
is written to the access log, naming the key."""

from __future__ import annotations

import json
import re

from django.http import JsonResponse
from django.urls import resolve, reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as s
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as io
from api import services
from api.permissions import request_key
from api.problems import MEDIA_TYPE, Problem, problem
from api.schema import ETAG, IDEMPOTENCY_KEY, IF_MATCH, REPLAYED, answers
from api.scopes import ALL_SCOPES, Scope
from audit.services import access_log_record, access_log_record_many
from children.selectors import child_changed_since, child_visible_to, child_with_updated_at
from core.errors import DomainError, StaleUpdate
from core.once import once_run
from drift.selectors import drift_flag_search, drift_today
from escalations import selectors as esc
from escalations import services as workflow
from escalations.models import Escalation
from escalations.states import Action, actions_open_to
from ladder.selectors import stage_list
from people.access import CASEWORKERS, IRO_SIDE, OVERSIGHT, REPORT_MANAGERS, REPORT_READERS, RESPONDERS
from people.models import Role
from people.selectors import absences_current, manager_list, teams_by_name
from reports.models import IssuedReport
from reports.outputs import report_document
from reports.periods import Period
from reports.renderers import render_json
from reports.selectors import default_period, issued_report_get, issued_report_list
from themes.selectors import drift_reason_list, resolution_outcome_list, theme_list
from workdays.selectors import working_calendar

EVERYONE = tuple(Role.values)
CASE_READERS = frozenset({Scope.CASE_MANAGEMENT, Scope.IRO_TOOLS})
IRO = frozenset({Scope.IRO_TOOLS})
ID_RE = re.compile(r"^[0-9]{1,18}$")
IF_MATCH_RE = re.compile(r'^"([0-9]{1,9})"$')
KEY_RE = re.compile(r"^[!-~]{1,64}$")

ID_PATH = OpenApiParameter(
    "id",
    {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},
    OpenApiParameter.PATH,
    description="The record's id.",
)


# --- the shared machinery ----------------------------------------------------------------------------


class ApiView(APIView):
    # Every operation: ``access`` maps each method to the key scopes and the roles that may call it.
    # Every request made with a key is recorded (``api.services.api_key_use_record``).

    access: dict[str, tuple[frozenset, tuple]] = {}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = request_key(request)
        if key is not None:
            services.api_key_use_record(key=key, method=request.method, path=request.path, status=response.status_code)
        return response


def query(request, serializer_class) -> dict:
    """The query parameters, checked by ``serializer_class``; a bad one is a 400 naming it."""
    # A plain dict, not the QueryDict: an empty value is then checked like any other ("?iro=" is not
    # a number), not taken as absent as an HTML form's would be.
    checked = serializer_class(data=dict(request.query_params.items()))
    if not checked.is_valid():
        raise ValidationError({"parameter": checked.errors})
    return checked.validated_data


def body(request, serializer_class) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": ["Send a JSON object."]})
    checked = serializer_class(data=request.data)
    checked.is_valid(raise_exception=True)
    return checked.validated_data


def record_id(value: str, what: str) -> int:
    if not ID_RE.match(value or ""):
        raise NotFound(f"There is no {what} {value!r}.")
    return int(value)


def logged_path(request) -> str:
    """How the access log names an API read: the path, and the key when it was made with one."""
    key = request_key(request)
    return f"{request.path} ({key.label})" if key else request.path


def if_match(request) -> int:
    header = request.headers.get("If-Match")
    if header is None:
        raise Problem(
            'Send the escalation\'s ETag as If-Match ("7"), from when you read it, so that a change made since is '
            "not overwritten.",
            status_code=428,
        )
    found = IF_MATCH_RE.match(header.strip())
    if not found:
        raise ValidationError({"header": {"If-Match": ['Send the ETag exactly as it was given, in quotes: "7".']}})
    return int(found.group(1))


def idempotency_key(request) -> str | None:
    header = request.headers.get("Idempotency-Key")
    if header is None:
        return None
    if not KEY_RE.match(header):
        raise ValidationError({"header": {"Idempotency-Key": ["Send 1 to 64 visible ASCII characters (a UUID, say)."]}})
    return header


class _Refused(Exception):
    """A service's refusal, carried out of ``once_run`` (which rolls its key back)."""

    def __init__(self, error: DomainError):
        self.error = error


def once(request, *, scope: str, run) -> tuple[str, bool]:
    """Make the change ``run`` makes (it returns its result's path) at most once for the request's
    Idempotency-Key. Returns the path and whether this request made it."""
    key = idempotency_key(request)

    def change() -> str:
        try:
            return run()
        except DomainError as error:
            raise _Refused(error) from error

    try:
        result = once_run(key=key, user=request.user, scope=scope, run=change)
    except _Refused as refused:
        raise refused.error from None
    except DomainError:  # the key was used before, for another change
        raise Problem(
            "This Idempotency-Key was already used for a different request. Send a new key for a new change.",
            status_code=409,
            kind=("idempotency-key-reused", "Idempotency-Key used for something else"),
        ) from None
    return result.path, result.first


class Page(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"


def page_of(serializer_class, name: str):
    return inline_serializer(
        name=name,
        fields={
            "next": s.URLField(allow_null=True, help_text="The next page, or null on the last."),
            "previous": s.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


def paginate(view, request, queryset, ordering):
    paginator = Page()
    paginator.ordering = ordering
    rows = paginator.paginate_queryset(queryset, request, view=view)
    return paginator, rows


def not_found(request, *args, **kwargs):
    """Anything under /api/v1/ that is not an operation: a 404 problem, never an HTML page."""
    body_ = problem(404, "There is no such operation in this API. See /api/v1/docs/.", instance=request.path)
    return JsonResponse(body_, status=404, content_type=MEDIA_TYPE)


# --- vocabularies and people -------------------------------------------------------------------------


class VocabulariesView(ApiView):
    access = {"GET": (ALL_SCOPES, EVERYONE)}

    @extend_schema(
        tags=["vocabularies"],
        operation_id="vocabularies",
        summary="The stages, themes, sub-themes, drift reasons and outcomes that can be chosen now",
        responses=answers({200: io.Vocabularies}),
    )
    def get(self, request):
        data = {
            "stages": stage_list(),
            "themes": theme_list(),
            "drift_reasons": drift_reason_list(),
            "outcomes": resolution_outcome_list(),
        }
        return Response(io.Vocabularies(data).data)


class ManagerQuery(s.Serializer):
    stage = io.Code(required=False, help_text="Only managers at this stage (its code).")


class ManagersView(ApiView):
    access = {"GET": (IRO, IRO_SIDE)}

    @extend_schema(
        tags=["vocabularies"],
        operation_id="managers_list",
        summary="The active responding managers an escalation can be sent to, and who is away",
        parameters=[ManagerQuery],
        responses=answers({200: io.Manager(many=True)}, 400),
    )
    def get(self, request):
        criteria = query(request, ManagerQuery)
        stages = stage_list()
        if "stage" in criteria:
            stages = [stage for stage in stages if stage.code == criteria["stage"]]
            if not stages:
                raise ValidationError({"parameter": {"stage": [f"There is no current stage {criteria['stage']!r}."]}})
        away = absences_current(on=timezone.localdate())
        managers = list(manager_list(stages=stages))
        for manager in managers:
            absence = away.get(manager.pk)
            manager.away_until = absence.ends_on if absence else None
            manager.covered_by = absence.delegate if absence else None
        return Response(io.Manager(managers, many=True).data)


# --- children ------------------------------------------------------------------------------------------


class ChildListView(ApiView):
    access = {"GET": (CASE_READERS, CASEWORKERS)}

    @extend_schema(
        tags=["children"],
        operation_id="children_list",
        summary="The children you may see (an IRO's key: their caseload), by id",
        parameters=[io.ChildQuery],
        responses=answers({200: page_of(io.Child, "ChildPage")}, 400, 404),
    )
    def get(self, request):
        criteria = query(request, io.ChildQuery)
        children = child_visible_to(user=request.user)
        if "case_id" in criteria:
            children = children.filter(case_id=criteria["case_id"])
        if "updated_since" in criteria:
            children = child_changed_since(children, criteria["updated_since"])
        paginator, rows = paginate(self, request, child_with_updated_at(children), ("id",))
        access_log_record_many(user=request.user, path=logged_path(request), children=rows)
        return paginator.get_paginated_response(io.Child(rows, many=True).data)


class ChildDetailView(ApiView):
    access = {"GET": (CASE_READERS, CASEWORKERS)}

    @extend_schema(
        tags=["children"],
        operation_id="child_read",
        summary="One child",
        parameters=[ID_PATH],
        responses=answers({200: io.Child}, 404),
    )
    def get(self, request, id):
        pk = record_id(id, "child")
        child = child_with_updated_at(child_visible_to(user=request.user)).filter(pk=pk).first()
        if child is None:
            raise NotFound(f"There is no child {pk} that you can see.")
        access_log_record(user=request.user, child=child, path=logged_path(request))
        return Response(io.Child(child).data)


class ChildUpsertView(ApiView):
    access = {"POST": (frozenset({Scope.CASE_MANAGEMENT}), REPORT_MANAGERS)}

    @extend_schema(
        tags=["children"],
        operation_id="children_upsert",
        summary="Create or change children by case ID, with their allocation and sibling group",
        description=(
            "All or nothing: if any child is refused, nothing is stored and every problem is listed, each naming "
            "the child's place in the list and the field. Sending the same children again changes nothing."
        ),
        request=io.ChildUpsert,
        responses=answers({200: io.ChildUpsertResult}, 400, 415),
    )
    def post(self, request):
        data = body(request, io.ChildUpsert)
        key = request_key(request)
        result = services.api_children_upsert(
            rows=data["children"], by=request.user, reason=f"From the API ({key.label})" if key else "From the API"
        )
        return Response(io.ChildUpsertResult(result).data)


# --- escalations -----------------------------------------------------------------------------------------


def escalation_shown(request, pk: int, queryset=None) -> Escalation:
    """The escalation with everything its answer shows, if ``request.user`` may see it (404 if not)."""
    try:
        escalation = esc.escalation_detail(queryset=queryset or esc.escalation_visible_to(user=request.user), pk=pk)
    except Escalation.DoesNotExist:
        raise NotFound(f"There is no escalation {pk} that you can see.") from None
    return escalation


def escalation_answer(request, escalation_pk: int, *, code: int = 200, replayed: bool = False) -> Response:
    escalation = escalation_shown(request, escalation_pk)
    esc.escalation_with_due_states([escalation], calendar=working_calendar())
    sent_before = esc.escalation_was_sent_to(escalation=escalation, user=request.user)
    escalation.actions = [a.value for a in actions_open_to(request.user, escalation, sent_before=sent_before)]
    access_log_record(user=request.user, escalation=escalation, path=logged_path(request))
    headers = {"ETag": f'"{escalation.version}"'}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    if code == 201:
        headers["Location"] = reverse("api:escalation", kwargs={"id": escalation.pk})
    return Response(io.Escalation(escalation).data, status=code, headers=headers)


def _stage(code: str, field: str = "stage"):
    stages = {stage.code: stage for stage in stage_list()}
    if code not in stages:
        raise ValidationError({field: [f"There is no current stage {code!r}. Choose one of: {', '.join(stages)}."]})
    return stages[code]


def _manager(pk: int, field: str = "addressee"):
    manager = manager_list(stages=stage_list()).filter(pk=pk).first()
    if manager is None:
        raise ValidationError({field: [f"There is no active responding manager with the id {pk}."]})
    return manager


class EscalationListView(ApiView):
    access = {"GET": (CASE_READERS, CASEWORKERS), "POST": (IRO, IRO_SIDE)}

    @extend_schema(
        tags=["escalations"],
        operation_id="escalations_list",
        summary="The escalations you may see, newest first, with the filters of All escalations",
        parameters=[io.EscalationQuery],
        responses=answers({200: page_of(io.EscalationRow, "EscalationPage")}, 400, 404),
    )
    def get(self, request):
        criteria = query(request, io.EscalationQuery)
        criteria.pop("cursor", None), criteria.pop("page_size", None)
        if "stage" in criteria:
            stages = {stage.code: stage for stage in stage_list(include_retired=True)}
            if criteria["stage"] not in stages:
                raise ValidationError({"parameter": {"stage": [f"There is no stage {criteria['stage']!r}."]}})
            criteria["stage"] = stages[criteria["stage"]]
        if "theme" in criteria:
            themes = {theme.code: theme for theme in theme_list()}
            if criteria["theme"] not in themes:
                raise ValidationError({"parameter": {"theme": [f"There is no theme {criteria['theme']!r}."]}})
            criteria["theme"] = themes[criteria["theme"]]
        if "team" in criteria:
            team = teams_by_name([criteria["team"]]).get(criteria["team"])
            if team is None:
                raise ValidationError({"parameter": {"team": [f"There is no team called {criteria['team']!r}."]}})
            criteria["team"] = team
        escalations = esc.escalation_search(esc.escalation_visible_to(user=request.user), **criteria)
        paginator, rows = paginate(self, request, esc.escalation_list_rows(escalations), ("-raised_at", "-id"))
        rows = esc.escalation_with_due_states(rows, calendar=working_calendar())
        access_log_record_many(user=request.user, path=logged_path(request), escalations=rows)
        return paginator.get_paginated_response(io.EscalationRow(rows, many=True).data)

    @extend_schema(
        tags=["escalations"],
        operation_id="escalation_raise",
        summary="Raise an escalation (an IRO, about children on their caseload)",
        request=io.Raise,
        parameters=[IDEMPOTENCY_KEY, ETAG, REPLAYED],
        responses=answers({201: io.Escalation}, 400, 409, 415),
    )
    def post(self, request):
        data = body(request, io.Raise)
        wanted = data["children"]
        found = child_visible_to(user=request.user).in_bulk(wanted)
        missing = {
            str(i): [f"There is no child {pk} that you can see."] for i, pk in enumerate(wanted) if pk not in found
        }
        if missing:
            raise ValidationError({"children": missing})
        themes = {theme.code: theme for theme in theme_list()}
        subthemes = {f"{t.code}/{sub.code}": sub for t in themes.values() for sub in t.active_subthemes}
        reasons = {reason.code: reason for reason in drift_reason_list()}
        problems = {}
        for field, codes, known in (
            ("themes", data["themes"], themes),
            ("subthemes", data["subthemes"], subthemes),
            ("drift_reasons", data["drift_reasons"], reasons),
        ):
            bad = {
                str(i): [f"{code!r} cannot be chosen (see /api/v1/vocabularies/)."]
                for i, code in enumerate(codes)
                if code not in known
            }
            if bad:
                problems[field] = bad
        if problems:
            raise ValidationError(problems)
        stage, addressee = _stage(data["stage"]), _manager(data["addressee"])

        def run() -> str:
            escalation = workflow.escalation_raise(
                by=request.user,
                children=[found[pk] for pk in dict.fromkeys(wanted)],
                stage=stage,
                addressee=addressee,
                concern=data["concern"],
                desired_outcome=data["desired_outcome"],
                themes=[themes[code] for code in data["themes"]],
                subthemes=[subthemes[code] for code in data["subthemes"]],
                drift_reasons=[reasons[code] for code in data["drift_reasons"]],
            )
            return reverse("api:escalation", kwargs={"id": escalation.pk})

        path, first = once(request, scope="api:raise", run=run)
        return escalation_answer(request, int(resolve(path).kwargs["id"]), code=201, replayed=not first)


class EscalationDetailView(ApiView):
    access = {"GET": (CASE_READERS, CASEWORKERS)}

    @extend_schema(
        tags=["escalations"],
        operation_id="escalation_read",
        summary="One escalation, with its steps and notes; its ETag is its version",
        parameters=[ID_PATH, ETAG],
        responses=answers({200: io.Escalation}, 404),
    )
    def get(self, request, id):
        return escalation_answer(request, record_id(id, "escalation"))


class ActionView(ApiView):
    # One move of the state table on one escalation (``escalations.states``).

    action: Action
    request_body = io.Empty
    iro_side = True  # looked up among the escalations the person may move (else those they may see)
    needs_version = True  # If-Match; a note changes nothing (the version stays) and needs none

    def perform(self, escalation: Escalation, data: dict, version: int, user) -> None:
        raise NotImplementedError

    def post(self, request, id):
        pk = record_id(id, "escalation")
        queryset = (
            esc.escalation_for_iro_side(user=request.user)
            if self.iro_side
            else esc.escalation_visible_to(user=request.user)
        )
        escalation = queryset.filter(pk=pk).first()
        if escalation is None:
            raise NotFound(f"There is no escalation {pk} that you can see.")
        version = if_match(request) if self.needs_version else None
        data = body(request, self.request_body)

        def run() -> str:
            try:
                self.perform(escalation, data, version, request.user)
            except StaleUpdate as error:
                current, changes = esc.escalation_changes_since(pk=pk, version=version)
                raise _Stale(error.message, current.version, changes) from None
            return reverse("api:escalation", kwargs={"id": pk})

        try:
            _, first = once(request, scope=f"api:{self.action.value} {pk}", run=run)
        except _Stale as stale:
            raise Problem(
                stale.message,
                status_code=412,
                current_version=stale.version,
                changes=[
                    {"who": str(c["who"]), "when": c["when"].isoformat(), "fields": c["fields"]} for c in stale.changes
                ],
            ) from None
        return escalation_answer(request, pk, replayed=not first)


class _Stale(DomainError):
    def __init__(self, message, version, changes):
        super().__init__(message)
        self.version, self.changes = version, changes


ACTION_ANSWERS = answers({200: io.Escalation}, 400, 404, 409, 412, 415, 428)


def action_schema(name: str, summary: str, request_body, *, needs_version: bool = True):
    headers = [IF_MATCH] if needs_version else []
    return extend_schema(
        operation_id=f"escalation_{name}",
        tags=["escalation moves"],
        summary=summary,
        request=request_body,
        parameters=[ID_PATH, *headers, IDEMPOTENCY_KEY, ETAG, REPLAYED],
        responses=ACTION_ANSWERS if needs_version else answers({200: io.Escalation}, 400, 404, 409, 415),
    )


class FirstResponseView(ActionView):
    action, iro_side = Action.FIRST_RESPONSE, False
    access = {"POST": (IRO, RESPONDERS)}

    @action_schema("first_response", "Acknowledge: the first response (the manager it is addressed to)", io.Empty)
    def post(self, request, id):
        return super().post(request, id)

    def perform(self, escalation, data, version, user):
        workflow.escalation_first_response(escalation=escalation, by=user, expected_version=version)


class RespondView(ActionView):
    action, request_body, iro_side = Action.RESPOND, io.Respond, False
    access = {"POST": (IRO, RESPONDERS)}

    @action_schema("respond", "Respond, with the action agreed and when it will be done by (the manager)", io.Respond)
    def post(self, request, id):
        return super().post(request, id)

    def perform(self, escalation, data, version, user):
        workflow.escalation_respond(
            escalation=escalation,
            by=user,
            response=data["response"],
            action_agreed=data["action_agreed"],
            action_due_on=data["action_due_on"],
            expected_version=version,
        )


class EscalateView(ActionView):
    action, request_body = Action.ESCALATE, io.Escalate
    access = {"POST": (IRO, IRO_SIDE)}

    @action_schema("escalate", "Escalate to a more senior stage, saying why (the IRO)", io.Escalate)
    def post(self, request, id):
        return super().post(request, id)

    def perform(self, escalation, data, version, user):
        workflow.escalation_escalate(
            escalation=escalation,
            by=user,
            stage=_stage(data["stage"]),
            addressee=_manager(data["addressee"]),
            reason=data["reason"],
            expected_version=version,
        )


class ReassignView(ActionView):
    action, request_body = Action.REASSIGN, io.Reassign
    access = {"POST": (IRO, IRO_SIDE)}

    @action_schema("reassign", "Send the step to another manager at the same stage (the IRO)", io.Reassign)
    def post(self, request, id):
        return super().post(request, id)

    def perform(self, escalation, data, version, user):
        workflow.escalation_reassign(
            escalation=escalation, by=user, addressee=_manager(data["addressee"]), expected_version=version
        )


class ResolveView(ActionView):
    action, request_body = Action.RESOLVE, io.Resolve
    access = {"POST": (IRO, IRO_SIDE)}

    @action_schema("resolve", "Close with an outcome, resolved or not, saying why (the IRO)", io.Resolve)
    def post(self, request, id):
        return super().post(request, id)

    def perform(self, escalation, data, version, user):
        outcomes = {outcome.code: outcome for outcome in resolution_outcome_list()}
        if data["outcome"] not in outcomes:
            raise ValidationError({"outcome": [f"Choose one of: {', '.join(outcomes)} (to withdraw, use withdraw)."]})
        workflow.escalation_resolve(
            escalation=escalation,
            by=user,
            outcome=outcomes[data["outcome"]],
            reason=data["reason"],
            expected_version=version,
        )


class WithdrawView(ActionView):
    action, request_body = Action.WITHDRAW, io.Withdraw
    access = {"POST": (IRO, IRO_SIDE)}

    @action_schema("withdraw", "Withdraw, saying why (the IRO)", io.Withdraw)
    def post(self, request, id):
        return super().post(request, id)

    def perform(self, escalation, data, version, user):
        workflow.escalation_withdraw(escalation=escalation, by=user, reason=data["reason"], expected_version=version)


class CafcassView(ActionView):
    action, request_body = Action.REFER_CAFCASS, io.CafcassReferral
    access = {"POST": (IRO, IRO_SIDE)}

    @action_schema("refer_to_cafcass", "Record a referral to Cafcass (once; the IRO)", io.CafcassReferral)
    def post(self, request, id):
        return super().post(request, id)

    def perform(self, escalation, data, version, user):
        workflow.escalation_refer_to_cafcass(
            escalation=escalation,
            by=user,
            referred_on=data["referred_on"],
            reason=data["reason"],
            expected_version=version,
        )


class ReopenView(ActionView):
    action, request_body = Action.REOPEN, io.Reopen
    access = {"POST": (IRO, IRO_SIDE)}

    @action_schema(
        "reopen", "Reopen a closed escalation, at the stage it last reached or a more senior one (the IRO)", io.Reopen
    )
    def post(self, request, id):
        return super().post(request, id)

    def perform(self, escalation, data, version, user):
        workflow.escalation_reopen(
            escalation=escalation,
            by=user,
            stage=_stage(data["stage"]) if "stage" in data else None,
            addressee=_manager(data["addressee"]) if "addressee" in data else None,
            reason=data["reason"],
            expected_version=version,
        )


class NoteView(ActionView):
    action, request_body, iro_side, needs_version = Action.NOTE, io.Note, False, False
    access = {"POST": (IRO, CASEWORKERS)}

    @action_schema(
        "note",
        "Add a note: a question or an update that is not a formal step (the IRO, anyone it was sent to, the "
        "service manager). A note changes nothing else, so it needs no If-Match.",
        io.Note,
        needs_version=False,
    )
    def post(self, request, id):
        return super().post(request, id)

    def perform(self, escalation, data, version, user):
        workflow.escalation_note_add(escalation=escalation, by=user, text=data["text"])


# --- drift flags -----------------------------------------------------------------------------------------


class DriftFlagListView(ApiView):
    # As the pages: an IRO sees their caseload's flags (Drift watch), the service manager and admins
    # every child's (All drift flags); managers have no drift pages.
    access = {"GET": (CASE_READERS, (Role.IRO, *OVERSIGHT))}

    @extend_schema(
        tags=["drift flags"],
        operation_id="drift_flags_list",
        summary="The drift watch's flags of the children you may see (by default the open ones), by id",
        parameters=[io.DriftFlagQuery],
        responses=answers({200: page_of(io.DriftFlagItem, "DriftFlagPage")}, 400, 404),
    )
    def get(self, request):
        criteria = query(request, io.DriftFlagQuery)
        flags = drift_flag_search(
            user=request.user,
            status=criteria["status"],
            rule=criteria.get("rule"),
            child_id=criteria.get("child"),
            today=drift_today(),
        )
        paginator, rows = paginate(self, request, flags, ("id",))
        shown = list({flag.child_id: flag.child for flag in rows}.values())
        access_log_record_many(user=request.user, path=logged_path(request), children=shown)
        return paginator.get_paginated_response(io.DriftFlagItem(rows, many=True).data)


# --- the committee report -------------------------------------------------------------------------------

REPORTING = frozenset({Scope.REPORTING})


def period_of(request) -> Period:
    criteria = query(request, io.PeriodQuery)
    try:
        if "period" in criteria:
            return Period.financial_year(criteria["period"])
        if "start" in criteria:
            return Period.between(criteria["start"], criteria["end"])
    except DomainError as error:
        raise ValidationError({"parameter": {"period" if "period" in criteria else "end": [error.message]}}) from None
    return default_period()


REPORT_SCHEMA = {
    "type": "object",
    "description": "The committee report's JSON, as the report page's JSON download (docs/report-json.md).",
    "properties": {"schema": {"type": "string", "description": "The version of its shape."}},
    "required": ["schema"],
    "additionalProperties": True,
}


class CommitteeReportView(ApiView):
    access = {"GET": (REPORTING, REPORT_READERS)}

    @extend_schema(
        tags=["reports"],
        operation_id="committee_report",
        summary="The committee report for a period (by default the last complete financial year), as JSON",
        description="Figures only: no child is named, and small numbers are hidden as the report settings say.",
        parameters=[io.PeriodQuery],
        responses=answers({200: REPORT_SCHEMA}, 400, 409),
    )
    def get(self, request):
        report = report_document(period=period_of(request))
        return Response(json.loads(render_json(report)))


class IssuedListView(ApiView):
    access = {"GET": (REPORTING, REPORT_READERS)}

    @extend_schema(
        tags=["reports"],
        operation_id="issued_reports_list",
        summary="The issued versions of the committee report, newest period first",
        responses=answers({200: io.Issued(many=True)}),
    )
    def get(self, request):
        return Response(io.Issued(issued_report_list(), many=True).data)


class IssuedDetailView(ApiView):
    access = {"GET": (REPORTING, REPORT_READERS)}

    @extend_schema(
        tags=["reports"],
        operation_id="issued_report_read",
        summary="One issued version of the committee report, with its JSON as issued",
        parameters=[ID_PATH],
        responses=answers({200: io.IssuedReport}, 404),
    )
    def get(self, request, id):
        pk = record_id(id, "issued report")
        try:
            issued = issued_report_get(pk)
        except IssuedReport.DoesNotExist:
            raise NotFound(f"There is no issued report {pk}.") from None
        return Response(io.IssuedReport(issued).data)
