"""The whole journey of one escalation, in a real browser, each person signed in as themselves:

1. iro1 raises an escalation about two siblings to tm1;
2. tm1 acknowledges and responds;
3. iro1 escalates to head of service;
4. hos1 responds;
5. iro1 resolves it;
6. sm1 finds it on the dashboard and in the filtered list.

Every step checks what the page shows, scans it with axe and saves a screenshot
(var/screenshots/journey-*.png).
"""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from children.models import Child
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
    page.get_by_role("link", name=reference).click()
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
    page.get_by_label("Who is it going to?").select_option(label=team_manager)
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
    sign_out(page)

    # 3. iro1 escalates to head of service.
    sign_in(page, "iro1")
    _open_from_my_escalations(page, reference)
    page.get_by_role("link", name="Escalate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Escalate {reference}")
    page.get_by_label("Who should it go to?").select_option(label=head)
    axe_check(page, "the escalate form")
    page.get_by_role("button", name="Escalate").click()
    expect(_banner(page)).to_contain_text(f"{reference} was escalated.")
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"Head of service, {head}")
    screenshot(page, "journey-3-escalated")
    sign_out(page)

    # 4. hos1 responds.
    sign_in(page, "hos1")
    _open_from_inbox(page, reference)
    _respond(page, "The head of service has agreed a carer search.", action="Carer search", due=due)
    expect(page.locator(".moj-timeline")).to_contain_text(f"Responded by {head}")
    sign_out(page)

    # 5. iro1 resolves it.
    sign_in(page, "iro1")
    _open_from_my_escalations(page, reference)
    page.get_by_role("link", name="Resolve").click()
    page.get_by_label("Resolved", exact=True).check()
    page.get_by_role("button", name="Close the escalation").click()
    expect(_banner(page)).to_contain_text(f"{reference} was closed.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Closed: Resolved")
    items = page.locator(".moj-timeline__item")
    expect(items.first).to_contain_text("Closed: Resolved")
    expect(items.last).to_contain_text("Raised")
    assert items.count() >= 8  # raised, 2 steps sent, acknowledged, 2 responses, escalated, closed
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
