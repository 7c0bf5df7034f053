"""The whole journey of one escalation, in a real browser, each person signed in as themselves:

1. iro1 raises an escalation about two siblings to tm1;
2. tm1 acknowledges and responds, and finds it in their inbox under "Answered, with the IRO";
3. iro1 finds it under "Your decision needed", asks a follow-up in a note, tm1 answers with a note,
   and iro1 escalates it to head of service, saying why;
4. hos1 responds;
5. iro1 resolves it with a reason, then reopens it with a reason; sm1 acknowledges the reopened step
   for hos1 (the timeline says "by sm1 for hos1"), and iro1 resolves it again;
6. sm1 finds it on the dashboard and in the filtered list.

Every step checks what the page shows, scans it with axe and saves a screenshot
(var/screenshots/journey-*.png).
"""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from children.models import Child
from escalations.models import Escalation
from people.models import User
from tests.browser.conftest import axe_check, screenshot, sign_in, sign_out

CONCERN = "The permanence plan for the brothers has not moved since the review in September."


def _siblings_on_caseload(username):
    """A child of ``username``'s caseload with a brother or sister also on it."""

    for child in Child.objects.filter(iro__username=username, sibling_group__isnull=False).order_by("case_id"):
        sibling = (
            Child.objects.filter(iro=child.iro, sibling_group=child.sibling_group)
            .exclude(pk=child.pk)
            .order_by("case_id")
            .first()
        )
        if sibling is not None:
            return child, sibling
    raise AssertionError(f"the demo gives {username} no siblings")


def _full_name(username):
    return str(User.objects.get(username=username))


def _picker(username):
    """How the person pickers show someone: their name and team."""
    user = User.objects.select_related("team").get(username=username)
    return f"{user} ({user.team})" if user.team_id else f"{user} (no team)"


def _note(page, text):
    page.get_by_role("link", name="Add a note").click()
    page.get_by_label("Your note").fill(text)
    page.get_by_role("button", name="Add the note").click()
    expect(_banner(page)).to_contain_text("Your note was added to")
    expect(page.locator(".moj-timeline")).to_contain_text(text)


def _pk(reference):
    return Escalation.objects.get(reference=reference).pk


def _banner(page):
    return page.locator(".govuk-notification-banner--success")


