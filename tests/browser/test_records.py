"""Records management in a real browser: the service manager starts a subject access export and
downloads it once, places a legal hold, reads the schedule and the dry run; an admin asks for an
erasure. Every page passes axe (WCAG 2.2 AA) and is photographed (var/screenshots/records-*.png)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from django.utils import timezone
from playwright.sync_api import expect

from escalations.models import Escalation
from people.models import Role
from records.services import retention_run
from tests.browser.conftest import axe_check, screenshot, sign_in, sign_out
from tests.factories import UserFactory
from tests.records.helpers import family


def _look(page, name: str):
    axe_check(page, name)
    screenshot(page, f"records-{name}")


def test_the_service_manager_exports_a_childs_records_and_places_a_hold(page, world, settings):
    settings.RECORDS_CASE_RECORD_UNTIL_AGE = 0
    people = family()
    Escalation.objects.filter(pk=people.alone.pk).update(closed_at=timezone.now() - dt.timedelta(days=7 * 366))
    sign_in(page, people.sm.username)

    page.get_by_role("link", name="Records", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Records management")
    _look(page, "index")

    page.get_by_role("link", name="Subject access exports").click()
    page.get_by_role("button", name="Start the export").click()  # nothing typed
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the child's case-management ID")
    page.get_by_label("The child's case-management ID").fill("700001")
    page.get_by_role("button", name="Start the export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Everything held about Adaeze Okafor")
    _look(page, "export")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the export (ZIP)").click()
    content = open(download_info.value.path(), "rb").read()
    assert len(zipfile.ZipFile(io.BytesIO(content)).namelist()) == 3

    page.goto("/records/holds/")
    page.get_by_label("What to hold").fill(people.shared.reference)
    page.get_by_label("Why must the records be kept?").fill("A complaint about contact is being investigated.")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("on hold")
    _look(page, "holds")

    page.goto("/records/retention/")
    _look(page, "schedule")
    page.get_by_role("link", name="See what the schedule would do today").click()
    expect(page.locator("#class-escalations")).to_contain_text("1")
    _look(page, "dry-run")

    retention_run()
    page.goto("/records/retention/runs/")
    _look(page, "runs")
    page.locator("main table a").first.click()
    _look(page, "run")

    page.goto("/privacy/")
    expect(page.get_by_role("table", name="The retention schedule")).to_contain_text("Escalations")
    _look(page, "privacy")


def test_an_admin_asks_for_an_erasure_and_another_approves_it(page, world):
    people = family()
    first = UserFactory(role=Role.ADMIN, username="admin8", is_staff=True)
    UserFactory(role=Role.ADMIN, username="admin9", is_staff=True)
    assert first.pk
    sign_in(page, "admin8")
    page.goto("/records/erasure/")
    page.get_by_label("The child's case-management ID").fill("700001")
    page.get_by_label("Why should the child's records be erased?").fill("Granted by the DPO: recorded in error.")
    page.get_by_role("button", name="Ask for the erasure").click()
    _look(page, "erasure-waiting")
    sign_out(page)
    sign_in(page, "admin9")
    page.goto("/records/erasure/")
    _look(page, "erasures")
    page.get_by_role("link", name="Request").first.click()
    _look(page, "erasure-decide")
    page.get_by_label("Approve: erase the records now").check()
    page.get_by_role("button", name="Confirm the decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("erased")
    _look(page, "erasure-done")
    assert not Escalation.objects.filter(pk=people.alone.pk).exists()
