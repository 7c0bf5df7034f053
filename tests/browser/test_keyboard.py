"""Raising an escalation with the keyboard alone: after signing in, no clicks and no filling of
fields by locator, only keys (Tab, Shift+Tab, Space, Enter and typing), as someone who cannot use a
mouse would. Focus must be visible on the way (GOV.UK's yellow focus colour, rgb(255, 221, 0))."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from children.models import Child
from escalations.models import Escalation
from people.models import User
from tests.browser.conftest import screenshot, sign_in
from themes.models import DriftReason, Theme

CONCERN = "Contact between the two children has not restarted since the review in the summer."
FOCUS_YELLOW = "rgb(255, 221, 0)"

# What shows the focus, for the focused element: a checkbox or radio draws its box (and the focus
# ring) in its label's ::before; anything else draws it on itself.
FOCUS_STYLE = """() => {
    const element = document.activeElement;
    const boxed = element.matches('.govuk-checkboxes__input, .govuk-radios__input');
    const style = getComputedStyle(boxed ? element.labels[0] : element, boxed ? '::before' : null);
    return [style.backgroundColor, style.boxShadow, style.outlineColor, style.outlineStyle].join(' | ');
}"""


def _tab_to(page, selector: str, *, key: str = "Tab", limit: int = 80):
    """Press ``key`` until the focused element matches ``selector`` (nothing if it already does)."""
    for _ in range(limit):
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
        page.keyboard.press(key)
    focused = page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{selector} never had the focus after {limit} presses of {key}; focus is on {focused}")


def _focus_style(page) -> str:
    return page.evaluate(FOCUS_STYLE)


def _siblings_on_caseload(username):

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


def test_an_iro_raises_an_escalation_with_the_keyboard_alone(page, demo_world):

    child, sibling = _siblings_on_caseload("iro1")
    drift = Theme.objects.get(code=Theme.DRIFT)
    reason = DriftReason.objects.filter(active=True).order_by("order", "label").first()
    manager = User.objects.get(username="tm1")
    sign_in(page, "iro1")
    page.goto(f"/children/{child.pk}/")

    # A link: the focus shows in yellow.
    _tab_to(page, "a.govuk-service-navigation__link")
    assert FOCUS_YELLOW in _focus_style(page), _focus_style(page)
    _tab_to(page, f"main a[href$='/escalations/raise/?child={child.pk}']")
    assert FOCUS_YELLOW in _focus_style(page), _focus_style(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise an escalation")

    # The brother or sister: Space ticks them, and the focused box shows the focus in yellow.
    _tab_to(page, f"input[name=children][value='{sibling.pk}']")
    assert FOCUS_YELLOW in _focus_style(page), _focus_style(page)
    page.keyboard.press("Space")
    expect(page.locator(f"input[name=children][value='{sibling.pk}']")).to_be_checked()
    unfocused = page.evaluate(
        "getComputedStyle(document.querySelector(\"label[for='id_children_1']\"), '::before').boxShadow"
    )
    assert FOCUS_YELLOW not in unfocused  # the yellow is the focus, not the box's own look

    # The drift theme reveals the reasons for drift; the next Tab goes into them.
    drift_box = page.locator(f"input[name=themes][value='{drift.pk}']")
    reasons = page.locator(f"#{drift_box.get_attribute('aria-controls')}")  # set by govuk-frontend
    expect(reasons).to_be_hidden()
    _tab_to(page, f"input[name=themes][value='{drift.pk}']")
    page.keyboard.press("Space")
    expect(drift_box).to_be_checked()
    expect(reasons).to_be_visible()
    expect(drift_box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == str(reason.pk)  # the first reason for drift
    page.keyboard.press("Space")
    expect(page.locator(f"input[name=drift_reasons][value='{reason.pk}']")).to_be_checked()
    page.keyboard.press("Shift+Tab")  # and back: the reasons sit straight after their theme
    assert page.evaluate("document.activeElement.value") == str(drift.pk)

    # The person: focus the select and type their name (the browser's type-to-select).
    _tab_to(page, "select[name=addressee]")
    page.keyboard.type(str(manager))
    assert page.evaluate("document.activeElement.value") == str(manager.pk)

    _tab_to(page, "textarea[name=concern]")
    page.keyboard.type(CONCERN)
    _tab_to(page, "main button[type=submit]")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Continue"
    screenshot(page, "keyboard-raise-form")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the escalation")
    answers = page.locator(".govuk-summary-list")
    expect(answers).to_contain_text(f"{sibling.first_name} {sibling.last_name} ({sibling.case_id})")
    expect(answers).to_contain_text(f"Reasons for drift: {reason.label}")
    expect(answers).to_contain_text(f"{manager}, Team manager")
    _tab_to(page, "main button[type=submit]")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Send the escalation"
    assert FOCUS_YELLOW in _focus_style(page), _focus_style(page)
    page.keyboard.press("Enter")

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"was sent to {manager}")
    reference = re.search(r"ESC-\d{4}-\d{5}", page.get_by_role("heading", level=1).inner_text()).group(0)
    screenshot(page, "keyboard-raised")
    escalation = Escalation.objects.get(reference=reference)
    assert escalation.iro.username == "iro1"
    assert escalation.concern == CONCERN
    assert escalation.current_addressee == manager
    assert set(escalation.children.all()) == {child, sibling}
    assert list(escalation.themes.all()) == [drift]
    assert list(escalation.drift_reasons.all()) == [reason]
