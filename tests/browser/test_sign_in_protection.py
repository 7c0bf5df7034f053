"""The sign-in protection pages in a real browser: the failed sign-ins list and the password change."""

from tests.browser.conftest import axe_check, screenshot, sign_in
from tests.factories import IroFactory, ServiceManagerFactory


def test_the_failed_sign_ins_page_and_the_password_change_page(page, live_server, world):
    IroFactory(username="iro9")
    ServiceManagerFactory(username="sm9")
    page.goto("/sign-in/")
    page.fill("#id_username", "nobody-here")
    page.fill("#id_password", "wrong")
    page.get_by_role("button", name="Sign in").click()
    sign_in(page, "sm9")
    page.goto("/sign-in/failures/")
    assert page.locator("td", has_text="nobody-here").count() == 1
    axe_check(page, "failed sign-ins")
    screenshot(page, "sm-sign-in-failures")
    page.click("text=Change your password")
    page.fill("#id_old_password", "demo-password")
    page.fill("#id_new_password1", "short")
    page.fill("#id_new_password2", "short")
    page.get_by_role("button", name="Change password").click()
    assert page.locator(".govuk-error-summary", has_text="at least 12 characters").count() == 1
    axe_check(page, "password change with errors")
    screenshot(page, "password-change-errors")
