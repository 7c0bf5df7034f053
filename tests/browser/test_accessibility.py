"""Every page the service serves outside the Django admin, in each state a person meets it, scanned
with axe-core (WCAG 2.0, 2.1 and 2.2 A and AA, no rule switched off, whole pages) and photographed
(var/screenshots/a11y-*.png).

One test per person, or kind of person, walks their pages. Before each scan the test checks the
page is in the state the label names (the heading, the error summary, the empty message, page 2),
so a scan never passes on the wrong page. A failing scan does not stop the walk: the test fails at
the end listing every page and state with violations.

Scanned elsewhere, so not here: the sign-in page, with a wrong password and after a timeout, each
demo person's start page and the statement pages (test_sign_in.py, test_session_timeout.py); the
raise form filled in, check your answers, a new escalation, the escalate form with a person chosen
and a resolved escalation (test_journey.py).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from audit.services import access_log_record
from children.models import Child
from escalations import services
from escalations.models import Escalation
from imports.models import ImportJob, ImportJobStatus
from imports.progress import Progress, job_upload_path, progress_path, progress_write
from people.models import User
from reports.selectors import default_period
from ssda903.services import ssda903_import
from tests.browser.conftest import axe_check, screenshot, sign_in, sign_out
from tests.factories import IroFactory, ManagerFactory, ServiceManagerFactory
from tests.imports.helpers import log_csv, row
from themes.models import DriftReason, Theme

CONCERN = "The plan for the two children to live together has drifted since the review in the spring."


class Scans:
    """Scan and photograph each page; collect the violations of all of them, then fail once."""

    def __init__(self, page):
        self.page = page
        self.labels: list[tuple[str, str]] = []
        self.failures: list[str] = []

    def __call__(self, name: str, label: str):
        assert name not in {n for n, _ in self.labels}, f"two scans named {name}"
        self.labels.append((name, label))
        screenshot(self.page, f"a11y-{name}")
        try:
            axe_check(self.page, label)
        except AssertionError as error:
            self.failures.append(str(error))

    def assert_clean(self):
        assert self.labels, "nothing was scanned"
        assert self.failures == [], (
            f"{len(self.failures)} of {len(self.labels)} pages have violations:\n\n" + "\n\n".join(self.failures)
        )


@pytest.fixture
def scans(page):
    return Scans(page)


def test_a_scan_with_a_violation_fails_naming_the_page_and_state(page, world, scans):
    page.goto("/sign-in/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text id=unlabelled>')")
    scans("selftest-unlabelled-input", "the sign-in page with an unlabelled field")
    with pytest.raises(AssertionError, match=r"(?s)1 of 1 pages.*label.*the sign-in page with an unlabelled field"):
        scans.assert_clean()


# --- what the pages show ---------------------------------------------------------------------------


def _h1(page):
    # The first: the committee report page shows the report itself, which has its own title.
    return page.get_by_role("heading", level=1).first


def _open(page, path: str, heading: str | re.Pattern, *, status: int = 200):
    response = page.goto(path)
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    expect(_h1(page)).to_contain_text(heading)


def _submit(page, button: str, *, status: int = 400, timeout: float | None = None):
    with page.expect_navigation(timeout=timeout) as navigation:
        page.get_by_role("button", name=button, exact=True).click(timeout=timeout)
    response = navigation.value
    assert response.status == status, f"{page.url} answered {response.status}, expected {status}"


def _error_summary(page, *messages: str):
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    for message in messages:
        expect(summary).to_contain_text(message)
    expect(page).to_have_title(re.compile(r"^Error: "))


def _fill_date(page, day, month, year):
    page.get_by_label("Day").fill(str(day))
    page.get_by_label("Month").fill(str(month))
    page.get_by_label("Year").fill(str(year))


# --- the data --------------------------------------------------------------------------------------


def _user(username):

    return User.objects.get(username=username)


def _siblings_on_caseload(username, *, looked_after_on: dt.date | None = None):
    """A child of ``username``'s caseload and a brother or sister also on it, both looked after on
    ``looked_after_on`` (today by default)."""

    day = looked_after_on or timezone.localdate()
    for child in Child.objects.filter(iro__username=username, sibling_group__isnull=False).order_by("case_id"):
        siblings = (
            Child.objects.filter(iro=child.iro, sibling_group=child.sibling_group)
            .exclude(pk=child.pk)
            .order_by("case_id")
        )
        sibling = next((s for s in siblings if s.was_looked_after_on(day) is not False), None)
        if sibling is not None and child.was_looked_after_on(day) is not False:
            return child, sibling
    raise AssertionError(f"the demo gives {username} no siblings looked after on {day}")


def _three_step_escalation():
    """iro1's open escalation about two siblings: sent to tm1, who acknowledged and responded;
    escalated to pgl1, who responded; escalated to hos1, who has not replied yet."""

    iro, tm, pgl, hos = (_user(name) for name in ("iro1", "tm1", "pgl1", "hos1"))
    now = timezone.now()
    day = dt.timedelta(days=1)
    child, sibling = _siblings_on_caseload("iro1", looked_after_on=timezone.localdate() - 12 * day)
    escalation = services.escalation_raise(
        by=iro,
        children=[child, sibling],
        stage=tm.stage,
        addressee=tm,
        concern=CONCERN,
        desired_outcome="A permanence planning meeting this month.",
        themes=[Theme.objects.get(code=Theme.DRIFT)],
        drift_reasons=DriftReason.objects.filter(active=True).order_by("order")[:2],
        raised_at=now - 12 * day,
    )
    escalation = services.escalation_first_response(escalation=escalation, by=tm, at=now - 11 * day)
    escalation = services.escalation_respond(
        escalation=escalation,
        by=tm,
        response="A meeting is booked.",
        action_agreed="Permanence planning meeting",
        action_due_on=timezone.localdate() + 14 * day,
        at=now - 10 * day,
    )
    escalation = services.escalation_escalate(
        escalation=escalation, by=iro, stage=pgl.stage, addressee=pgl, at=now - 8 * day, reason="No reply in time."
    )
    escalation = services.escalation_respond(
        escalation=escalation, by=pgl, response="The plan is with the panel.", at=now - 6 * day
    )
    escalation = services.escalation_escalate(
        escalation=escalation, by=iro, stage=hos.stage, addressee=hos, at=now - 4 * day, reason="No reply in time."
    )
    assert escalation.steps.count() == 3
    return escalation, child


def _closed_escalations_for(username, *, at_least: int):
    """Raise and withdraw escalations of ``username`` until they have ``at_least`` closed ones."""

    iro, tm = _user(username), _user("tm1")
    closed = Escalation.objects.filter(iro=iro, status="closed").count()
    children = [
        child
        for child in Child.objects.filter(iro=iro).order_by("case_id")
        if child.was_looked_after_on(timezone.localdate() - dt.timedelta(days=2)) is not False
    ]
    for number in range(max(0, at_least - closed)):
        escalation = services.escalation_raise(
            by=iro,
            children=[children[number % len(children)]],
            stage=tm.stage,
            addressee=tm,
            concern="Withdrawn: the plan was agreed at the review.",
            raised_at=timezone.now() - dt.timedelta(days=2),
        )
        services.escalation_withdraw(escalation=escalation, by=iro, reason="Raised in error.")
    assert Escalation.objects.filter(iro=iro, status="closed").count() >= at_least


def _addressed_to(username, **filters):
    """An open escalation whose current step is with ``username``."""

    escalation = (
        Escalation.objects.filter(status="open", current_addressee__username=username, **filters).order_by("pk").first()
    )
    assert escalation is not None, f"the demo has no open escalation with {username} ({filters})"
    return escalation


def _other_caseload_escalation(iro_username):
    """An escalation the IRO neither raised nor has a child of on their caseload."""

    escalation = (
        Escalation.objects.exclude(iro__username=iro_username)
        .exclude(children__iro__username=iro_username)
        .order_by("pk")
        .first()
    )
    assert escalation is not None
    return escalation


# --- the IRO -----------------------------------------------------------------------------------------


def test_an_iros_escalation_pages_pass_axe(page, demo_world, scans):

    escalation, child = _three_step_escalation()
    closed = Escalation.objects.filter(iro__username="iro1", status="closed").order_by("-closed_at").first()
    quiet = Child.objects.filter(iro__username="iro1", escalations__isnull=True).order_by("case_id").first()
    assert closed is not None and quiet is not None
    sign_in(page, "iro1")

    _open(page, f"/children/{child.pk}/", f"{child.first_name} {child.last_name}")
    expect(page.locator(".moj-timeline")).to_contain_text(escalation.reference)
    scans("iro-child", "a child's page with an escalation of three steps")

    _open(page, f"/escalations/{escalation.pk}/", escalation.reference)
    timeline = page.locator(".moj-timeline")
    for person in ("tm1", "pgl1", "hos1"):
        expect(timeline).to_contain_text(f"Sent to {_user(person)}")
    assert timeline.locator(".moj-timeline__item").count() >= 7
    scans("iro-escalation-three-steps", "an open escalation with a timeline of three steps")

    _open(page, f"/escalations/{closed.pk}/", "Closed")
    scans("iro-escalation-closed", "a closed escalation")

    _open(page, f"/children/{quiet.pk}/", f"{quiet.first_name} {quiet.last_name}")
    expect(page.locator("main")).to_contain_text(f"No escalations about {quiet.display_name}.")
    scans("iro-child-no-escalations", "a child's page with no escalations")

    _open(page, "/escalations/mine/", "My escalations")
    expect(page.get_by_role("table")).to_contain_text(escalation.reference)
    scans("iro-my-escalations-open", "My escalations, open")
    scans.assert_clean()


def test_an_iros_lists_of_closed_escalations_pass_axe(page, demo_world, scans):
    _closed_escalations_for("iro1", at_least=30)
    sign_in(page, "iro1")

    _open(page, "/escalations/mine/?status=closed", "My escalations")
    expect(page.get_by_role("table").get_by_role("caption")).to_have_text("Closed escalations you raised")
    scans("iro-my-escalations-closed", "My escalations, closed")

    _open(page, "/escalations/mine/?status=closed&page=2", "My escalations")
    expect(page.locator(".govuk-pagination__item--current")).to_have_text("2")
    expect(page.get_by_role("table").get_by_role("row")).not_to_have_count(0)
    scans("iro-my-escalations-closed-page-2", "My escalations, closed, page 2")
    scans.assert_clean()


def test_the_raise_pages_pass_axe_with_and_without_errors(page, demo_world, scans):

    child, sibling = _siblings_on_caseload("iro1")
    sign_in(page, "iro1")

    _open(page, "/escalations/raise/", "Raise an escalation")
    expect(page.get_by_label("Which child is it about?")).to_be_visible()
    scans("raise-choose-child", "raise: choosing the child")

    _open(page, f"/escalations/raise/?child={child.pk}", "Raise an escalation")
    scans("raise-form", "raise: the form as it opens")

    _submit(page, "Continue")
    _error_summary(page, "Enter the concern", "Choose who it is going to")
    scans("raise-form-errors", "raise: the form submitted with nothing chosen")

    page.get_by_label("Drift in care planning").check()
    expect(page.get_by_label("Difficulty identifying appropriate carers")).to_be_visible()
    page.get_by_label("Concerns about the placement").check()
    expect(page.get_by_label("Physical environment of the placement")).to_be_visible()
    page.get_by_label(f"{sibling.first_name} {sibling.last_name} ({sibling.case_id})").check()
    tm1 = _user("tm1")
    page.get_by_label("Who is it going to?").select_option(label=f"{tm1} ({tm1.team})")
    page.get_by_label("What is the concern?").fill(CONCERN)
    _submit(page, "Continue", status=200)
    expect(_h1(page)).to_have_text("Check your answers before sending the escalation")

    # The child's record changes before the IRO sends it: the service refuses, on the same page.
    Child.objects.filter(pk=sibling.pk).update(
        looked_after_from=timezone.localdate() - dt.timedelta(days=400),
        looked_after_to=timezone.localdate() - dt.timedelta(days=1),
    )
    _submit(page, "Send the escalation")
    _error_summary(page, f"Child {sibling.case_id} was not looked after")
    expect(_h1(page)).to_have_text("Check your answers before sending the escalation")
    scans("raise-check-answers-error", "raise: check your answers, refused by the service")
    scans.assert_clean()


def test_the_iros_change_pages_pass_axe_with_and_without_errors(page, demo_world, scans):
    escalation = _addressed_to("tm1", iro__username="iro1", cafcass_referred_on__isnull=True)
    ref, base = escalation.reference, f"/escalations/{escalation.pk}"
    sign_in(page, "iro1")

    _open(page, f"{base}/escalate/", f"Escalate {ref}")
    scans("escalate", "escalate: the form as it opens")
    _submit(page, "Escalate")
    _error_summary(page, "Choose who it is going to")
    scans("escalate-errors", "escalate: submitted with nobody chosen")

    _open(page, f"{base}/reassign/", f"Reassign {ref}")
    scans("reassign", "reassign: the form as it opens")
    _submit(page, "Reassign")
    _error_summary(page, "Choose a person")
    scans("reassign-errors", "reassign: submitted with nobody chosen")

    _open(page, f"{base}/resolve/", f"Resolve {ref}")
    scans("resolve", "resolve: the form as it opens")
    _submit(page, "Close the escalation")
    _error_summary(page, "Choose the outcome")
    scans("resolve-errors", "resolve: submitted with no outcome chosen")

    _open(page, f"{base}/cafcass/", f"Refer {ref} to Cafcass")
    scans("cafcass", "Cafcass referral: the form as it opens")
    _submit(page, "Record the referral")
    _error_summary(page, "Enter the date of the referral", "Enter why the case was referred to Cafcass")
    scans("cafcass-errors", "Cafcass referral: submitted empty")
    _fill_date(page, 31, 2, timezone.localdate().year)
    page.get_by_label("Why was it referred?").fill("The plan has drifted past the 20-working-day cap.")
    _submit(page, "Record the referral")
    _error_summary(page, "The date of the referral must be a real date")
    scans("cafcass-bad-date", "Cafcass referral: a date that does not exist")

    _open(page, f"{base}/withdraw/", f"Withdraw {ref}")
    scans("withdraw", "withdraw: the confirmation page")
    scans.assert_clean()


def test_a_stale_change_passes_axe(page, demo_world, scans):
    """Someone else changes the escalation while the form is open: the page says what changed."""

    escalation = _addressed_to(
        "tm1", iro__username="iro1", cafcass_referred_on__isnull=True, current_step__first_response_at__isnull=True
    )
    ref, base = escalation.reference, f"/escalations/{escalation.pk}"
    sign_in(page, "tm1")

    _open(page, f"{base}/respond/", f"Respond to {ref}")
    page.get_by_label("Your response").fill("A permanence planning meeting is booked for next week.")
    services.escalation_refer_to_cafcass(
        escalation=escalation,
        by=_user("iro1"),
        referred_on=timezone.localdate(),
        reason="The plan has drifted past the cap.",
    )
    _submit(page, "Send response")
    _error_summary(page, "after you opened it")
    expect(page.get_by_role("heading", name="What changed since you opened it")).to_be_visible()
    expect(page.get_by_label("Your response")).to_have_value("A permanence planning meeting is booked for next week.")
    scans("respond-stale", "respond: someone else changed the escalation first")

    # The same for a confirmation page (no text to keep): withdraw, after the manager acknowledged.
    page.context.clear_cookies()
    sign_in(page, "iro1")
    _open(page, f"{base}/withdraw/", f"Withdraw {ref}")
    page.get_by_label("Why are you withdrawing it?").fill("Raised in error.")
    escalation.refresh_from_db()
    services.escalation_first_response(escalation=escalation, by=_user("tm1"))
    _submit(page, "Withdraw")
    _error_summary(page, "after you opened it")
    expect(page.get_by_role("heading", name="What changed since you opened it")).to_be_visible()
    scans("withdraw-stale", "withdraw: someone else changed the escalation first")
    scans.assert_clean()


def test_the_not_found_and_forbidden_pages_pass_axe(page, demo_world, scans):
    other = _other_caseload_escalation("iro1")
    sign_in(page, "iro1")

    _open(page, f"/escalations/{other.pk}/", "Page not found", status=404)
    expect(page.locator("main")).not_to_contain_text(other.reference)
    scans("404-other-caseload", "404: another caseload's escalation, as iro1")

    _open(page, "/escalations/inbox/", "You cannot open this page", status=403)
    scans("403-iro-inbox", "403: an IRO opening the managers' inbox")
    scans.assert_clean()


# --- people with nothing yet -------------------------------------------------------------------------


def test_empty_lists_pass_axe(page, demo_world, scans):

    IroFactory(username="iro.new", first_name="Nadia", last_name="Newton")
    ManagerFactory(username="tm.new", first_name="Tomasz", last_name="Nowak")

    sign_in(page, "iro.new")
    _open(page, "/children/", "My children")
    expect(page.locator("main")).to_contain_text("There are no children on your caseload.")
    scans("empty-my-children", "My children with no caseload")

    _open(page, "/escalations/mine/", "My escalations")
    expect(page.locator("main")).to_contain_text("You have no open escalations.")
    scans("empty-my-escalations-open", "My escalations, open, none")

    _open(page, "/escalations/mine/?status=closed", "My escalations")
    expect(page.locator("main")).to_contain_text("You have no closed escalations.")
    scans("empty-my-escalations-closed", "My escalations, closed, none")

    _open(page, "/escalations/raise/", "Raise an escalation")
    expect(page.locator("main")).to_contain_text("There are no children on your caseload.")
    scans("empty-raise", "raise with no caseload")

    page.context.clear_cookies()
    sign_in(page, "tm.new")
    expect(_h1(page)).to_have_text("Awaiting my response")
    expect(page.locator("main")).to_contain_text("Nothing is waiting for your response.")
    scans("empty-inbox", "Awaiting my response, empty")
    scans.assert_clean()


# --- the responding manager ---------------------------------------------------------------------------


def test_a_managers_pages_pass_axe_with_and_without_errors(page, demo_world, scans):
    escalation = _addressed_to("tm1", current_step__first_response_at__isnull=True)
    ref, base = escalation.reference, f"/escalations/{escalation.pk}"
    sign_in(page, "tm1")

    _open(page, f"{base}/", ref)
    expect(page.get_by_role("link", name="Acknowledge")).to_be_visible()
    scans("manager-escalation", "an escalation awaiting the manager's response")

    _open(page, f"{base}/acknowledge/", f"Acknowledge {ref}")
    scans("acknowledge", "acknowledge: the confirmation page")

    _open(page, f"{base}/respond/", f"Respond to {ref}")
    scans("respond", "respond: the form as it opens")
    _submit(page, "Send response")
    _error_summary(page, "Enter your response")
    scans("respond-errors", "respond: submitted empty")

    page.get_by_label("Your response").fill("A meeting is booked.")
    _fill_date(page, 31, 2, timezone.localdate().year + 1)
    _submit(page, "Send response")
    _error_summary(page, "The date the action will be done by must be a real date")
    scans("respond-bad-date", "respond: a date that does not exist, and no action")

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    page.get_by_label("Action agreed (optional)").fill("Permanence planning meeting")
    _fill_date(page, yesterday.day, yesterday.month, yesterday.year)
    _submit(page, "Send response")
    _error_summary(page, "is before the response")
    scans("respond-date-refused", "respond: a date the service refuses (before the response)")

    _open(page, "/children/", "You cannot open this page", status=403)
    scans("403-manager-children", "403: a manager opening the children list")
    scans.assert_clean()


# --- the service manager ------------------------------------------------------------------------------


def test_the_service_managers_case_pages_pass_axe(page, demo_world, scans):
    escalation, child = _three_step_escalation()
    sign_in(page, "sm1")

    _open(page, "/children/?page=2", "Children")
    expect(page.locator(".govuk-pagination__item--current")).to_have_text("2")
    scans("sm-children-page-2", "every child, page 2")

    _open(page, f"/children/{child.pk}/", f"{child.first_name} {child.last_name}")
    scans("sm-child", "a child's page, as the service manager")

    _open(page, f"/escalations/{escalation.pk}/", escalation.reference)
    expect(page.get_by_role("button", name="Include in the committee report as a case story")).to_be_visible()
    scans("sm-escalation", "an escalation, as the service manager (every action, case story button)")
    scans.assert_clean()


def test_the_report_and_story_pages_pass_axe_with_and_without_errors(page, demo_world, scans):

    period = default_period()
    in_period = (
        Escalation.objects.filter(raised_at__date__gte=period.start, raised_at__date__lte=period.end)
        .order_by("pk")
        .first()
    )
    sign_in(page, "sm1")

    _open(page, "/reports/", "IRO escalations report")
    expect(page.get_by_role("link", name="Issue this report")).to_be_visible()
    scans("report", "the committee report, last financial year")

    page.get_by_role("link", name="Issue this report").click()
    expect(_h1(page)).to_contain_text("Issue version 1 of the report")
    _submit(page, "Issue version 1", status=200, timeout=60_000)  # the task runs in the request here
    expect(_h1(page)).to_have_text("Report issued")  # the job's page; the worker ran it at once here
    scans("report-issue-job-done", "the issue job, done")
    page.get_by_role("link", name="See the issued version and its files").click()
    expect(_h1(page)).to_have_text("Version 1 of the report")
    _open(page, "/reports/", "IRO escalations report")
    expect(page.get_by_role("heading", name="Issued versions")).to_be_visible()
    scans("report-issued", "the committee report with an issued version")

    _open(page, "/reports/?period=&start=2025-04-01&end=", "IRO escalations report")
    _error_summary(page, "Enter both the first and the last day")
    scans("report-period-errors", "the committee report, a period with no last day")

    _open(page, f"/reports/stories/?period={period.label}", "Case stories")
    scans("stories", "case stories, none yet")

    page.get_by_label("Escalation reference").fill("ESC-1999-99999")
    _submit(page, "Draft the story")
    _error_summary(page, "There is no escalation with the reference ESC-1999-99999")
    scans("stories-errors", "case stories: an unknown reference")

    page.get_by_label("Escalation reference").fill(in_period.reference)
    _submit(page, "Draft the story", status=200)
    expect(page.get_by_role("heading", name="Story 1")).to_be_visible()
    scans("stories-drafted", "case stories: a drafted story")

    # A story that names a child blocks the report.
    child = in_period.children.order_by("pk").first()
    page.get_by_label("Text of story 1").fill(f"{child.first_name} {child.last_name} waited a year for a plan.")
    _submit(page, "Save story 1", status=200)
    expect(page.get_by_text("This story blocks the paper")).to_be_visible()
    expect(page.get_by_text("This can never be overridden: edit the text.")).to_be_visible()
    scans("stories-blocked", "case stories: a story that names a child, which cannot be overridden")
    # Overrides (a first name that is an ordinary word, a second person's approval): test_paper.py.

    page.goto(f"/reports/stories/?period={period.label}")
    page.get_by_label("Text of story 1").fill("")
    _submit(page, "Save story 1")
    _error_summary(page, "Enter the story text")
    scans("story-text-error", "case story: saved empty")

    _open(page, f"/reports/?period={period.label}", "IRO escalations report")
    expect(page.locator("main")).to_contain_text("The report cannot be produced")
    scans("report-blocked", "the committee report blocked by a case story")

    _open(page, f"/reports/stories/?period={period.label}&start=2025-04-01", "Case stories")
    _error_summary(page, "Enter both the first and the last day")
    scans("stories-period-errors", "case stories, a period with no last day")
    scans.assert_clean()


def test_the_import_pages_pass_axe_with_and_without_errors(page, demo_world, scans, settings, tmp_path):

    settings.VAR_DIR = tmp_path  # the uploaded files and the job's progress file
    # The job runs in the request: a background thread cannot write to the live server's shared
    # in-memory SQLite test database ("database table is locked"). Its states are scanned below.
    iro = _user("iro1")
    kids = list(Child.objects.filter(iro=iro).order_by("case_id")[:2])
    good = tmp_path / "log.csv"
    good.write_bytes(log_csv([row("LOG-A11Y-1", iro, kids[:1]), row("LOG-A11Y-2", iro, kids[1:])]))
    bad = tmp_path / "bad-log.csv"
    bad.write_bytes(log_csv([row("LOG-A11Y-3", iro, kids[:1], raised_at="31/02/2015")]))
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"PK")
    sign_in(page, "sm1")

    _open(page, "/imports/", "Import an escalation log")
    scans("import", "import: the upload page")

    _submit(page, "Check the file")
    _error_summary(page)
    scans("import-no-file", "import: no file chosen")

    page.get_by_label("Escalation log").set_input_files(str(notes))
    _submit(page, "Check the file")
    _error_summary(page, "notes.docx is not a CSV or .xlsx file")
    scans("import-not-a-log", "import: a file that is not a log")

    page.get_by_label("Escalation log").set_input_files(str(bad))
    _submit(page, "Check the file", status=200)  # the check's own page
    expect(_h1(page)).to_have_text("The log was not imported")
    _error_summary(page, "raised_at")
    scans("import-bad-rows", "import: a log with a bad row")

    _open(page, "/imports/", "Import an escalation log")
    page.get_by_label("Escalation log").set_input_files(str(good))
    _submit(page, "Check the file", status=200)
    expect(_h1(page)).to_have_text("Check the import of log.csv")
    scans("import-preview", "import: the preview")

    _submit(page, "Import 2 rows", status=200)
    expect(_h1(page)).to_have_text("Import complete")
    scans("import-job-done", "import: the job's page, done")

    _open(page, "/imports/", "Import an escalation log")
    expect(page.locator("main")).to_contain_text("log.csv")
    scans("import-recent", "import: the upload page listing a recent import")
    scans.assert_clean()


def test_the_import_job_page_passes_axe_in_every_state(page, demo_world, scans, settings, tmp_path):

    settings.VAR_DIR = tmp_path  # the jobs' progress files
    sm = _user("sm1")

    def job(**fields):
        return ImportJob.objects.create(created_by=sm, filename="log.csv", sha256="0" * 64, **fields)

    waiting = job()
    running = job(status=ImportJobStatus.RUNNING, started_at=timezone.now(), rows_total=5000)
    progress_write(
        progress_path(running.pk), Progress(phase="Checking the rows", done=1200, total=5000, at=time.time() + 3600)
    )  # fresh for the whole test
    failed = job(
        status=ImportJobStatus.FAILED,
        finished_at=timezone.now(),
        problems=[f"Row {n}, column raised_at: 31/02/2015 is not a real date" for n in range(2, 60)],
    )
    stalled = job(status=ImportJobStatus.RUNNING)
    checking = job(status=ImportJobStatus.RUNNING, started_at=timezone.now(), dry_run=True)
    progress_write(
        progress_path(checking.pk), Progress(phase="Checking the rows", done=300, total=5000, at=time.time() + 3600)
    )
    ImportJob.objects.filter(pk=stalled.pk).update(
        started_at=timezone.now() - dt.timedelta(hours=1), created_at=timezone.now() - dt.timedelta(hours=1)
    )
    sign_in(page, "sm1")

    _open(page, f"/imports/jobs/{waiting.pk}/", "Importing log.csv")
    expect(page.locator("main")).to_contain_text("Waiting to start")
    expect(page.locator("main")).to_contain_text("No background worker is running")
    scans("import-job-waiting", "import: a job waiting to start")

    _open(page, f"/imports/jobs/{running.pk}/", "Importing log.csv")
    expect(page.locator("main")).to_contain_text("1,200 of 5,000 rows (24%)")
    scans("import-job-running", "import: a job part-way through, with its progress bar")

    _open(page, f"/imports/jobs/{failed.pk}/", "The log was not imported")
    _error_summary(page, "Row 2, column raised_at")
    scans("import-job-failed", "import: a job that failed, with its problems")

    _open(page, f"/imports/jobs/{stalled.pk}/", "The import did not finish")
    expect(page.locator("main")).to_contain_text("the background worker running it stopped before it finished")
    scans("import-job-stalled", "import: a job whose worker stopped, its file gone")

    job_upload_path(stalled.pk).write_bytes(log_csv([]))
    _open(page, f"/imports/jobs/{stalled.pk}/", "The import did not finish")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    scans("import-job-stalled-retry", "import: a job whose worker stopped, with Try again")

    _open(page, f"/imports/jobs/{checking.pk}/", "Checking log.csv")
    expect(page.locator("main")).to_contain_text("Nothing is stored")
    scans("import-preview-running", "import: a preview part-way through its checks")
    scans.assert_clean()


# --- the report viewer --------------------------------------------------------------------------------


def test_the_report_viewers_pages_pass_axe(page, demo_world, scans):
    sign_in(page, "viewer1")
    expect(_h1(page)).to_have_text("IRO escalations report")
    expect(page.get_by_role("link", name="Issue this report")).to_have_count(0)
    scans("viewer-report", "the committee report, as a report viewer")

    _open(page, "/reports/?period=&start=2025-04-01&end=2025-03-01", "IRO escalations report")
    _error_summary(page)
    scans("viewer-report-errors", "the committee report, a last day before the first, as a report viewer")

    _open(page, "/children/", "You cannot open this page", status=403)
    scans("403-viewer-children", "403: a report viewer opening the children list")
    scans.assert_clean()


def test_the_locked_out_page_passes_axe(page, demo_world, scans):
    for _ in range(5):
        page.goto("/sign-in/")
        page.get_by_label("Username").fill("iro2")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state()
    expect(_h1(page)).to_have_text("You cannot sign in for now")
    scans("locked-out", "the locked-out page")
    scans.assert_clean()


# --- the service manager's oversight pages ------------------------------------------------------------


def test_all_escalations_passes_axe_filtered_sorted_and_paged(page, demo_world, scans):
    everything = reverse("escalations:all")
    sign_in(page, "sm1")

    _open(page, everything, "All escalations")
    expect(page.locator("#escalations")).to_be_visible()
    scans("sm-all", "all escalations")

    _open(page, f"{everything}?page=2", "All escalations")
    expect(page.locator(".govuk-pagination__item--current")).to_have_text("2")
    scans("sm-all-page-2", "all escalations, page 2")

    _open(page, f"{everything}?status=open&overdue=on&sort=-raised", "All escalations")
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Raised")
    scans("sm-all-filtered-sorted", "all escalations, open and overdue, newest first")

    _open(
        page,
        f"{everything}?raised_from_0=31&raised_from_1=2&raised_from_2=2025&raised_to_0=1&raised_to_1=1&raised_to_2=",
        "All escalations",
        status=200,
    )
    _error_summary(page, "must be a real date", "must include a year")
    scans("sm-all-filter-errors", "all escalations, filter dates that are not real")

    _open(
        page,
        f"{everything}?raised_from_0=1&raised_from_1=1&raised_from_2=2000&raised_to_0=2&raised_to_1=1&raised_to_2=2000",
        "All escalations",
    )
    expect(page.get_by_role("heading", name="No escalations match these filters")).to_be_visible()
    scans("sm-all-empty", "all escalations, no escalation matches")
    scans.assert_clean()


def test_the_dashboard_and_all_escalations_pass_axe_with_nothing_raised(page, world, scans):

    ServiceManagerFactory(username="sm.new")
    sign_in(page, "sm.new")
    expect(_h1(page)).to_have_text("Dashboard")
    expect(page.locator("#open-total")).to_have_text("0")
    scans("sm-dashboard-empty", "the dashboard with no escalations")

    _open(page, reverse("escalations:all"), "All escalations")
    expect(page.get_by_role("heading", name="No escalations match yet")).to_be_visible()
    scans("sm-all-none", "all escalations, none raised yet")
    scans.assert_clean()


def test_a_childs_access_log_passes_axe_empty_and_paged(page, demo_world, scans):

    child, nobody = Child.objects.filter(iro__username="iro1").order_by("case_id")[:2]
    iro = _user("iro1")
    for _ in range(55):
        access_log_record(user=iro, child=child, path=f"/children/{child.pk}/")
    sign_in(page, "sm1")

    _open(page, reverse("audit:child_access_log", kwargs={"pk": child.pk}), "Access log")
    expect(page.locator("#access-log")).to_contain_text(str(iro))
    scans("sm-access-log", "a child's access log")

    page.get_by_role("link", name="Older page views").click()
    expect(page.get_by_role("heading", name="Access log")).to_be_visible()
    expect(page.get_by_role("link", name="Newer page views")).to_be_visible()
    scans("sm-access-log-older", "a child's access log, the older page")

    _open(page, reverse("audit:child_access_log", kwargs={"pk": nobody.pk}), "Access log")
    expect(page.locator("main")).to_contain_text("Nobody has opened")
    scans("sm-access-log-empty", "the access log of a child nobody has looked at")
    scans.assert_clean()


# --- the workflow's new pages, with the shared 903 return imported ------------------------------------


def test_the_workflow_pages_pass_axe_with_the_903_return_imported(page, demo_world, scans):
    """Children with no name recorded (the 903 return names nobody), search results, the inbox in its
    groups and what was sent before, decisions needed, notes, reopening, a refusal, the page for a
    reply taken away while typed, and absences."""
    ssda903_import(directory=Path(settings.BASE_DIR) / "tests" / "data" / "ssda903-fake")
    nameless = Child.objects.filter(first_name="", last_name="").order_by("case_id").first()
    assert nameless is not None

    sign_in(page, "sm1")
    _open(page, "/children/", "Children")
    scans("children-with-903", "children: the whole council, the 903's children (no names) after the named")
    _open(page, f"/children/?q={nameless.case_id}", "Children")
    expect(page.get_by_role("link", name=f"Name not recorded (case ID {nameless.case_id})")).to_be_visible()
    scans("children-search", "children: searched by case ID")
    page.get_by_label("Search children and escalations by name, case ID or reference").fill(nameless.case_id)
    page.get_by_label("Search children and escalations by name, case ID or reference").press("Enter")
    expect(_h1(page)).to_have_text("Search")
    scans("search-results", "the service manager's search: a child found by case ID")
    _open(page, "/escalations/search/?q=zzzz-nobody", "Search")
    scans("search-nothing", "the service manager's search: nothing found")
    _open(page, "/people/absences/", "Absences")
    scans("absences-empty", "absences: nobody away")
    _submit(page, "Record the absence")
    _error_summary(page, "Choose who is away")
    scans("absences-errors", "absences: submitted empty")

    escalation = _addressed_to("tm1", iro__username="iro1")
    sign_out(page)
    sign_in(page, "tm1")
    _open(page, "/escalations/inbox/", "Awaiting my response")
    expect(page.get_by_role("heading", name="Answered, with the IRO")).to_be_visible()
    scans("inbox-groups", "the manager's inbox in its two groups")
    page.get_by_role("link", name="Escalations sent to you before").click()
    expect(page.get_by_role("heading", name="Sent to you before")).to_be_visible()
    scans("sent-before", "what was sent to the manager before")
    _open(page, f"/escalations/{escalation.pk}/note/", f"Add a note to {escalation.reference}")
    scans("note", "a note: the form")
    _submit(page, "Add the note")
    _error_summary(page, "Enter the note")
    scans("note-errors", "a note: submitted empty")
    sign_out(page)

    sign_in(page, "iro1")
    _open(page, "/escalations/mine/", "My escalations")
    expect(page.get_by_role("heading", name="Your decision needed")).to_be_visible()
    scans("decisions", "my escalations: your decision needed")
    closed = Escalation.objects.filter(iro__username="iro1", status="closed").order_by("pk").first()
    _open(page, f"/escalations/{closed.pk}/escalate/", "This cannot be done now", status=409)
    scans("refused-closed", "an action on a closed escalation: refused, with Reopen")
    _open(page, f"/escalations/{closed.pk}/reopen/", f"Reopen {closed.reference}")
    scans("reopen", "reopen: the form")
    _submit(page, "Reopen and send")
    _error_summary(page, "Enter why you are reopening it")
    scans("reopen-errors", "reopen: submitted without a reason")
    sign_out(page)

    # tm1 opens a reply, the escalation is reassigned meanwhile, then tm1 sends it.
    waiting = _addressed_to("tm1", iro__username="iro1", current_step__responded_at__isnull=True)
    sign_in(page, "tm1")
    _open(page, f"/escalations/{waiting.pk}/respond/", f"Respond to {waiting.reference}")
    page.get_by_label("Your response").fill("We will review the plan on Friday.")
    other = User.objects.filter(role="manager", stage__code="team_manager").exclude(username="tm1").first()
    services.escalation_reassign(escalation=Escalation.objects.get(pk=waiting.pk), by=_user("iro1"), addressee=other)
    _submit(page, "Send response", status=409)
    expect(_h1(page)).to_have_text(f"{waiting.reference} is now with {other}")
    expect(page.locator("main")).to_contain_text("We will review the plan on Friday.")
    scans("taken-away", "a reply typed while the escalation was reassigned, kept")
    scans.assert_clean()
