"""The IRO's and the manager's escalation pages (escalations.views)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from core.formats import format_date
from escalations import selectors, services
from escalations.models import Escalation, StepResult
from escalations.views import DRAFT_KEY
from notices.models import Notice, NoticeKind
from people.models import Role
from people.services import absence_record
from reports.models import CaseStory
from tests.factories import (
    ChildFactory,
    DriftFlagFactory,
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    SiblingGroupFactory,
    TeamFactory,
    UserFactory,
    outcome,
    raise_escalation,
    stage,
    subtheme,
    theme,
)
from tests.querycount import assert_same_queries
from themes.models import DriftReason

pytestmark = pytest.mark.django_db


def _signed_in(client, user):
    client.force_login(user)
    return client


def _raise_post(child, manager, **extra):
    data = {
        "children": [str(child.pk)],
        "themes": [str(theme("drift").pk)],
        "addressee": str(manager.pk),
        "concern": "The permanence plan has not moved since the last review.",
        "desired_outcome": "A permanence planning meeting within 10 working days.",
    }
    data.update(extra)
    return data


# --- raising -------------------------------------------------------------------------------------


def test_the_raise_form_lists_the_child_and_their_siblings_on_the_caseload(client):
    iro = IroFactory()
    group = SiblingGroupFactory()
    child = ChildFactory(iro=iro, sibling_group=group, first_name="Ada")
    ChildFactory(iro=iro, sibling_group=group, first_name="Bea")
    response = _signed_in(client, iro).get(reverse("escalations:raise") + f"?child={child.pk}")
    assert [label for _, label in response.context["form"].fields["children"].choices] == [
        f"Ada {child.last_name} ({child.case_id})",
        f"Bea {group.children.get(first_name='Bea').last_name} ({group.children.get(first_name='Bea').case_id})",
    ]


def test_a_raise_form_with_errors_keeps_what_was_typed_and_summarises_the_errors(client):
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    manager = ManagerFactory()
    data = _raise_post(child, manager, concern="", addressee="")
    data["desired_outcome"] = "Keep this text"
    response = _signed_in(client, iro).post(reverse("escalations:raise") + f"?child={child.pk}", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_concern">Enter the concern' in body
    assert 'href="#id_addressee">Choose who it is going to' in body
    assert "Keep this text" in body


def test_a_sub_theme_without_its_theme_brings_its_theme_as_the_service_does(client):
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    sub = subtheme("safety", "missing")
    data = _raise_post(child, ManagerFactory(), subthemes=[str(sub.pk)])
    signed_in = _signed_in(client, iro)
    response = signed_in.post(reverse("escalations:raise") + f"?child={child.pk}", data)
    assert response.status_code == 302
    check = signed_in.get(response["Location"]).content.decode()
    assert "Concerns about the young person&#x27;s safety" in check and "Missing episodes" in check


def test_reasons_for_drift_without_the_drift_theme_are_refused_on_the_form(client):
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    reason = DriftReason.objects.get(code="housing")
    data = _raise_post(child, ManagerFactory(), themes=[str(theme("health").pk)], drift_reasons=[str(reason.pk)])
    response = _signed_in(client, iro).post(reverse("escalations:raise") + f"?child={child.pk}", data)
    assert response.status_code == 400
    assert "Reasons for drift can only be given when the theme" in response.content.decode()


def test_continuing_shows_the_answers_to_check_and_saves_nothing(client):
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    manager = ManagerFactory(first_name="Tina", last_name="Manning")
    client = _signed_in(client, iro)
    response = client.post(
        reverse("escalations:raise") + f"?child={child.pk}", _raise_post(child, manager), follow=True
    )
    body = response.content.decode()
    assert "Check your answers" in body
    assert "Tina Manning, Team manager" in body
    assert "The permanence plan has not moved" in body
    assert Escalation.objects.count() == 0


def test_confirming_raises_the_escalation_about_both_siblings(client):
    iro = IroFactory()
    group = SiblingGroupFactory()
    child, brother = ChildFactory(iro=iro, sibling_group=group), ChildFactory(iro=iro, sibling_group=group)
    manager = ManagerFactory()
    client = _signed_in(client, iro)
    client.post(
        reverse("escalations:raise") + f"?child={child.pk}",
        _raise_post(child, manager, children=[str(child.pk), str(brother.pk)]),
    )
    response = client.post(reverse("escalations:raise_check") + f"?child={child.pk}")
    escalation = Escalation.objects.get()
    assert response.url == reverse("escalations:detail", args=[escalation.pk])
    assert set(escalation.children.all()) == {child, brother}
    assert (escalation.current_addressee, list(escalation.themes.all())) == (manager, [theme("drift")])
    assert DRAFT_KEY not in client.session


def test_a_confirmation_sent_again_after_it_was_stored_answers_with_the_escalation(client):
    """The retry after a lost answer: the draft has gone from the session, and the same one-time
    key still answers with the first confirmation's escalation, storing nothing more."""
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    client = _signed_in(client, iro)
    client.post(reverse("escalations:raise") + f"?child={child.pk}", _raise_post(child, ManagerFactory()))
    check = reverse("escalations:raise_check") + f"?child={child.pk}"
    first = client.post(check, {"once": "k1"})
    again = client.post(check, {"once": "k1"})
    escalation = Escalation.objects.get()
    assert (first.url, again.url) == (reverse("escalations:detail", args=[escalation.pk]),) * 2


