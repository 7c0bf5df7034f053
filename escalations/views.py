"""Pages for IROs and responding managers. Thin: access comes from the selectors, changes from the
services; a refusal from a service is shown on the form with everything typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from audit.services import access_log_record
from children.models import Child
from children.selectors import child_get_for, child_siblings, child_visible_to
from core.access import role_required
from core.errors import DomainError, StaleUpdate
from core.forms import add_domain_error, error_summary
from core.once import FIELD as ONCE
from core.once import once_key_new, once_run, once_seen
from core.paging import CappedPaginator, keyset_anchors
from drift.services import drift_flag_link_escalation
from escalations import forms, selectors, services
from escalations.models import Escalation
from escalations.states import Action, EscalationState, actions_open_to, may_act, refusal
from ladder.models import Stage
from ladder.selectors import stage_list
from people.access import CASEWORKERS, IRO_SIDE, RESPONDERS
from people.models import Role, User
from people.selectors import absence_on, manager_list
from workdays.selectors import working_calendar

PAGE_SIZE = 25


# --- lists ---------------------------------------------------------------------------------------


@role_required(Role.IRO)
def my_escalations(request):
    status = request.GET.get("status", "open")
    if status not in ("open", "closed"):
        status = "open"
    # Lazy: computed only if the page's kept content is not (core.templatetags.kept_pages).
    page = SimpleLazyObject(
        lambda: CappedPaginator(selectors.escalation_raised_by(iro=request.user, status=status), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    )
    rows = SimpleLazyObject(lambda: selectors.escalation_with_due_states(page.object_list, calendar=working_calendar()))
    decisions = None
    if status == "open":
        decisions = SimpleLazyObject(
            lambda: selectors.escalation_decisions(iro=request.user, page=request.GET.get("decisions"))
        )
    context = {"page": page, "rows": rows, "status": status, "decisions": decisions, "now": timezone.now()}
    return render(request, "escalations/my_escalations.html", context)


@role_required(Role.MANAGER)
def inbox(request):
    # Lazy: computed only if the page's kept content is not (core.templatetags.kept_pages).
    inbox = SimpleLazyObject(
        lambda: selectors.manager_inbox(
            manager=request.user,
            calendar=working_calendar(),
            awaiting_page=request.GET.get("awaiting"),
            answered_page=request.GET.get("answered"),
        )
    )
    return render(request, "escalations/inbox.html", {"inbox": inbox})


@role_required(Role.MANAGER)
def sent_before(request):
    """What was sent to the manager before: now with someone else, or closed."""
    anchors = keyset_anchors(request.GET)
    page = SimpleLazyObject(lambda: selectors.manager_sent_before_page(manager=request.user, **anchors))
    context = {"page": page, "paged_back": any(anchor is not None for anchor in anchors.values())}
    return render(request, "escalations/sent_before.html", context)


# --- one escalation ------------------------------------------------------------------------------


def _get(queryset, pk: int) -> Escalation:
    try:
        return selectors.escalation_detail(queryset=queryset, pk=pk)
    except Escalation.DoesNotExist:
        raise Http404("No escalation found") from None


# The page (URL name) and link text for each move; which moves are offered is decided by
# escalations.states.actions_open_to.
ACTION_LINKS = {
    Action.FIRST_RESPONSE: ("acknowledge", "Acknowledge"),
    Action.REOPEN: ("reopen", "Reopen"),
    Action.NOTE: ("note", "Add a note"),
    Action.RESPOND: ("respond", "Respond"),
    Action.ESCALATE: ("escalate", "Escalate"),
    Action.REASSIGN: ("reassign", "Reassign"),
    Action.RESOLVE: ("resolve", "Resolve"),
    Action.REFER_CAFCASS: ("cafcass", "Refer to Cafcass"),
    Action.WITHDRAW: ("withdraw", "Withdraw"),
}


def _actions(user: User, escalation: Escalation) -> list[dict]:
    """The changes this person may make now, as links for the escalation page."""
    actions = []
    sent_before = selectors.escalation_was_sent_to(escalation=escalation, user=user)
    for action in actions_open_to(user, escalation, sent_before=sent_before):
        if action not in ACTION_LINKS:
            continue
        if action == Action.ESCALATE and not _higher_stages(escalation):
            continue
        name, label = ACTION_LINKS[action]
        actions.append({"url": reverse(f"escalations:{name}", args=[escalation.pk]), "label": label})
    return actions


@role_required(*CASEWORKERS)
def detail(request, pk: int):
    try:
        found = selectors.escalation_found(queryset=selectors.escalation_visible_to(user=request.user), pk=pk)
    except Escalation.DoesNotExist:
        raise Http404("No escalation found") from None
    access_log_record(user=request.user, escalation=found, path=request.path)

    def detailed():
        try:
            return selectors.escalation_detail(queryset=selectors.escalation_visible_to(user=request.user), pk=pk)
        except Escalation.DoesNotExist:  # deleted, or taken from this person, since the check above
            raise Http404("No escalation found") from None

    # Everything the page shows, lazily: read only if the page's kept parts are not
    # (core.templatetags.kept_pages).
    escalation = SimpleLazyObject(detailed)

    def children():
        shown = list(escalation.children.all())
        visible = set(
            child_visible_to(user=request.user).filter(pk__in=[c.pk for c in shown]).values_list("pk", flat=True)
        )
        return [(child, child.pk in visible) for child in shown]

    context = {
        "escalation": escalation,
        "children": SimpleLazyObject(children),
        "due": SimpleLazyObject(
            lambda: selectors.escalation_with_due_states([escalation], calendar=working_calendar())[0].due
        ),
        "timeline": SimpleLazyObject(lambda: selectors.escalation_timeline(escalation=escalation)),
        "actions": SimpleLazyObject(lambda: _actions(request.user, escalation)),
    }
    return render(request, "escalations/detail.html", context)


# --- changes: one pattern for every action -------------------------------------------------------


def _change(request, escalation, *, action, form, title, run, done, extra=None):
    """The page of one move on an escalation.

    - A POST whose one-time key (``core.once``) was used already answers with that change's result.
    - A move the escalation's state refuses (``escalations.states.refusal``), a closed escalation
      above all, is a page saying so and what can be done, GET included.
    - Otherwise ``form``; on a valid POST ``run(form.cleaned_data)``, once for the form's key. A
      refusal keeps what was typed; a stale change also shows what the other person changed, and
      offers the form again on the current version.
    """
    seen = once_seen(key=request.POST.get(ONCE), user=request.user) if request.method == "POST" else None
    if seen:
        return redirect(seen)
    why_not = refusal(action, escalation)
    if why_not:
        return _refused(request, escalation, why_not)
    changes = []
    if request.method == "POST" and form.is_valid():
        result_page = reverse("escalations:detail", args=[escalation.pk])
        try:
            result = once_run(
                key=form.cleaned_data.get("once"),
                user=request.user,
                scope=f"{request.resolver_match.view_name} {escalation.pk}",
                run=lambda: (run(form.cleaned_data), result_page)[1],
            )
        except StaleUpdate as error:
            current, changes = selectors.escalation_changes_since(
                pk=escalation.pk, version=form.cleaned_data["version"]
            )
            form.data = form.data.copy()
            form.data["version"] = str(current.version)
            form.add_error(None, error.message)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if result.first:
                messages.success(request, done)
            return redirect(result.path)
    context = {
        "escalation": escalation,
        "form": form,
        "title": title,
        "errors": error_summary(form),
        "changes": changes,
        **(extra or {}),
    }
    return render(request, "escalations/change.html", context, status=400 if form.is_bound and form.errors else 200)


def _refused(request, escalation, why_not: str):
    """A move the escalation's state does not allow: say why, and offer what can be done instead."""
    offered = _actions(request.user, escalation)
    return render(
        request,
        "escalations/refused.html",
        {"escalation": escalation, "why_not": why_not, "actions": offered},
        status=409,
    )


