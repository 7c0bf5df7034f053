"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Run with ``make test-browser`` (SQLite only; the database suites leave ``tests/browser`` out).
Playwright's own browser download is never used: Chromium is Debian's, installed by ``make deps``.

Fixtures and helpers for test writers::

    def test_something(page, live_server, demo_world):        # demo council built for this test
        sign_in(page, "iro1")                                  # the real sign-in form
        page.goto(live_server.url + "/escalations/mine/")
        axe_check(page, "my escalations")                      # 0 WCAG 2.2 AA violations
        screenshot(page, "iro1-my-escalations")                # var/screenshots/iro1-my-escalations.png

    def test_other(page, live_server, world):                  # only the seeded ladder and themes
        user = IroFactory(username="iro9")                     # password: PASSWORD
        sign_in(page, "iro9")

- ``browser`` (session): one headless Chromium for the run.
- ``page``: a fresh browser context and page for each test, its base URL the live server's, so
  ``page.goto("/sign-in/")`` works. Anything the page logs to the console as an error, and any
  uncaught script error, fails the test: so does anything the Content-Security-Policy refuses
  (Chromium logs each refusal as a console error).
- ``world``: the migrations' seed data (ladder, themes, outcomes) put back, for tests that make
  their own users with ``tests.factories``. Live-server tests are transactional: every table is
  emptied after each test, seeds included.
- ``demo_world``: the whole demo council (``demo.services.demo_data_build``: iro1, iro2, tm1, pgl1,
  hos1, sm1, viewer1, admin1, password ``demo-password``). Built once per run (about 13 s) and
  copied into the database before each test that asks for it (a fraction of a second), so every
  test starts from the same council whatever the tests before it did.
- ``sign_in(page, username, password=PASSWORD)``, ``sign_out(page)``, ``axe_check(page, label)``,
  ``screenshot(page, name)``: plain functions, imported from this module.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from playwright.sync_api import sync_playwright

from demo.services import demo_data_build
from tests.factories import reseed_vocabularies

# Playwright's sync API runs an event loop in this thread, and Django refuses database access from
# a thread with a running loop. The tests are synchronous, so the check is switched off -- while
# Playwright runs (the ``playwright`` fixture), for the browser tests only.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

# pytest-django's live server, on the loopback address (it stops at the end of the run).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps trying to reach Google, which this
# machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PASSWORD = "demo-password"  # tests.factories.UserFactory's and the demo's
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORT = {"width": 1280, "height": 900}


# --- the browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright():

    before = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as driver:
            yield driver
    finally:
        if before is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = before


@pytest.fixture(scope="session")
def browser(playwright):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make deps` (it installs Debian's chromium package).")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []

    def on_console(message):
        # A page answered 4xx on purpose (a 404 test, a lockout) is not a problem; a stylesheet,
        # script or image that failed to load is, and is reported by on_response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error: {message.text}")

    def on_response(response):
        kind = response.request.resource_type
        if response.status >= 400 and kind in ("stylesheet", "script", "image", "font"):
            problems.append(f"{kind} {response.url} answered {response.status}")

    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", on_console)
    page.on("response", on_response)
    yield page
    context.close()
    assert problems == [], f"the browser reported problems (last page {page.url})"


# --- data -----------------------------------------------------------------------------------------


@pytest.fixture
def world(transactional_db):
    """The seeded ladder, themes and outcomes, which the last transactional test's flush removed."""

    reseed_vocabularies()


_DEMO_SNAPSHOT: dict = {}


def _raw_sqlite(connection):
    connection.ensure_connection()
    raw = connection.connection
    return raw if isinstance(raw, sqlite3.Connection) else None


@pytest.fixture
def demo_world(transactional_db):
    """The demo council (iro1, tm1, hos1, sm1, ... / demo-password) in the database for this test.

    The first test to ask builds it with ``demo_data_build`` and keeps a copy of the whole SQLite
    database in memory; later tests get that copy back, which takes milliseconds instead of
    seconds. On any other database it is simply built for each test.
    """

    raw = _raw_sqlite(connection)
    if raw is not None and "copy" in _DEMO_SNAPSHOT:
        _DEMO_SNAPSHOT["copy"].backup(raw)
        ContentType.objects.clear_cache()
        return _DEMO_SNAPSHOT["result"]
    started = time.perf_counter()
    reseed_vocabularies()
    result = demo_data_build(force=True)
    _DEMO_SNAPSHOT["seconds"] = time.perf_counter() - started
    if raw is not None:
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        raw.backup(copy)
        _DEMO_SNAPSHOT.update(copy=copy, result=result)
    return result


# --- helpers --------------------------------------------------------------------------------------


def sign_in(page, username: str, password: str = PASSWORD, *, next_path: str | None = None):
    """Sign in through the real sign-in form, then wait for the page it leads to."""
    page.goto("/sign-in/" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    if "/sign-in/" in page.url:
        raise AssertionError(f"signing in as {username!r} failed: {page.url}\n{page.inner_text('main')[:500]}")
    return page


def sign_out(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert "/sign-in/" in page.url, page.url


def axe_check(page, label: str, *, include: str | None = None):
    """Scan the page as it is now with axe-core: WCAG 2.0, 2.1 and 2.2 A and AA rules, none left
    out. Fails with every violation, where it is and how to fix it.

    ``include`` (a CSS selector) scans only that part of the page; scan whole pages unless the
    test is about one part of a page that another test scans whole."""

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, context={"include": [[include]]} if include else None, options=options)
    violations = results.response["violations"]
    if violations:
        lines = [f"axe found {len(violations)} accessibility violation(s) on {label} ({page.url}):"]
        for violation in violations:
            lines.append(
                f"\n- {violation['id']} ({violation['impact']}): {violation['help']}\n  {violation['helpUrl']}"
            )
            for node in violation["nodes"]:
                lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
                summary = node.get("failureSummary", "").replace("\n", "\n      ")
                if summary:
                    lines.append(f"      {summary}")
        raise AssertionError("\n".join(lines))
    return results


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of the page to var/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