def test_change_on_the_check_page_brings_back_the_answers(client):
    iro = IroFactory()
    child = ChildFactory(iro=iro)
    client = _signed_in(client, iro)
    client.post(reverse("escalations:raise") + f"?child={child.pk}", _raise_post(child, ManagerFactory()))
    response = client.get(reverse("escalations:raise") + f"?child={child.pk}")
    assert "The permanence plan has not moved since the last review." in response.content.decode()


def test_raising_about_a_child_not_on_your_caseload_is_not_found(client):
    response = _signed_in(client, IroFactory()).get(reverse("escalations:raise") + f"?child={ChildFactory().pk}")
    assert response.status_code == 404


def test_a_manager_may_not_raise(client):
    assert _signed_in(client, ManagerFactory()).get(reverse("escalations:raise")).status_code == 403


# --- the escalation page -------------------------------------------------------------------------


def test_the_escalation_page_shows_the_timeline_newest_first(client):
    escalation = raise_escalation()
    services.escalation_respond(escalation=escalation, by=escalation.current_addressee, response="Meeting booked.")
    body = _signed_in(client, escalation.iro).get(reverse("escalations:detail", args=[escalation.pk])).content.decode()
    assert body.index("Responded</h3>") < body.index("Sent to") < body.index("Raised</h3>")
    assert "Meeting booked." in body


def test_opening_an_escalation_is_written_to_the_access_log_for_each_child(client):
    iro = IroFactory()
    children = [ChildFactory(iro=iro), ChildFactory(iro=iro)]
    escalation = raise_escalation(iro=iro, children=children)
    _signed_in(client, iro).get(reverse("escalations:detail", args=[escalation.pk]))
    entries = AccessLogEntry.objects.filter(escalation=escalation)
    assert {(e.user, e.child) for e in entries} == {(iro, children[0]), (iro, children[1])}