def _version(escalation) -> dict:
    return {"version": escalation.version}


def _for_reply(request, pk: int, action: Action):
    """The escalation for a reply (acknowledge, respond), or, for a manager it was taken from while
    they were writing (reassigned or escalated), the page that says so and keeps their text."""
    escalation = _get(selectors.escalation_visible_to(user=request.user), pk)
    if may_act(action, user=request.user, escalation=escalation) or escalation.state == EscalationState.CLOSED:
        return escalation, None
    now_with = escalation.current_addressee
    context = {
        "escalation": escalation,
        "now_with": now_with,
        "typed": [request.POST.get(name, "") for name in ("response", "action_agreed") if request.POST.get(name)],
        "note_form": forms.NoteForm(
            initial={
                "text": "\n\n".join(
                    request.POST.get(name, "") for name in ("response", "action_agreed") if request.POST.get(name)
                )
            }
        ),
        "taken": selectors.escalation_taken_from(escalation=escalation, user=request.user),
    }
    return escalation, render(request, "escalations/taken_away.html", context, status=409)


@role_required(*RESPONDERS)
def acknowledge(request, pk: int):
    escalation, taken = _for_reply(request, pk, Action.FIRST_RESPONSE)
    if taken:
        return taken
    return _change(
        request,
        escalation,
        action=Action.FIRST_RESPONSE,
        form=forms.VersionForm(request.POST or None, initial=_version(escalation)),
        title=f"Acknowledge {escalation.reference}",
        extra={
            "explanation": "This records your first response. You can respond in full afterwards.",
            "button": "Acknowledge",
        },
        run=lambda data: services.escalation_first_response(
            escalation=escalation, by=request.user, expected_version=data["version"]
        ),
        done=f"You acknowledged {escalation.reference}.",
    )