def _open_from_inbox(page, reference):
    page.goto("/escalations/inbox/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Awaiting my response")
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def _open_from_my_escalations(page, reference, status="open"):
    page.goto(f"/escalations/mine/?status={status}")
    page.get_by_role("table").get_by_role("link", name=reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def _respond(page, text, *, action, due):
    page.get_by_role("link", name="Respond").click()
    page.get_by_label("Your response").fill(text)
    page.get_by_label("Action agreed (optional)").fill(action)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    page.get_by_role("button", name="Send response").click()
    expect(_banner(page)).to_contain_text("Your response to")


def test_an_escalation_from_raising_to_resolution(page, demo_world):
    child, sibling = _siblings_on_caseload("iro1")
    team_manager, head = _full_name("tm1"), _full_name("hos1")
    due = timezone.localdate() + dt.timedelta(days=14)

    # 1. iro1 raises an escalation about two siblings to tm1.
    sign_in(page, "iro1")
    page.goto(f"/children/{child.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{child.first_name} {child.last_name}")
    page.locator("main").get_by_role("link", name="Raise an escalation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise an escalation")
    expect(page.get_by_label(f"{child.first_name} {child.last_name} ({child.case_id})")).to_be_checked()
    page.get_by_label(f"{sibling.first_name} {sibling.last_name} ({sibling.case_id})").check()
    page.get_by_label("Drift in care planning").check()
    reason = page.get_by_label("Difficulty identifying appropriate carers")
    expect(reason).to_be_visible()  # revealed under the drift theme
    reason.check()
    page.get_by_label("Who is it going to?").select_option(label=_picker("tm1"))
    page.get_by_label("What is the concern?").fill(CONCERN)
    page.get_by_label("What outcome do you want? (optional)").fill("A permanence planning meeting this month.")
    axe_check(page, "the raise form, filled in")
    screenshot(page, "journey-1-raise")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the escalation")
    answers = page.locator(".govuk-summary-list")
    expect(answers).to_contain_text(f"{child.first_name} {child.last_name} ({child.case_id})")
    expect(answers).to_contain_text(f"{sibling.first_name} {sibling.last_name} ({sibling.case_id})")
    expect(answers).to_contain_text("Drift in care planning")
    expect(answers).to_contain_text("Reasons for drift: Difficulty identifying appropriate carers")
    expect(answers).to_contain_text(f"{team_manager}, Team manager")
    axe_check(page, "check your answers")
    screenshot(page, "journey-1-check-answers")
    page.get_by_role("button", name="Send the escalation").click()

    expect(_banner(page)).to_contain_text(f"was sent to {team_manager}")
    reference = re.search(r"ESC-\d{4}-\d{5}", page.get_by_role("heading", level=1).inner_text()).group(0)
    expect(page.locator(".govuk-summary-list")).to_contain_text(CONCERN)
    expect(page.locator(".moj-timeline")).to_contain_text(f"Sent to {team_manager}, Team manager")
    axe_check(page, "a new escalation")
    screenshot(page, "journey-1-raised")
    sign_out(page)

    # 2. tm1 acknowledges and responds.
    sign_in(page, "tm1")
    _open_from_inbox(page, reference)
    page.get_by_role("link", name="Acknowledge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Acknowledge {reference}")
    page.get_by_role("button", name="Acknowledge").click()
    expect(_banner(page)).to_have_text(re.compile(f"You acknowledged {reference}"))
    expect(page.locator(".moj-timeline")).to_contain_text(f"Acknowledged by {team_manager}")
    _respond(page, "A permanence planning meeting is booked.", action="Permanence planning meeting", due=due)
    timeline = page.locator(".moj-timeline")
    expect(timeline).to_contain_text(f"Responded by {team_manager}")
    expect(timeline).to_contain_text("Action agreed: Permanence planning meeting")
    axe_check(page, "an escalation the manager has responded to")
    screenshot(page, "journey-2-responded")
    page.goto("/escalations/inbox/")
    answered = page.get_by_role("table", name=re.compile("You have responded"))
    expect(answered.get_by_role("row").filter(has_text=reference)).to_contain_text(
        f"{child.first_name} {child.last_name}, {sibling.first_name} {sibling.last_name}"
    )
    awaiting = page.get_by_role("table", name=re.compile("Waiting for your reply"))
    expect(awaiting.get_by_role("row").filter(has_text=reference)).to_have_count(0)
    axe_check(page, "the manager's inbox in its three groups")
    screenshot(page, "journey-2-inbox-groups")
    sign_out(page)

    # 3. iro1 sees the decision needed, asks a follow-up; tm1 answers; iro1 escalates, saying why.
    sign_in(page, "iro1")
    page.goto("/escalations/mine/")
    decision = page.locator(".govuk-summary-card").filter(has_text=reference)
    expect(decision).to_contain_text("A permanence planning meeting is booked.")
    axe_check(page, "my escalations with a decision needed")
    screenshot(page, "journey-3-decision-needed")
    decision.get_by_role("link", name=re.compile("Ask a follow-up")).click()
    page.get_by_label("Your note").fill("Who is chairing the meeting, and when is it?")
    axe_check(page, "the note form")
    page.get_by_role("button", name="Add the note").click()
    expect(_banner(page)).to_contain_text("Your note was added to")
    sign_out(page)
    sign_in(page, "tm1")
    _open_from_inbox(page, reference)
    expect(page.locator(".moj-timeline")).to_contain_text("Who is chairing the meeting, and when is it?")
    _note(page, "I am chairing it, on the 14th.")
    sign_out(page)
    sign_in(page, "iro1")
    _open_from_my_escalations(page, reference)
    expect(page.locator(".moj-timeline")).to_contain_text("I am chairing it, on the 14th.")
    page.get_by_role("link", name="Escalate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Escalate {reference}")
    page.get_by_label("Who should it go to?").select_option(label=_picker("hos1"))
    page.get_by_label("Why are you escalating it?").fill("A carer search needs the head of service's agreement.")
    axe_check(page, "the escalate form")
    page.get_by_role("button", name="Escalate").click()
    expect(_banner(page)).to_contain_text(f"{reference} was escalated.")
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"Head of service, {head}")
    expect(page.locator(".moj-timeline")).to_contain_text("Why: A carer search needs the head of service's agreement.")
    screenshot(page, "journey-3-escalated")
    sign_out(page)

    # 4. hos1 responds.
    sign_in(page, "hos1")
    _open_from_inbox(page, reference)
    _respond(page, "The head of service has agreed a carer search.", action="Carer search", due=due)
    expect(page.locator(".moj-timeline")).to_contain_text(f"Responded by {head}")
    sign_out(page)

    # 5. iro1 resolves it with a reason, then reopens it; sm1 acknowledges for hos1; iro1 resolves it.
    sign_in(page, "iro1")
    _open_from_my_escalations(page, reference)
    page.get_by_role("link", name="Resolve").click()
    page.get_by_label("Resolved", exact=True).check()
    page.get_by_label("Why are you closing it?").fill("The carer search has started.")
    page.get_by_role("button", name="Close the escalation").click()
    expect(_banner(page)).to_contain_text(f"{reference} was closed.")
    expect(page.locator(".moj-timeline")).to_contain_text("Why: The carer search has started.")
    page.goto(f"/escalations/{_pk(reference)}/escalate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This cannot be done now")
    page.get_by_role("link", name=re.compile("^Reopen")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Reopen {reference}")
    page.get_by_label("Why are you reopening it?").fill("The carer search has stalled.")
    axe_check(page, "the reopen form")
    page.get_by_role("button", name="Reopen and send").click()
    expect(_banner(page)).to_contain_text(f"{reference} was reopened")
    expect(page.locator(".moj-timeline")).to_contain_text(f"Reopened and sent to {head}, Head of service")
    sign_out(page)
    sign_in(page, "sm1")
    page.goto(f"/escalations/{_pk(reference)}/")
    page.get_by_role("link", name="Acknowledge").click()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".moj-timeline__item").filter(has_text="Acknowledged").first).to_contain_text(
        f"by {_full_name('sm1')} for {head}"
    )
    screenshot(page, "journey-5-acting-for")
    sign_out(page)
    sign_in(page, "iro1")
    _open_from_my_escalations(page, reference)
    page.get_by_role("link", name="Resolve").click()
    page.get_by_label("Resolved", exact=True).check()
    page.get_by_label("Why are you closing it?").fill("A carer has been found.")
    page.get_by_role("button", name="Close the escalation").click()
    expect(_banner(page)).to_contain_text(f"{reference} was closed.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed: Resolved")
    items = page.locator(".moj-timeline__item")
    expect(items.first).to_contain_text("Closed: Resolved")
    expect(items.last).to_contain_text("Raised")
    assert items.count() >= 13  # raised, 3 steps sent, 2 acknowledged, 2 responses, escalated, 2 notes, 2 closed
    axe_check(page, "a resolved escalation with a timeline of two steps")
    screenshot(page, "journey-5-resolved")
    page.goto("/escalations/mine/?status=closed")
    expect(page.get_by_role("row").filter(has_text=reference)).to_contain_text("Closed: Resolved")
    sign_out(page)

    # 6. sm1 finds it on the dashboard and in the filtered list.
    sign_in(page, "sm1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    drift = page.locator("#year-by-theme").get_by_role("row").filter(has_text="Drift in care planning")
    drift_count = int(drift.get_by_role("link").inner_text().split()[0])
    assert drift_count >= 1
    screenshot(page, "journey-6-dashboard")
    drift.get_by_role("link").click()
    expect(page.get_by_role("link", name=reference)).to_be_visible()  # newest first, so on page 1

    page.goto("/escalations/all/")
    page.get_by_label("Status").select_option(label="Closed")
    page.get_by_label("Theme").select_option(label="Drift in care planning")
    page.get_by_label("IRO", exact=True).select_option(label=_full_name("iro1"))
    today = timezone.localdate()
    raised_from = page.locator("#id_raised_from")
    raised_from.get_by_label("Day").fill(str(today.day))
    raised_from.get_by_label("Month").fill(str(today.month))
    raised_from.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Apply filters").click()
    row = page.get_by_role("row").filter(has_text=reference)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Closed")
    expect(row).to_contain_text(child.first_name)
    axe_check(page, "all escalations, filtered")
    screenshot(page, "journey-6-filtered-list")
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def test_a_manager_away_has_their_escalation_go_to_the_delegate(page, demo_world):
    """tm1 records an absence with another team manager covering; iro1 sees who is away when raising
    to tm1, and the escalation lands with the delegate, the timeline saying why."""
    delegate = (
        User.objects.filter(role="manager", stage__code="team_manager")
        .exclude(username="tm1")
        .order_by("username")
        .first()
    )
    child, _ = _siblings_on_caseload("iro1")
    today = timezone.localdate()
    sign_in(page, "tm1")
    page.get_by_role("link", name="Absences").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Absences")
    for prefix, day in (("starts_on", today), ("ends_on", today + dt.timedelta(days=7))):
        group = page.locator(f"#id_{prefix}")
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Who covers for them?").select_option(value=str(delegate.pk))
    axe_check(page, "the absence form, filled in")
    page.get_by_role("button", name="Record the absence").click()
    expect(_banner(page)).to_contain_text(f"{delegate} covers")
    expect(page.get_by_role("table", name="Away now or soon")).to_contain_text(str(delegate))
    axe_check(page, "the absences page with one absence")
    screenshot(page, "journey-absence")
    sign_out(page)

    sign_in(page, "iro1")
    page.goto(f"/escalations/raise/?child={child.pk}")
    away_label = page.locator("#id_addressee option").filter(has_text="away until")
    expect(away_label).to_contain_text(f"{delegate} is covering")
    page.get_by_label("Drift in care planning").check()
    page.get_by_label("Who is it going to?").select_option(label=away_label.inner_text())
    page.get_by_label("What is the concern?").fill(CONCERN)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text(f"it will go to {delegate}, who is covering")
    page.get_by_role("button", name="Send the escalation").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"Team manager, {delegate}")
    expect(page.locator(".moj-timeline")).to_contain_text(f"{_full_name('tm1')} was away, so it went to {delegate}")
    reference = re.search(r"ESC-\d{4}-\d{5}", page.get_by_role("heading", level=1).inner_text()).group(0)
    sign_out(page)

    sign_in(page, delegate.username)
    _open_from_inbox(page, reference)