def test_an_escalation_outside_your_access_is_not_found(client):
    # A name no factory gives a member of staff, so a match can only be the child's.
    child = ChildFactory(first_name="Ottilie", last_name="Quarrendon")
    escalation = raise_escalation(iro=child.iro, children=[child])
    response = _signed_in(client, IroFactory()).get(reverse("escalations:detail", args=[escalation.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    for identifier in (child.first_name, child.last_name, child.case_id):
        assert identifier not in page


def test_an_escalation_gone_while_its_page_is_made_is_not_found(client, monkeypatch):
    """Deleted (records retention) or taken from the person between the access check and the page:
    the page is read lazily, after the check, and answers 404, never a server error."""
    escalation = raise_escalation()

    def gone(**_):
        raise Escalation.DoesNotExist

    monkeypatch.setattr(selectors, "escalation_detail", gone)
    response = _signed_in(client, escalation.iro).get(reverse("escalations:detail", args=[escalation.pk]))
    assert response.status_code == 404


def test_a_report_viewer_may_not_open_escalation_pages(client):
    escalation = raise_escalation()
    response = _signed_in(client, UserFactory(role=Role.REPORT_VIEWER)).get(
        reverse("escalations:detail", args=[escalation.pk])
    )
    assert response.status_code == 403


def test_the_page_offers_the_manager_acknowledge_and_respond_only(client):
    escalation = raise_escalation()
    response = _signed_in(client, escalation.current_addressee).get(reverse("escalations:detail", args=[escalation.pk]))
    assert [a["label"] for a in response.context["actions"]] == ["Acknowledge", "Respond", "Add a note"]


def test_the_page_offers_the_iro_their_actions(client):
    escalation = raise_escalation()
    response = _signed_in(client, escalation.iro).get(reverse("escalations:detail", args=[escalation.pk]))
    assert [a["label"] for a in response.context["actions"]] == [
        "Escalate",
        "Reassign",
        "Resolve",
        "Refer to Cafcass",
        "Withdraw",
        "Add a note",
    ]


# --- the manager's side --------------------------------------------------------------------------


def test_the_inbox_lists_overdue_first(client):
    manager = ManagerFactory()
    later = raise_escalation(addressee=manager, raised_at=timezone.now() - dt.timedelta(days=1))
    overdue = raise_escalation(addressee=manager, raised_at=timezone.now() - dt.timedelta(days=30))
    response = _signed_in(client, manager).get(reverse("escalations:inbox"))
    awaiting = response.context["inbox"].awaiting
    assert ([e for e in awaiting], awaiting[0].due) == ([overdue, later], "overdue")


def test_the_inbox_shows_the_children_the_iro_and_the_themes(client):
    manager = ManagerFactory()
    child = ChildFactory(first_name="Ada", last_name="Okafor")
    escalation = raise_escalation(addressee=manager, children=[child], iro=child.iro, themes=[theme("health")])
    body = _signed_in(client, manager).get(reverse("escalations:inbox")).content.decode()
    assert "Ada Okafor" in body and str(escalation.iro) in body and "Health issues" in body


def test_an_answered_escalation_is_listed_apart_not_as_awaiting(client):
    escalation = raise_escalation()
    manager = escalation.current_addressee
    services.escalation_respond(escalation=escalation, by=manager, response="Agreed.")
    inbox = _signed_in(client, manager).get(reverse("escalations:inbox")).context["inbox"]
    assert (inbox.awaiting, inbox.answered) == ([], [escalation])


def _moved_on(manager, *, to_stage: str = "head_of_service", **kwargs) -> Escalation:
    """An escalation sent to ``manager`` and escalated since to someone else at ``to_stage``."""
    escalation = raise_escalation(addressee=manager, **kwargs)
    return services.escalation_escalate(
        escalation=escalation,
        by=escalation.iro,
        stage=stage(to_stage),
        addressee=ManagerFactory(stage=stage(to_stage)),
        reason="No progress.",
    )


def test_the_inbox_links_to_what_was_sent_before(client):
    manager = ManagerFactory()
    body = _signed_in(client, manager).get(reverse("escalations:inbox")).content.decode()
    assert f'href="{reverse("escalations:sent_before")}"' in body


def test_sent_before_lists_what_moved_on_to_someone_else(client):
    manager = ManagerFactory(stage=stage("team_manager"))
    moved = _moved_on(manager)
    raise_escalation(addressee=manager)  # still theirs: in the inbox, not here
    response = _signed_in(client, manager).get(reverse("escalations:sent_before"))
    assert response.context["page"].items == [moved]
    assert moved.reference in response.content.decode()


def test_sent_before_is_for_managers(client):
    assert _signed_in(client, IroFactory()).get(reverse("escalations:sent_before")).status_code == 403


def test_sent_before_pages_on_to_older_escalations(client, monkeypatch):
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 1)
    manager = ManagerFactory(stage=stage("team_manager"))
    older = _moved_on(manager, raised_at=timezone.now() - dt.timedelta(days=9))
    newer = _moved_on(manager, raised_at=timezone.now() - dt.timedelta(days=2))
    signed_in = _signed_in(client, manager)
    first = signed_in.get(reverse("escalations:sent_before"))
    link = f"?older_than={newer.pk}"
    assert first.context["page"].items == [newer] and f'href="{link}" rel="next"' in first.content.decode()
    assert signed_in.get(reverse("escalations:sent_before") + link).context["page"].items == [older]


def test_sent_before_pages_back_to_newer_escalations(client, monkeypatch):
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 1)
    manager = ManagerFactory(stage=stage("team_manager"))
    oldest, middle, newest = (
        _moved_on(manager, raised_at=timezone.now() - dt.timedelta(days=days)) for days in (9, 5, 2)
    )
    newer = _signed_in(client, manager).get(reverse("escalations:sent_before"), {"newer_than": oldest.pk})
    assert newer.context["page"].items == [middle]
    assert f'href="?newer_than={middle.pk}" rel="prev"' in newer.content.decode()


def test_an_older_page_of_sent_before_says_so_in_its_title(client):
    manager = ManagerFactory(stage=stage("team_manager"))
    moved = _moved_on(manager)
    body = _signed_in(client, manager).get(reverse("escalations:sent_before"), {"older_than": moved.pk}).content
    assert "<title>Sent to you before (older)" in body.decode()


def test_sent_before_logs_only_the_children_its_page_shows(client, monkeypatch):
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 1)
    manager = ManagerFactory(stage=stage("team_manager"))
    older = _moved_on(manager, raised_at=timezone.now() - dt.timedelta(days=9))
    newer = _moved_on(manager, raised_at=timezone.now() - dt.timedelta(days=2))
    _signed_in(client, manager).get(reverse("escalations:sent_before"))
    logged = set(AccessLogEntry.objects.filter(user=manager).values_list("child", flat=True))
    shown = set(newer.children.values_list("pk", flat=True))
    assert logged == shown and not logged & set(older.children.values_list("pk", flat=True))


def test_my_escalations_starts_with_the_decisions_needed(client):
    escalation = raise_escalation()
    services.escalation_respond(escalation=escalation, by=escalation.current_addressee, response="Meeting on 3 May.")
    body = _signed_in(client, escalation.iro).get(reverse("escalations:mine")).content.decode()
    assert body.index("Your decision needed") < body.index("Meeting on 3 May.") < body.index("Open escalations")
    assert reverse("escalations:note", args=[escalation.pk]) in body


