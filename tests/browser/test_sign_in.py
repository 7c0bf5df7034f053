"""Signing in, in a real browser: the sign-in page, a wrong password, where each person lands, and
the pages anyone can read. Every page is scanned with axe and photographed (var/screenshots/)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_check, screenshot, sign_in
from tests.factories import IroFactory


def test_the_sign_in_page_is_styled_by_govuk_frontend(page, world):
    page.goto("/sign-in/")
    rules = page.evaluate("""[...document.styleSheets]
        .filter(sheet => sheet.href.endsWith('/assets/govuk-frontend/govuk-frontend.min.css'))
        .map(sheet => sheet.cssRules.length)""")
    assert len(rules) == 1 and rules[0] > 1000  # served from node_modules by the live server
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily").startswith('"GDS Transport"')
    assert page.evaluate("""document.fonts.ready.then(fonts =>
        [...fonts].some(font => font.family.includes('GDS Transport') && font.status === 'loaded'))""")


def test_the_sign_in_page_has_no_accessibility_violations(page, world):
    page.goto("/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    axe_check(page, "the sign-in page")
    screenshot(page, "sign-in")


def test_a_wrong_password_shows_the_error_summary_and_keeps_the_username(page, world):
    IroFactory(username="iro.wrong")
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("iro.wrong")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # govuk-frontend moves focus to the summary
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_contain_text("Please enter a correct username and password")
    expect(page.get_by_label("Username")).to_have_value("iro.wrong")
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    axe_check(page, "the sign-in page with an error")
    screenshot(page, "sign-in-wrong-password")


def test_the_error_summary_link_takes_you_to_the_username(page, world):
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.locator(".govuk-error-summary").get_by_role("link").first.click()
    expect(page.get_by_label("Username")).to_be_focused()


@pytest.mark.parametrize(
    "username, heading",
    [
        ("iro1", "My children"),
        ("tm1", "Awaiting my response"),
        ("hos1", "Awaiting my response"),
        ("sm1", None),
    ],
)
def test_each_demo_person_lands_on_their_start_page(page, demo_world, username, heading):
    sign_in(page, username)
    if heading:
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    else:
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page, f"{username}'s start page")
    screenshot(page, f"home-{username}")


@pytest.mark.parametrize(
    "path, heading, name",
    [
        ("/accessibility/", "Accessibility statement for IRO Escalations", "accessibility-statement"),
        ("/privacy/", "Privacy notice for IRO Escalations", "privacy-notice"),
    ],
)
def test_the_statement_pages_are_open_to_all_from_the_footer(page, world, path, heading, name):
    page.goto("/sign-in/")
    page.get_by_role("contentinfo").get_by_role("link", name=heading.split(" for ")[0]).click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    axe_check(page, name)
    screenshot(page, name)


def test_the_statement_pages_pass_axe_when_signed_in(page, world):
    IroFactory(username="iro.reader")
    sign_in(page, "iro.reader")
    for path in ("/accessibility/", "/privacy/"):
        page.goto(path)
        axe_check(page, f"{path} signed in")
