"""The notices' pages in a real browser, scanned with axe: each person's email settings, the
service manager's emails not sent (with Try again), and the count of what awaits you in the
navigation."""

from __future__ import annotations

from playwright.sync_api import expect

from escalations import services
from escalations.selectors import escalation_awaiting_count
from notices.models import Notice, NoticeKind, NoticeStatus
from people.models import User
from tests.browser.conftest import axe_check, screenshot, sign_in, sign_out


def test_the_email_settings_page_saves_a_daily_summary(page, demo_world):
    sign_in(page, "tm1")
    page.get_by_role("link", name="Your emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your emails")
    expect(page.locator("main")).to_contain_text("tm1@example.org")
    axe_check(page, "email settings")
    screenshot(page, "notices-settings")
    page.get_by_role("group", name="Escalations sent to you").get_by_label(
        "One summary each working morning at 9am"
    ).check()
    page.get_by_role("group", name="News of escalations you raised or were sent before").get_by_label(
        "No emails"
    ).check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your email settings were saved")
    preference = User.objects.get(username="tm1").notice_preference
    assert (preference.addressed, preference.others) == ("daily", "off")
    expect(page.get_by_label("No emails")).to_be_checked()
    axe_check(page, "email settings, saved")


def test_the_service_manager_sees_the_emails_not_sent_and_tries_one_again(page, demo_world):
    tm1 = User.objects.get(username="tm1")
    escalation = services.escalation_raise(
        by=User.objects.get(username="iro1"),
        children=[User.objects.get(username="iro1").caseload.first()],
        stage=tm1.stage,
        addressee=tm1,
        concern="The review decisions have not been acted on.",
    )
    Notice.objects.filter(kind=NoticeKind.STEP_SENT, escalation=escalation).update(
        status=NoticeStatus.FAILED, attempts=12, last_error="The mail server refused the address tm1@example.org"
    )
    sign_in(page, "sm1")
    link = page.get_by_role("link", name="Emails not sent (1)")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emails not sent")
    expect(page.locator("main")).to_contain_text("refused the address tm1@example.org")
    axe_check(page, "emails not sent")
    screenshot(page, "notices-failed")
    page.get_by_role("button", name="Try again to send the email to").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("will be sent again now")
    assert Notice.objects.get(kind=NoticeKind.STEP_SENT, escalation=escalation).status != NoticeStatus.FAILED
    expect(page.locator("main")).to_contain_text("Every email has been sent")
    axe_check(page, "emails not sent, none left")


def test_the_navigation_counts_what_awaits_the_manager_and_the_iro(page, demo_world):
    tm1, iro1 = User.objects.get(username="tm1"), User.objects.get(username="iro1")
    waiting, decisions = escalation_awaiting_count(user=tm1), escalation_awaiting_count(user=iro1)
    assert waiting and decisions  # the demo council has both
    sign_in(page, "tm1")
    expect(page.get_by_role("link", name=f"Awaiting my response ({waiting}) waiting for your reply")).to_be_visible()
    screenshot(page, "notices-nav-count", full_page=False)
    axe_check(page, "the manager's inbox with the count in the navigation")
    sign_out(page)
    sign_in(page, "iro1")
    expect(page.get_by_role("link", name=f"My escalations ({decisions}) need your decision")).to_be_visible()