def test_acknowledging_records_the_first_response(client):
    escalation = raise_escalation()
    _signed_in(client, escalation.current_addressee).post(
        reverse("escalations:acknowledge", args=[escalation.pk]), {"version": escalation.version}
    )
    escalation.refresh_from_db()
    assert escalation.current_step.first_response_at is not None


def test_responding_records_the_response_and_the_action_agreed(client):
    escalation = raise_escalation()
    due = timezone.localdate() + dt.timedelta(days=10)
    response = _signed_in(client, escalation.current_addressee).post(
        reverse("escalations:respond", args=[escalation.pk]),
        {
            "version": escalation.version,
            "response": "Plan updated.",
            "action_agreed": "Review meeting",
            "action_due_on_0": due.day,
            "action_due_on_1": due.month,
            "action_due_on_2": due.year,
        },
    )
    assert response.status_code == 302
    step = Escalation.objects.get().current_step
    assert (step.response, step.action_agreed, step.action_due_on) == ("Plan updated.", "Review meeting", due)


def test_a_response_with_a_bad_date_keeps_the_text(client):
    escalation = raise_escalation()
    response = _signed_in(client, escalation.current_addressee).post(
        reverse("escalations:respond", args=[escalation.pk]),
        {
            "version": escalation.version,
            "response": "Plan updated soon.",
            "action_agreed": "Meeting",
            "action_due_on_0": "31",
            "action_due_on_1": "2",
            "action_due_on_2": "2027",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "must be a real date" in body and "Plan updated soon." in body
    assert 'href="#id_action_due_on_0"' in body


def test_another_manager_cannot_open_the_respond_page(client):
    escalation = raise_escalation()
    response = _signed_in(client, ManagerFactory()).get(reverse("escalations:respond", args=[escalation.pk]))
    assert response.status_code == 404


# --- the IRO's side ------------------------------------------------------------------------------


def test_escalating_sends_the_escalation_to_the_head_of_service(client):
    escalation = raise_escalation()
    head = ManagerFactory(stage=stage("head_of_service"))
    _signed_in(client, escalation.iro).post(
        reverse("escalations:escalate", args=[escalation.pk]),
        {"version": escalation.version, "addressee": str(head.pk), "reason": "No reply from the team manager."},
    )
    escalation.refresh_from_db()
    assert (escalation.current_stage, escalation.current_addressee) == (stage("head_of_service"), head)
    assert escalation.current_step.sent_reason == "No reply from the team manager."


def test_escalating_offers_only_people_at_higher_stages(client):
    escalation = raise_escalation(stage_code="head_of_service")
    ManagerFactory(stage=stage("team_manager")), ManagerFactory(stage=stage("director"))
    response = _signed_in(client, escalation.iro).get(reverse("escalations:escalate", args=[escalation.pk]))
    groups = [label for label, _ in response.context["form"].fields["addressee"].choices[1:]]
    assert groups == ["Director (response within 4 working days)"]


def test_reassigning_sends_the_step_to_another_manager_at_the_same_stage(client):
    escalation = raise_escalation()
    other = ManagerFactory()
    _signed_in(client, escalation.iro).post(
        reverse("escalations:reassign", args=[escalation.pk]),
        {"version": escalation.version, "addressee": str(other.pk)},
    )
    escalation.refresh_from_db()
    assert escalation.current_addressee == other


def test_resolving_closes_with_the_outcome(client):
    escalation = raise_escalation()
    _signed_in(client, escalation.iro).post(
        reverse("escalations:resolve", args=[escalation.pk]),
        {"version": escalation.version, "outcome": str(outcome("resolved").pk), "reason": "Plan agreed."},
    )
    escalation.refresh_from_db()
    assert (escalation.status, escalation.outcome) == ("closed", outcome("resolved"))
    assert escalation.current_step.end_reason == "Plan agreed."


def test_resolving_does_not_offer_withdrawn(client):
    escalation = raise_escalation()
    response = _signed_in(client, escalation.iro).get(reverse("escalations:resolve", args=[escalation.pk]))
    assert "Withdrawn" not in [label for _, label in response.context["form"].fields["outcome"].choices]


def test_withdrawing_closes_as_withdrawn(client):
    escalation = raise_escalation()
    _signed_in(client, escalation.iro).post(
        reverse("escalations:withdraw", args=[escalation.pk]),
        {"version": escalation.version, "reason": "Raised about the wrong child."},
    )
    escalation.refresh_from_db()
    assert (escalation.outcome, escalation.current_step.result) == (outcome("withdrawn"), StepResult.WITHDRAWN)


def test_referring_to_cafcass_records_the_date_and_reason(client):
    escalation = raise_escalation()
    today = timezone.localdate()
    _signed_in(client, escalation.iro).post(
        reverse("escalations:cafcass", args=[escalation.pk]),
        {
            "version": escalation.version,
            "referred_on_0": today.day,
            "referred_on_1": today.month,
            "referred_on_2": today.year,
            "reason": "No progress after head of service.",
        },
    )
    escalation.refresh_from_db()
    assert (escalation.cafcass_referred_on, escalation.cafcass_reason) == (today, "No progress after head of service.")


def test_another_iro_cannot_resolve_an_escalation_about_their_child(client):
    mine = IroFactory()
    escalation = raise_escalation(children=[ChildFactory(iro=mine)])
    response = _signed_in(client, mine).get(reverse("escalations:resolve", args=[escalation.pk]))
    assert response.status_code == 404


def test_the_service_manager_may_resolve_on_the_iros_behalf(client):
    escalation = raise_escalation()
    _signed_in(client, ServiceManagerFactory()).post(
        reverse("escalations:resolve", args=[escalation.pk]),
        {"version": escalation.version, "outcome": str(outcome("not_resolved").pk), "reason": "No progress."},
    )
    escalation.refresh_from_db()
    assert escalation.outcome == outcome("not_resolved")
    assert escalation.current_step.ended_by.role == Role.SERVICE_MANAGER


# --- stale edits ---------------------------------------------------------------------------------


def test_a_stale_response_is_refused_shows_the_change_and_keeps_the_text(client):
    escalation = raise_escalation()
    manager = escalation.current_addressee
    opened_version = escalation.version
    services.escalation_first_response(
        escalation=escalation, by=ServiceManagerFactory(first_name="Sam", last_name="Lead")
    )
    response = _signed_in(client, manager).post(
        reverse("escalations:respond", args=[escalation.pk]),
        {"version": opened_version, "response": "My careful response."},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "was changed by Sam Lead" in body and "Nothing has been saved" in body
    assert "What changed since you opened it" in body
    assert "Sam Lead" in body and ": changed a reply<" in body
    assert "My careful response." in body
    assert f'name="version" value="{opened_version + 1}"' in body
    assert Escalation.objects.get().current_step.response == ""


def test_after_a_stale_refusal_submitting_again_saves(client):
    escalation = raise_escalation()
    opened_version = escalation.version
    services.escalation_first_response(escalation=escalation, by=escalation.current_addressee)
    client = _signed_in(client, escalation.current_addressee)
    client.post(reverse("escalations:respond", args=[escalation.pk]), {"version": opened_version, "response": "Done."})
    client.post(
        reverse("escalations:respond", args=[escalation.pk]), {"version": opened_version + 1, "response": "Done."}
    )
    assert Escalation.objects.get().current_step.response == "Done."


def test_an_illegal_move_is_shown_as_an_error(client):
    escalation = raise_escalation()
    services.escalation_respond(escalation=escalation, by=escalation.current_addressee, response="Done.")
    escalation.refresh_from_db()
    response = _signed_in(client, escalation.current_addressee).post(
        reverse("escalations:respond", args=[escalation.pk]), {"version": escalation.version, "response": "Again"}
    )
    assert "has already been responded to" in response.content.decode()


# --- lists ---------------------------------------------------------------------------------------


def test_my_escalations_splits_open_and_closed(client):
    iro = IroFactory()
    open_one, closed = raise_escalation(iro=iro), raise_escalation(iro=iro)
    services.escalation_resolve(escalation=closed, by=iro, outcome=outcome("resolved"), reason="The plan was agreed.")
    client = _signed_in(client, iro)
    assert client.get(reverse("escalations:mine")).context["rows"] == [open_one]
    assert client.get(reverse("escalations:mine") + "?status=closed").context["rows"] == [closed]


def _busy_escalation(iro):
    """An escalation with three children, two themes and three steps."""
    children = [ChildFactory(iro=iro) for _ in range(3)]
    escalation = raise_escalation(iro=iro, children=children, themes=[theme("drift"), theme("safety")])
    for code in ("practice_group_lead", "head_of_service"):
        services.escalation_escalate(
            escalation=escalation,
            by=iro,
            stage=stage(code),
            addressee=ManagerFactory(stage=stage(code)),
            reason="No reply in time.",
        )
        escalation.refresh_from_db()
    return escalation


@pytest.mark.parametrize("page", ["escalations:mine", "children:list"])
def test_iro_lists_run_the_same_queries_for_1_or_50_rows(client, page):
    iro = IroFactory()
    _busy_escalation(iro)
    assert_same_queries(_signed_in(client, iro), reverse(page), lambda: [_busy_escalation(iro) for _ in range(49)])


def test_the_inbox_runs_the_same_queries_for_1_or_50_rows(client):
    iro = IroFactory()
    head = _busy_escalation(iro).current_addressee

    def grow():
        for _ in range(49):
            raise_escalation(
                iro=iro,
                stage_code="head_of_service",
                addressee=head,
                children=[ChildFactory(iro=iro) for _ in range(3)],
            )

    assert_same_queries(_signed_in(client, head), reverse("escalations:inbox"), grow)


def test_the_escalation_page_runs_the_same_queries_however_many_children_themes_and_steps(client):
    iro = IroFactory()
    small = raise_escalation(iro=iro)
    big = _busy_escalation(iro)
    assert_same_queries(
        _signed_in(client, iro),
        reverse("escalations:detail", args=[small.pk]),
        lambda: None,
        big_url=reverse("escalations:detail", args=[big.pk]),
    )


def test_the_service_manager_can_draft_a_case_story_from_the_escalation_page(client):

    escalation = raise_escalation()
    client = _signed_in(client, ServiceManagerFactory())
    body = client.get(reverse("escalations:detail", args=[escalation.pk])).content.decode()
    assert f'action="{reverse("reports:stories")}"' in body
    client.post(reverse("reports:stories"), {"reference": escalation.reference})
    assert CaseStory.objects.filter(escalation=escalation).exists()


@pytest.mark.parametrize("name", ["respond", "acknowledge", "resolve", "withdraw"])
def test_a_post_without_the_csrf_token_is_refused(name):

    escalation = raise_escalation()
    user = escalation.current_addressee if name in ("respond", "acknowledge") else escalation.iro
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        reverse(f"escalations:{name}", args=[escalation.pk]),
        {"version": escalation.version, "response": "x", "outcome": str(outcome("resolved").pk)},
    )
    assert response.status_code == 403
    assert Escalation.objects.get().version == escalation.version


# --- reasons, notes, reopen, refusals ------------------------------------------------------------


def test_escalating_needs_a_reason_and_keeps_what_was_typed(client):
    escalation = raise_escalation()
    head = ManagerFactory(stage=stage("head_of_service"))
    response = _signed_in(client, escalation.iro).post(
        reverse("escalations:escalate", args=[escalation.pk]),
        {"version": escalation.version, "addressee": str(head.pk), "reason": ""},
    )
    assert response.status_code == 400
    assert 'href="#id_reason">Enter why you are escalating it' in response.content.decode()


def test_a_reason_longer_than_allowed_is_refused_with_the_limit(client):
    escalation = raise_escalation()
    response = _signed_in(client, escalation.iro).post(
        reverse("escalations:withdraw", args=[escalation.pk]), {"version": escalation.version, "reason": "x" * 2001}
    )
    assert "The reason must be 2,000 characters or fewer" in response.content.decode()


def test_a_note_from_the_manager_is_on_the_timeline_and_tells_the_iro(client):
    escalation = raise_escalation()
    response = _signed_in(client, escalation.current_addressee).post(
        reverse("escalations:note", args=[escalation.pk]), {"text": "Can we meet on Monday?", "once": "n1"}
    )
    assert response.status_code == 302
    page = client.get(reverse("escalations:detail", args=[escalation.pk])).content.decode()
    assert "Can we meet on Monday?" in page
    assert Notice.objects.filter(kind=NoticeKind.NOTE, recipient=escalation.iro).count() == 1


def test_the_same_note_sent_twice_is_added_once(client):
    escalation = raise_escalation()
    signed_in = _signed_in(client, escalation.iro)
    for _ in range(2):
        signed_in.post(
            reverse("escalations:note", args=[escalation.pk]), {"text": "Update: court date set.", "once": "k"}
        )
    assert escalation.notes.count() == 1


def test_a_manager_it_was_never_sent_to_cannot_add_a_note(client):
    escalation = raise_escalation()
    response = _signed_in(client, ManagerFactory()).get(reverse("escalations:note", args=[escalation.pk]))
    assert response.status_code == 404


def test_an_action_page_refuses_a_closed_escalation_and_links_to_reopen_it(client):
    escalation = raise_escalation()
    services.escalation_resolve(
        escalation=escalation, by=escalation.iro, outcome=outcome("resolved"), reason="The plan was agreed."
    )
    response = _signed_in(client, escalation.iro).get(reverse("escalations:escalate", args=[escalation.pk]))
    body = response.content.decode()
    assert response.status_code == 409
    assert "is closed, so you cannot escalate it. Reopen it first." in body
    assert reverse("escalations:reopen", args=[escalation.pk]) in body


def test_reopening_sends_it_again_with_the_reason(client):
    escalation = raise_escalation()
    manager = escalation.current_addressee
    closed = services.escalation_resolve(
        escalation=escalation, by=escalation.iro, outcome=outcome("resolved"), reason="The plan was agreed."
    )
    response = _signed_in(client, escalation.iro).post(
        reverse("escalations:reopen", args=[escalation.pk]),
        {"version": closed.version, "addressee": str(manager.pk), "reason": "The plan fell through."},
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert (escalation.status, escalation.current_step.sent_reason) == ("open", "The plan fell through.")


def test_a_reply_typed_while_the_step_was_reassigned_is_kept_with_who_has_it_now(client):
    escalation = raise_escalation()
    first = escalation.current_addressee
    signed_in = _signed_in(client, first)
    form = signed_in.get(reverse("escalations:respond", args=[escalation.pk])).context["form"]
    second = ManagerFactory(stage=stage("team_manager"), first_name="Sam", last_name="Patel")
    services.escalation_reassign(escalation=escalation, by=escalation.iro, addressee=second)
    response = signed_in.post(
        reverse("escalations:respond", args=[escalation.pk]),
        {"version": form.initial["version"], "once": form.initial["once"], "response": "We will review on Friday."},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert f"{escalation.reference} is now with {second}" in body and "It was reassigned" in body
    assert body.count("We will review on Friday.") == 2  # shown to copy, and in the note ready to send
    assert not escalation.steps.exclude(response="").exists()


def test_every_inbox_group_runs_the_same_queries_for_1_or_50_rows(client):
    iro, head = IroFactory(), ManagerFactory(stage=stage("head_of_service"))

    def one_of_each():
        for _ in range(2):
            raise_escalation(
                iro=iro,
                stage_code="head_of_service",
                addressee=head,
                children=[ChildFactory(iro=iro) for _ in range(3)],
            )
        answered = raise_escalation(iro=iro, stage_code="head_of_service", addressee=head)
        services.escalation_respond(escalation=answered, by=head, response="Agreed.")
        _moved_on(head, to_stage="director", iro=iro, stage_code="head_of_service")

    one_of_each()
    assert_same_queries(
        _signed_in(client, head), reverse("escalations:inbox"), lambda: [one_of_each() for _ in range(12)]
    )


def test_sent_before_runs_the_same_queries_for_1_or_50_rows(client):
    iro, head = IroFactory(), ManagerFactory(stage=stage("head_of_service"))

    def moved():
        children = [ChildFactory(iro=iro) for _ in range(3)]
        _moved_on(head, to_stage="director", iro=iro, stage_code="head_of_service", children=children)

    moved()
    assert_same_queries(
        _signed_in(client, head), reverse("escalations:sent_before"), lambda: [moved() for _ in range(49)]
    )


def test_the_decisions_on_my_escalations_run_the_same_queries_for_1_or_20(client):
    iro = IroFactory()

    def answered():
        escalation = raise_escalation(iro=iro, children=[ChildFactory(iro=iro) for _ in range(2)])
        services.escalation_respond(escalation=escalation, by=escalation.current_addressee, response="Agreed.")

    answered()
    assert_same_queries(_signed_in(client, iro), reverse("escalations:mine"), lambda: [answered() for _ in range(19)])


def test_the_person_picker_shows_teams_the_childs_team_first_and_who_is_away(client):
    ours, theirs = TeamFactory(name="North"), TeamFactory(name="South")
    child = ChildFactory(team=ours)
    tm = stage("team_manager")
    away = ManagerFactory(stage=tm, team=theirs, first_name="Aaron", last_name="Able")
    near = ManagerFactory(stage=tm, team=ours, first_name="Zoe", last_name="Zed")
    cover = ManagerFactory(stage=tm, team=theirs, first_name="Carl", last_name="Cover")
    absence_record(by=away, manager=away, starts_on=timezone.localdate(), ends_on=timezone.localdate(), delegate=cover)
    form = _signed_in(client, child.iro).get(reverse("escalations:raise") + f"?child={child.pk}").context["form"]
    team_managers = dict(form.fields["addressee"].choices)["Team manager (response within 3 working days)"]
    labels = [label for _, label in team_managers]
    assert labels[0] == f"{near} (North)"
    assert f"{away} (South): away until {format_date(timezone.localdate())}, {cover} is covering" in labels


def test_a_manager_of_another_team_is_warned_about_but_not_refused(client):
    child = ChildFactory(team=TeamFactory(name="North"))
    other = ManagerFactory(team=TeamFactory(name="South"))
    signed_in = _signed_in(client, child.iro)
    signed_in.post(reverse("escalations:raise") + f"?child={child.pk}", _raise_post(child, other))
    body = signed_in.get(reverse("escalations:raise_check") + f"?child={child.pk}").content.decode()
    assert f"{other} is not in North, the child&#x27;s team. You can still send it to them." in body


def test_the_child_chooser_starts_with_no_child_chosen_and_asks_for_one(client):
    iro = IroFactory()
    ChildFactory(iro=iro)
    signed_in = _signed_in(client, iro)
    assert (
        '<option value="" selected>Choose a child</option>'
        in signed_in.get(reverse("escalations:raise")).content.decode()
    )
    response = signed_in.get(reverse("escalations:raise") + "?child=")
    assert response.status_code == 400 and "Choose the child the escalation is about" in response.content.decode()


# --- raising from a drift watch flag --------------------------------------------------------------


def _flag_link(flag, theme_obj, sub=None):
    query = f"?child={flag.child_id}&theme={theme_obj.pk}" + (f"&subtheme={sub.pk}" if sub else "")
    return reverse("escalations:raise") + query + f"&flag={flag.pk}"


def test_raising_from_a_flag_ticks_its_theme_and_sub_theme(client):
    iro = IroFactory()
    flag = DriftFlagFactory(child__iro=iro, rule="missing-now")
    safety, missing = theme("safety"), subtheme("safety", "missing")

    body = _signed_in(client, iro).get(_flag_link(flag, safety, missing)).content.decode()

    assert f'name="themes" type="checkbox" value="{safety.pk}" checked' in body
    assert f'value="{missing.pk}" checked' in body


def test_an_escalation_raised_from_a_flag_is_linked_to_it(client):
    iro = IroFactory()
    flag = DriftFlagFactory(child__iro=iro, rule="R28-visit")
    manager = ManagerFactory()
    signed = _signed_in(client, iro)
    signed.get(_flag_link(flag, theme("sw_visits")))
    url = reverse("escalations:raise") + f"?child={flag.child_id}"
    signed.post(url, _raise_post(flag.child, manager, themes=[str(theme("sw_visits").pk)]))

    response = signed.post(reverse("escalations:raise_check") + f"?child={flag.child_id}", follow=True)

    flag.refresh_from_db()
    assert flag.escalation is not None
    assert list(flag.escalation.themes.all()) == [theme("sw_visits")]
    assert response.redirect_chain[-1][0] == reverse("escalations:detail", args=[flag.escalation.pk])


def test_a_raise_started_afresh_after_a_flag_is_not_linked_to_it(client):
    iro = IroFactory()
    flag = DriftFlagFactory(child__iro=iro)
    signed = _signed_in(client, iro)
    signed.get(_flag_link(flag, theme("drift")))
    signed.get(reverse("escalations:raise") + f"?child={flag.child_id}")  # a new start, from the child's page
    signed.post(reverse("escalations:raise") + f"?child={flag.child_id}", _raise_post(flag.child, ManagerFactory()))

    signed.post(reverse("escalations:raise_check") + f"?child={flag.child_id}")

    flag.refresh_from_db()
    assert flag.escalation is None


def test_a_flag_whose_child_was_unticked_is_not_linked_and_the_iro_is_told(client):
    iro = IroFactory()
    group = SiblingGroupFactory()
    flag = DriftFlagFactory(child__iro=iro, child__sibling_group=group)
    sister = ChildFactory(iro=iro, sibling_group=group)
    signed = _signed_in(client, iro)
    signed.get(_flag_link(flag, theme("drift")))
    url = reverse("escalations:raise") + f"?child={flag.child_id}"
    signed.post(url, _raise_post(flag.child, ManagerFactory(), children=[str(sister.pk)]))

    response = signed.post(reverse("escalations:raise_check") + f"?child={flag.child_id}", follow=True)

    flag.refresh_from_db()
    assert flag.escalation is None
    assert "not about the child of the drift watch flag" in response.content.decode()


# --- issue 16: input that once crashed the pages --------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize("part", [0, 1, 2])
def test_a_huge_number_in_the_cafcass_date_is_refused_as_not_a_real_date(client, part):
    escalation = raise_escalation()
    today = timezone.localdate()
    values = [today.day, today.month, today.year]
    values[part] = HUGE
    response = _signed_in(client, escalation.iro).post(
        reverse("escalations:cafcass", args=[escalation.pk]),
        {"version": escalation.version, **{f"referred_on_{i}": v for i, v in enumerate(values)}, "reason": "Kept."},
    )
    assert response.status_code == 400
    assert "The date of the referral must be a real date" in response.content.decode()


def test_a_huge_number_in_the_action_date_is_refused_keeping_the_text(client):
    escalation = raise_escalation()
    response = _signed_in(client, escalation.current_addressee).post(
        reverse("escalations:respond", args=[escalation.pk]),
        {
            "version": escalation.version,
            "response": "Plan updated soon.",
            "action_due_on_0": "1",
            "action_due_on_1": "1",
            "action_due_on_2": HUGE,
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "must be a real date" in body and "Plan updated soon." in body


def test_a_nul_in_a_response_is_refused_naming_the_field_and_keeping_the_text(client):
    escalation = raise_escalation()
    response = _signed_in(client, escalation.current_addressee).post(
        reverse("escalations:respond", args=[escalation.pk]),
        {"version": escalation.version, "response": "Plan\x00 updated soon."},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "contains a NUL character at character 5, which cannot be stored" in body
    assert "Plan" in body and "updated soon." in body
    assert Escalation.objects.get().current_step.response == ""


def test_the_inbox_pages_what_awaits_a_reply_with_its_own_page_number(client, monkeypatch):
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 1)
    first = raise_escalation()
    tm = first.current_addressee
    second = raise_escalation(addressee=tm)
    client.force_login(tm)
    page = client.get(reverse("escalations:inbox"), {"awaiting": 2}).content.decode()
    assert 'aria-label="Pages of escalations awaiting your response"' in page
    assert 'href="?awaiting=1"' in page
    assert (first.reference in page) != (second.reference in page)  # one of the two, on its own page