@role_required(*RESPONDERS)
def respond(request, pk: int):
    escalation, taken = _for_reply(request, pk, Action.RESPOND)
    if taken:
        return taken
    return _change(
        request,
        escalation,
        action=Action.RESPOND,
        form=forms.RespondForm(request.POST or None, initial=_version(escalation)),
        title=f"Respond to {escalation.reference}",
        extra={"button": "Send response", "show_concern": True},
        run=lambda data: services.escalation_respond(
            escalation=escalation,
            by=request.user,
            response=data["response"],
            action_agreed=data["action_agreed"],
            action_due_on=data["action_due_on"],
            expected_version=data["version"],
        ),
        done=f"Your response to {escalation.reference} was sent.",
    )


def _higher_stages(escalation) -> list[Stage]:
    return stage_list(above=escalation.current_step.stage if escalation.current_step else None)


def _iro_side(request, pk: int) -> Escalation:
    return _get(selectors.escalation_for_iro_side(user=request.user), pk)


def _send_again(service, escalation: Escalation, request):
    """Escalating and reopening both send the escalation on to the stage and person the form chose."""
    return lambda data: service(
        escalation=escalation,
        by=request.user,
        stage=data["stage_obj"],
        addressee=data["addressee_obj"],
        reason=data["reason"],
        expected_version=data["version"],
    )


@role_required(*IRO_SIDE)
def escalate(request, pk: int):
    escalation = _iro_side(request, pk)
    form = forms.EscalateForm(
        request.POST or None,
        initial=_version(escalation),
        stages=_higher_stages(escalation),
        team=selectors.escalation_team(escalation=escalation),
    )
    return _change(
        request,
        escalation,
        action=Action.ESCALATE,
        form=form,
        title=f"Escalate {escalation.reference}",
        extra={"button": "Escalate"},
        run=_send_again(services.escalation_escalate, escalation, request),
        done=f"{escalation.reference} was escalated.",
    )


@role_required(*IRO_SIDE)
def reassign(request, pk: int):
    escalation = _iro_side(request, pk)
    step = escalation.current_step
    managers = list(manager_list(stages=[step.stage], exclude=escalation.current_addressee)) if step else []
    return _change(
        request,
        escalation,
        action=Action.REASSIGN,
        form=forms.ReassignForm(request.POST or None, initial=_version(escalation), managers=managers),
        title=f"Reassign {escalation.reference}",
        extra={"button": "Reassign"},
        run=lambda data: services.escalation_reassign(
            escalation=escalation, by=request.user, addressee=data["addressee"], expected_version=data["version"]
        ),
        done=f"{escalation.reference} was reassigned.",
    )


