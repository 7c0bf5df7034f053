"""The Content-Security-Policy holds in a real browser: our pages run with it, and an inline
script (what an injected one would be) is refused, and reported, which fails any other browser test."""

from tests.browser.conftest import VIEWPORT


def test_an_inline_script_is_refused_and_reported(browser, live_server, world):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/sign-in/")
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")  # our scripts ran

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.body.appendChild(s); }"
    )

    assert page.evaluate("window.injected") is None
    assert any("Content Security Policy" in error for error in errors), errors
    context.close()
