"""The committee paper's pages in a real browser, as the service manager and a second approver use
them: the contents, the cover, a drafted section (saved, then stale when the records change), the
theme commentary, the documents, a case story with what happened next, an override asked for and
approved by someone else, the report settings, the confirmation and the issued version. Each page,
in each state, is scanned with axe (WCAG 2.2 AA, whole pages) and photographed
(var/screenshots/paper-*.png)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from children.models import Child
from escalations.models import Escalation
from people.models import User
from reports.models import IssueJob
from reports.selectors import default_period
from tests.browser.conftest import axe_check, screenshot, sign_in, sign_out
from tests.browser.test_accessibility import Scans
from tests.factories import ChildFactory, raise_escalation


def _open(page, path: str, heading: str, *, status: int = 200):
    response = page.goto(path)
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    expect(page.get_by_role("heading", level=1).first).to_contain_text(heading)


def _submit(page, button: str, *, status: int = 200, timeout: float | None = None):
    with page.expect_navigation(timeout=timeout) as navigation:
        page.get_by_role("button", name=button, exact=True).click(timeout=timeout)
    assert navigation.value.status == status, f"{page.url} answered {navigation.value.status}, expected {status}"


def _errors(page, *messages: str):
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    for message in messages:
        expect(summary).to_contain_text(message)
    expect(page).to_have_title(re.compile(r"^Error: "))


CANDIDATES = [
    ("Will", "The IRO will ask the team manager again."),
    ("Grace", "The team manager asked for a period of grace."),
    ("Hope", "The IRO had hope of a quick plan."),
    ("Summer", "In summer 2025 the IRO contacted the team manager."),
]


def _ordinary_first_name() -> tuple[str, str]:
    """A first name that is an ordinary word, and a sentence using the word, that no one here has as a
    surname (a surname can never be overridden)."""
    surnames = {name.casefold() for name in Child.objects.values_list("last_name", flat=True)}
    surnames |= {name.casefold() for name in User.objects.values_list("last_name", flat=True)}
    surnames |= {name.split()[-1].casefold() for name in Child.objects.values_list("social_worker", flat=True) if name}
    return next((word, sentence) for word, sentence in CANDIDATES if word.casefold() not in surnames)


def test_the_papers_editing_pages_pass_axe_in_every_state(page, demo_world):
    scans = Scans(page)
    period = default_period()
    query = f"period={period.label}"
    sign_in(page, "sm1")

    _open(page, f"/reports/paper/?{query}", f"The committee paper for {period.label}")
    expect(page.locator(".govuk-task-list").first).to_be_visible()
    scans("paper-contents", "the paper's contents, nothing saved yet")

    # The cover: refused with the errors shown and what was typed kept, then saved.
    page.get_by_role("link", name="Cover and audit trail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cover and audit trail")
    scans("paper-cover", "the cover and audit trail")
    page.get_by_label("Item number").fill("11")
    page.get_by_label("Report title").fill("")
    page.locator("#id_meeting_date_0").fill("31")
    page.locator("#id_meeting_date_1").fill("2")
    page.locator("#id_meeting_date_2").fill("2027")
    _submit(page, "Save the cover and audit trail", status=400)
    _errors(page, "Enter the report title", "The date of the meeting must be a real date")
    expect(page.get_by_label("Item number")).to_have_value("11")
    scans("paper-cover-errors", "the cover with errors")
    page.get_by_label("Report title").fill("Independent Reviewing Officer (IRO) escalations breakdown")
    page.locator("#id_meeting_date_0").fill("1")
    page.locator("#id_meeting_date_1").fill("3")
    _submit(page, "Save the cover and audit trail")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The cover and audit trail were saved")

    # A drafted section, saved, then stale when an escalation is added to the period.
    _open(page, f"/reports/paper/section/key_issues/?{query}", "Key issues for consideration")
    expect(page.get_by_text("Drafted from the records.")).to_be_visible()
    scans("paper-section-drafted", "a drafted section, not saved")
    text = page.get_by_label("Key issues for consideration").input_value()
    assert re.search(r"there were \d+ recorded representations and escalations", text), text
    page.get_by_label("Key issues for consideration").fill(text + " IROs raised most of them in the spring.")
    _submit(page, "Save")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("was saved")
    in_period = Escalation.objects.filter(raised_at__date__gte=period.start, raised_at__date__lte=period.end)
    raise_escalation(raised_at=in_period.order_by("raised_at").first().raised_at)
    page.reload()
    expect(page.get_by_text("Its numbers no longer match")).to_be_visible()
    expect(page.get_by_role("button", name="I have checked the numbers: confirm them")).to_be_visible()
    scans("paper-section-stale", "a saved section whose numbers no longer match the records")

    _open(page, f"/reports/issue/?{query}", "Issue version 1 of the report")
    expect(page.get_by_text("The report cannot be issued yet.")).to_be_visible()
    scans("paper-issue-blocked", "the confirmation page, blocked by a stale section")

    _open(page, f"/reports/paper/section/key_issues/?{query}", "Key issues for consideration")
    _submit(page, "Draft again from the records")
    expect(page.get_by_text("Its numbers no longer match")).to_have_count(0)

    _open(page, f"/reports/paper/section/recommendations/?{query}", "Recommendations")
    page.get_by_label("Recommendations").fill(" ")
    _submit(page, "Save", status=400)
    _errors(page, "Enter the text")
    scans("paper-section-errors", "a section saved empty")

    # The theme commentary and the documents.
    _open(page, f"/reports/paper/themes/?{query}", "Commentary on each theme")
    scans("paper-themes", "the commentary on each theme")
    page.locator("textarea").first.fill("A new data system delayed care plans.\n\nMore training is planned.")
    _submit(page, "Save the commentary")
    _open(page, f"/reports/paper/documents/?{query}", "Background documents, appendices and consultation")
    scans("paper-documents", "the background documents, appendices and consultation")
    page.get_by_label("Background paper").first.fill("IRO annual report 2025-26")
    page.get_by_label("Held at").first.fill("Civic offices")
    _submit(page, "Save")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("were saved")
    scans("paper-contents-saved", "the paper's contents, some of it saved")

    # A case story with an ordinary word that is also a child's first name (the demo has no surname
    # like it): flagged, and let through only with a second person's approval.
    word, sentence = _ordinary_first_name()
    ChildFactory(first_name=word, last_name="Zwelithini")
    escalation = in_period.order_by("pk").first()
    _open(page, f"/reports/stories/?{query}", "Case stories")
    page.get_by_label("Escalation reference").fill(escalation.reference)
    _submit(page, "Draft the story")
    page.get_by_label("Text of story 1").fill(sentence)
    page.get_by_label("What happened next in story 1").fill("The plan was agreed within a month.")
    _submit(page, "Save story 1")
    expect(page.get_by_text("This story blocks the paper:")).to_be_visible()
    scans("paper-story-flagged", f"a case story flagged for '{word}', with the override form")
    term = next(t for t in sentence.replace(".", "").split() if t.lower() == word.lower())
    _submit(page, f"Ask for an override of ‘{term}’ in this story", status=400)
    _errors(page, f"Enter why '{term}' in this text does not identify anyone")
    scans("paper-override-errors", "an override asked for without a reason")
    page.get_by_label("Why it does not identify anyone").fill(f"'{term}' here is the ordinary word, not the child.")
    _submit(page, "Ask for the override")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("must approve it before it counts")
    _open(page, "/reports/overrides/", "Overrides of the identifier check")
    expect(page.get_by_text("Waiting for someone else")).to_be_visible()
    scans("paper-overrides-mine", "overrides: one I asked for, waiting for someone else")

    # The report settings, refused and saved.
    _open(page, "/reports/settings/", "Report settings")
    scans("paper-settings", "the report settings")
    page.get_by_label("Threshold").fill("1")
    _submit(page, "Save the settings", status=400)
    _errors(page, "Enter a threshold from 2 to 50")
    scans("paper-settings-errors", "the report settings with a threshold of 1")

    # Someone else approves the override; then the paper is issued.
    sign_out(page)
    sign_in(page, "admin1")
    _open(page, "/reports/overrides/", "Overrides of the identifier check")
    scans("paper-overrides-to-approve", "overrides waiting for my approval")
    _submit(page, f"Approve the override of ‘{term}’")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("was approved")
    scans("paper-overrides-approved", "overrides, one just approved")

    _open(page, f"/reports/issue/?{query}", "Issue version 1 of the report")
    expect(page.get_by_role("button", name="Issue version 1")).to_be_visible()
    scans("paper-issue-confirm", "the confirmation page")
    _submit(page, "Issue version 1", timeout=60_000)  # the tests run the task in the request: every format
    expect(page.get_by_role("heading", level=1)).to_have_text("Report issued")  # the job, done at once here
    scans("paper-issue-job-done", "the issue job, done")
    page.get_by_role("link", name="See the issued version and its files").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 1 of the report")
    scans("paper-issued", "the issued version")

    _open(page, f"/reports/?{query}", "IRO escalations report")
    expect(page.locator(".iro-paper__cases")).to_contain_text("What happened next: The plan was agreed within a month.")
    scans("paper-report-page", "the report page showing the paper")
    screenshot(page, "paper-report-page-top", full_page=False)
    scans.assert_clean()


def test_the_report_viewer_sees_the_paper_but_not_the_editing_pages(page, demo_world):
    sign_in(page, "viewer1")
    _open(page, "/reports/", "IRO escalations report")
    expect(page.get_by_role("heading", name="Recommendations")).to_be_visible()
    expect(page.get_by_role("link", name="Edit the paper")).to_have_count(0)
    response = page.goto("/reports/paper/")
    assert response.status == 403
    axe_check(page, "the report page as a report viewer")


def test_the_issue_jobs_waiting_and_stopped_pages_pass_axe(page, demo_world):
    scans = Scans(page)
    sm1 = User.objects.get(username="sm1")
    common = {"period_start": dt.date(2025, 4, 1), "period_end": dt.date(2026, 3, 31), "expected_version": 1}
    waiting = IssueJob.objects.create(requested_by=sm1, **common)
    sign_in(page, "sm1")
    _open(page, f"/reports/issue/jobs/{waiting.pk}/", "Issuing the 2025-26 report")
    expect(page.locator("main")).to_contain_text("No background worker is running")
    scans("paper-issue-job-waiting", "the issue job, waiting with no worker running")
    IssueJob.objects.filter(pk=waiting.pk).update(
        status="running", worker_id="gone", started_at=timezone.now() - dt.timedelta(minutes=5)
    )
    _open(page, f"/reports/issue/jobs/{waiting.pk}/", "The report was not issued")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    scans("paper-issue-job-stopped", "the issue job, its worker stopped")
    scans.assert_clean()