@role_required(*IRO_SIDE)
def resolve(request, pk: int):
    escalation = _iro_side(request, pk)
    return _change(
        request,
        escalation,
        action=Action.RESOLVE,
        form=forms.ResolveForm(request.POST or None, initial=_version(escalation)),
        title=f"Resolve {escalation.reference}",
        extra={"button": "Close the escalation"},
        run=lambda data: services.escalation_resolve(
            escalation=escalation,
            by=request.user,
            outcome=data["outcome"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
        done=f"{escalation.reference} was closed.",
    )


@role_required(*IRO_SIDE)
def cafcass(request, pk: int):
    escalation = _iro_side(request, pk)
    return _change(
        request,
        escalation,
        action=Action.REFER_CAFCASS,
        form=forms.CafcassForm(request.POST or None, initial=_version(escalation)),
        title=f"Refer {escalation.reference} to Cafcass",
        extra={"button": "Record the referral"},
        run=lambda data: services.escalation_refer_to_cafcass(
            escalation=escalation,
            by=request.user,
            referred_on=data["referred_on"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
        done=f"The referral of {escalation.reference} to Cafcass was recorded.",
    )


@role_required(*IRO_SIDE)
def withdraw(request, pk: int):
    escalation = _iro_side(request, pk)
    return _change(
        request,
        escalation,
        action=Action.WITHDRAW,
        form=forms.WithdrawForm(request.POST or None, initial=_version(escalation)),
        title=f"Withdraw {escalation.reference}",
        extra={
            "explanation": "Withdrawing closes the escalation with the outcome 'Withdrawn'. It still counts in the "
            "committee report.",
            "button": "Withdraw",
            "warning": True,
        },
        run=lambda data: services.escalation_withdraw(
            escalation=escalation, by=request.user, reason=data["reason"], expected_version=data["version"]
        ),
        done=f"{escalation.reference} was withdrawn.",
    )


@role_required(*IRO_SIDE)
def reopen(request, pk: int):
    escalation = _iro_side(request, pk)
    last = escalation.current_step
    stages = [stage for stage in stage_list() if last is None or stage.order >= last.stage.order]
    initial = {**_version(escalation), "addressee": str(last.addressee_id) if last and last.addressee_id else ""}
    return _change(
        request,
        escalation,
        action=Action.REOPEN,
        form=forms.ReopenForm(
            request.POST or None, initial=initial, stages=stages, team=selectors.escalation_team(escalation=escalation)
        ),
        title=f"Reopen {escalation.reference}",
        extra={
            "explanation": "Reopening sends the escalation to someone again, at the stage it last reached or a more "
            "senior one. Their reply is due by the stage's target.",
            "button": "Reopen and send",
        },
        run=_send_again(services.escalation_reopen, escalation, request),
        done=f"{escalation.reference} was reopened and sent to the person you chose.",
    )


@role_required(*CASEWORKERS)
def note(request, pk: int):
    """Add a note to an open escalation (the IRO, anyone it was sent to, the service manager)."""
    escalation = _get(selectors.escalation_visible_to(user=request.user), pk)
    sent_before = selectors.escalation_was_sent_to(escalation=escalation, user=request.user)
    if not may_act(Action.NOTE, user=request.user, escalation=escalation, sent_before=sent_before):
        raise Http404("No escalation found")
    told = "The IRO and the person it is with are told." if request.user.sees_everything else "The other side is told."
    return _change(
        request,
        escalation,
        action=Action.NOTE,
        form=forms.NoteForm(request.POST or None),
        title=f"Add a note to {escalation.reference}",
        extra={
            "explanation": f"Ask a question or give an update that is not a formal step. {told}",
            "button": "Add the note",
        },
        run=lambda data: services.escalation_note_add(escalation=escalation, by=request.user, text=data["text"]),
        done=f"Your note was added to {escalation.reference}.",
    )


# --- raising: the form, then check your answers, then confirm ------------------------------------

DRAFT_KEY = "raise_draft"
# The drift watch flag an escalation is being raised from (``?flag=`` with ``theme`` and ``subtheme``
# from its *Raise an escalation* link): {"child": pk, "flag": pk}, kept until the draft is written.
FLAG_KEY = "raise_flag"


def _flag_start(request, child) -> dict | None:
    """The initial data of a raise started from a drift watch flag (``?theme=&subtheme=&flag=``), and
    the flag remembered in the session; None for any other start."""
    params = {name: request.GET.get(name, "") for name in ("theme", "subtheme", "flag")}
    if not params["flag"].isdigit():
        return None
    request.session[FLAG_KEY] = {"child": child.pk, "flag": int(params["flag"])}
    initial = {"children": [str(child.pk)]}
    if params["theme"].isdigit():
        initial["themes"] = [params["theme"]]
        if params["subtheme"].isdigit():
            initial["subthemes"] = [params["subtheme"]]
    return initial


def _raise_form(request, child, data=None, initial=None):
    children = [child, *child_siblings(child=child, user=request.user)]
    return forms.RaiseForm(data, initial=initial, children=children, stages=stage_list())


def _draft_child(request):
    """The child the escalation starts from (``?child=``), if the IRO may see them."""
    pk = request.GET.get("child") or request.POST.get("child_anchor")
    if not pk or not str(pk).isdigit():
        return None
    try:
        return child_get_for(user=request.user, pk=int(pk))
    except Child.DoesNotExist:
        raise Http404("No child found") from None


@role_required(Role.IRO)
def raise_start(request):
    child = _draft_child(request)
    if child is None:
        caseload = child_visible_to(user=request.user).order_by("first_name", "last_name", "case_id")
        chose_nobody = "child" in request.GET  # the form was sent with "Choose a child" still chosen
        errors = [{"message": "Choose the child the escalation is about", "anchor": "child"}] if chose_nobody else []
        return render(
            request,
            "escalations/raise_choose_child.html",
            {"caseload": caseload, "errors": errors},
            status=400 if errors else 200,
        )
    draft = request.session.get(DRAFT_KEY)
    if request.method == "POST":
        form = _raise_form(request, child, data=request.POST)
        if form.is_valid():
            pending = request.session.get(FLAG_KEY) or {}
            request.session[DRAFT_KEY] = {
                "child": child.pk,
                "data": {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"},
                "flag": pending.get("flag") if pending.get("child") == child.pk else None,
            }
            return redirect(reverse("escalations:raise_check") + f"?child={child.pk}")
    else:
        initial = _flag_start(request, child)
        if initial is None and draft and draft.get("child") == child.pk:
            initial = _draft_initial(draft)
        elif initial is None:
            request.session.pop(FLAG_KEY, None)  # a fresh start, not from a flag
            initial = {"children": [str(child.pk)]}
        form = _raise_form(request, child, initial=initial)
    return render(
        request,
        "escalations/raise.html",
        {"form": form, "child": child, "errors": error_summary(form)},
        status=400 if form.is_bound and form.errors else 200,
    )


def _draft_initial(draft) -> dict:
    multi = {"children", "themes", "subthemes", "drift_reasons"}
    return {k: (v if k in multi else (v[0] if v else "")) for k, v in draft["data"].items()}


def _draft_data(draft):
    data = QueryDict(mutable=True)
    for key, values in draft["data"].items():
        data.setlist(key, values)
    return data


@role_required(Role.IRO)
def raise_check(request):
    # A confirmation sent again after the first was stored (its answer lost, or the session's draft
    # already gone): the first's result page, before anything looks for the draft.
    seen = once_seen(key=request.POST.get(ONCE), user=request.user) if request.method == "POST" else None
    if seen:
        return redirect(seen)
    child = _draft_child(request)
    draft = request.session.get(DRAFT_KEY)
    if child is None or not draft or draft.get("child") != child.pk:
        messages.info(request, "Start by choosing the child the escalation is about.")
        return redirect("escalations:raise")
    form = _raise_form(request, child, data=_draft_data(draft))
    if not form.is_valid():  # the caseload, ladder or themes changed since: show the form again
        return render(
            request, "escalations/raise.html", {"form": form, "child": child, "errors": error_summary(form)}, status=400
        )
    data = form.cleaned_data
    error = None
    if request.method == "POST":

        def send() -> str:
            escalation = services.escalation_raise(
                by=request.user,
                children=data["children_objs"],
                stage=data["stage_obj"],
                addressee=data["addressee_obj"],
                concern=data["concern"],
                desired_outcome=data["desired_outcome"],
                themes=data["theme_objs"],
                subthemes=data["subtheme_objs"],
                drift_reasons=data["reason_objs"],
            )
            messages.success(request, f"Escalation {escalation.reference} was sent to {escalation.current_addressee}.")
            if draft.get("flag"):  # raised from a drift watch flag: the flag remembers it
                try:
                    drift_flag_link_escalation(flag_id=draft["flag"], escalation=escalation, by=request.user)
                except DomainError as refusal:
                    messages.warning(request, refusal.message)
            return reverse("escalations:detail", args=[escalation.pk])

        try:
            result = once_run(key=request.POST.get(ONCE), user=request.user, scope="escalations:raise", run=send)
        except DomainError as refusal:
            error = refusal.message
        else:
            request.session.pop(DRAFT_KEY, None)
            request.session.pop(FLAG_KEY, None)
            return redirect(result.path)
    change = reverse("escalations:raise") + f"?child={child.pk}"
    return render(
        request,
        "escalations/raise_check.html",
        {
            "child": child,
            "data": data,
            "change": change,
            "errors": [{"message": error, "anchor": None}] if error else [],
            "once": request.POST.get(ONCE) or once_key_new(),
            "away": absence_on(manager=data["addressee_obj"], day=timezone.localdate()),
        },
        status=400 if error else 200,
    )
