"""The session-timeout warning (static/js/session-timeout.js), with a session of seconds instead of
minutes: the warning dialog, staying signed in from the keyboard, signing out from it, and typed text
kept through a new sign-in."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_check, screenshot, sign_in
from tests.factories import ChildFactory, IroFactory, ManagerFactory

TIMEOUT_SECONDS = 6
WARNING_SECONDS = 4  # the dialog opens 3 s after the page loads (the warning is at most half the session)
TYPED = "Typed before the timeout: the plan for contact with her brother has not been reviewed."


@pytest.fixture
def short_sessions(settings):
    settings.SESSION_COOKIE_AGE = TIMEOUT_SECONDS
    settings.SESSION_TIMEOUT_WARNING_SECONDS = WARNING_SECONDS
    return settings


@pytest.fixture
def raise_page(world):
    """An IRO with a child, and the path of the page where they raise an escalation about them."""
    iro = IroFactory(username="iro.typing")
    child = ChildFactory(iro=iro)
    ManagerFactory()
    return f"/escalations/raise/?child={child.pk}"


def _dialog(page):
    return page.get_by_role("dialog", name="You’re about to be signed out")


def test_the_warning_opens_with_focus_in_it_and_passes_axe(page, short_sessions, raise_page):
    sign_in(page, "iro.typing", next_path=raise_page)
    dialog = _dialog(page)
    expect(dialog).to_be_visible(timeout=TIMEOUT_SECONDS * 1000)
    expect(dialog).to_be_focused()
    expect(dialog).to_have_attribute("aria-describedby", "session-timeout-text")
    expect(dialog).to_contain_text("we will sign you out in")
    assert page.evaluate("document.getElementById('session-timeout-dialog').matches(':modal')")
    axe_check(page, "the session-timeout warning")
    screenshot(page, "session-timeout-warning", full_page=False)


def test_stay_signed_in_from_the_keyboard_extends_the_session(page, short_sessions, raise_page):
    sign_in(page, "iro.typing", next_path=raise_page)
    dialog = _dialog(page)
    expect(dialog).to_be_visible(timeout=TIMEOUT_SECONDS * 1000)
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    with page.expect_response(re.compile(r"/session/keep-alive/$")) as answer:
        page.keyboard.press("Enter")
    assert answer.value.status == 200
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(4000)  # past the first deadline (3 s away), not the new one (6 s)
    assert page.url.endswith(raise_page)
    page.reload()
    assert page.url.endswith(raise_page)  # still signed in


def test_escape_also_keeps_you_signed_in(page, short_sessions, raise_page):
    sign_in(page, "iro.typing", next_path=raise_page)
    expect(_dialog(page)).to_be_visible(timeout=TIMEOUT_SECONDS * 1000)
    with page.expect_response(re.compile(r"/session/keep-alive/$")):
        page.keyboard.press("Escape")
    expect(_dialog(page)).to_be_hidden()


def test_sign_out_in_the_warning_signs_you_out(page, short_sessions, raise_page):
    sign_in(page, "iro.typing", next_path=raise_page)
    dialog = _dialog(page)
    expect(dialog).to_be_visible(timeout=TIMEOUT_SECONDS * 1000)
    with page.expect_navigation():
        dialog.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    expect(page.get_by_text("You were signed out because")).to_have_count(0)


def test_typed_text_is_kept_through_the_timeout_and_a_new_sign_in(page, short_sessions, raise_page):
    sign_in(page, "iro.typing", next_path=raise_page)
    concern = page.locator("main textarea").first
    concern.fill(TYPED)
    theme = page.locator("main input[type=checkbox]:not(:checked)").first
    theme_id = theme.get_attribute("id")
    theme.check()

    page.wait_for_url(re.compile(r"/sign-in/\?next=.*&timed_out=1$"), timeout=(TIMEOUT_SECONDS + 5) * 1000)
    expect(page.get_by_text("You were signed out because you had not done anything for")).to_be_visible()
    axe_check(page, "the sign-in page after a timeout")
    screenshot(page, "session-timeout-signed-out")

    short_sessions.SESSION_COOKIE_AGE = 30 * 60  # a normal session from here on
    page.get_by_label("Username").fill("iro.typing")
    page.get_by_label("Password").fill("demo-password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    assert page.url.endswith(raise_page)
    expect(page.locator("main textarea").first).to_have_value(TYPED)
    expect(page.locator(f"#{theme_id}")).to_be_checked()
    banner = page.get_by_role("region", name="Important")
    expect(banner).to_contain_text("We have put back what you had typed on this page.")
    expect(banner).to_be_focused()
    axe_check(page, "the raise page with the banner saying typed text was put back")
    screenshot(page, "session-timeout-text-restored")


def test_text_saved_for_someone_else_is_never_put_back(page, raise_page):
    sign_in(page, "iro.typing", next_path=raise_page)
    page.evaluate(
        """path => sessionStorage.setItem('iro-escalations:unsaved:' + path, JSON.stringify(
        {user: 'someone-else', savedAt: Date.now(), fields: [{form: 0, name: 'concern', text: 'not yours'}]}))""",
        raise_page,
    )
    page.reload()
    expect(page.locator("main textarea").first).not_to_have_value("not yours")
    expect(page.get_by_text("We have put back what you had typed")).to_have_count(0)
    assert page.evaluate("sessionStorage.length") == 0
