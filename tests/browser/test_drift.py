"""The drift watch in a real browser: an IRO raises an escalation from a flag, a flag cleared by a new
review shows as cleared, and every new page passes axe (WCAG 2.2 AA) and is photographed
(var/screenshots/drift-*.png).

The data comes in as it does in use: a 903 return and a case-management extract imported through
their services, then the nightly refresh (drift.services.drift_refresh)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from drift.services import drift_refresh
from extract.services import extract_import
from ssda903.services import ssda903_import
from tests.browser.conftest import axe_check, screenshot, sign_in, sign_out
from tests.extract.files import allocation, care_plan, extract_files, visit
from tests.factories import ChildFactory, IroFactory, ManagerFactory, ServiceManagerFactory
from tests.ssda903.returns import episode, header, review, write_return

CONCERN = "The first review has not been held: the child came into care two months ago."


def _uk(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _council(tmp_path, *, reviews=()):
    """An IRO (iro9) with one child looked after for 60 days and no review (so only R33-first is
    overdue), a team manager (tm9) and a service manager (sm9). Returns the child."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=60)
    iro = IroFactory(username="iro9", first_name="Ida", last_name="Reviewer")
    ManagerFactory(username="tm9", first_name="Tom", last_name="Manager")
    ServiceManagerFactory(username="sm9", first_name="Sal", last_name="Service")
    child = ChildFactory(case_id="1001", first_name="Ada", last_name="Lovelace", iro=iro)
    _import_903(tmp_path / "903", start, reviews)
    files = extract_files(
        visits=[visit(date=_uk(today - dt.timedelta(days=3)))],
        care_plans=[care_plan(start=_uk(start))],
        allocations=[allocation(start=_uk(start))],
    )
    extract_import(files=files, source="browser test")
    drift_refresh()
    return child


def _import_903(directory, start, reviews):
    write_return(
        directory,
        header=[header("1001", DOB="01/02/2012")],
        episodes=[episode("1001", _uk(start))],
        reviews=[review("1001", _uk(day)) for day in reviews],
    )
    ssda903_import(directory=directory)


def _flag_row(page, child):
    return page.locator("#flags-table tbody tr").filter(has_text=f"{child.first_name} {child.last_name}")


def test_an_iro_raises_an_escalation_from_a_flag(page, world, tmp_path):
    child = _council(tmp_path)

    sign_in(page, "iro9")
    page.get_by_role("link", name="Drift watch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Drift watch")
    row = _flag_row(page, child)
    expect(row).to_contain_text("First review")
    axe_check(page, "the IRO's drift watch with a flag")
    screenshot(page, "drift-1-iro-watch")

    row.get_by_role("link", name=re.compile("Raise an escalation")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise an escalation")
    expect(page.get_by_label("Drift in care planning")).to_be_checked()
    expect(page.get_by_label("Ada Lovelace (1001)")).to_be_checked()
    page.get_by_label("Who is it going to?").select_option(label="Tom Manager (no team)")
    page.get_by_label("What is the concern?").fill(CONCERN)
    axe_check(page, "the raise form from a flag")
    screenshot(page, "drift-2-raise-from-flag")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Drift in care planning")
    page.get_by_role("button", name="Send the escalation").click()
    reference = re.search(r"ESC-\d{4}-\d{5}", page.get_by_role("heading", level=1).inner_text()).group(0)

    page.get_by_role("link", name="Drift watch").click()
    row = _flag_row(page, child)
    expect(row.get_by_role("link", name=reference)).to_be_visible()
    expect(row.get_by_role("link", name=re.compile("Raise an escalation"))).to_have_count(0)
    axe_check(page, "the IRO's drift watch with an escalated flag")
    screenshot(page, "drift-3-escalated")


def test_a_flag_cleared_after_a_new_review_shows_as_cleared(page, world, tmp_path):
    child = _council(tmp_path)
    sign_in(page, "iro9")
    page.goto("/drift/")
    expect(_flag_row(page, child)).to_contain_text("First review")

    _import_903(tmp_path / "903-again", timezone.localdate() - dt.timedelta(days=60), [timezone.localdate()])
    drift_refresh()

    page.goto("/drift/")
    expect(page.locator("#flags-table")).to_have_count(0)
    cleared = page.locator("#cleared-table tbody tr").filter(has_text="Ada Lovelace")
    expect(cleared).to_contain_text("First review")
    expect(cleared).to_contain_text("Cleared")
    axe_check(page, "the IRO's drift watch with a cleared flag")
    screenshot(page, "drift-4-cleared")
    sign_out(page)

    sign_in(page, "sm9")
    page.goto("/drift/all/?status=cleared")
    row = page.locator("#flags-table tbody tr").filter(has_text="Ada Lovelace")
    expect(row).to_contain_text("Cleared")
    axe_check(page, "all drift flags, cleared")
    screenshot(page, "drift-5-all-cleared")


def test_the_drift_pages_pass_axe(page, world, tmp_path):
    child = _council(tmp_path)

    sign_in(page, "iro9")
    page.goto(f"/children/{child.pk}/")
    expect(page.locator("#clocks")).to_have_text("Statutory clocks")
    expect(page.locator("#clocks-list")).to_contain_text("Overdue")
    axe_check(page, "a child's page with their clocks")
    screenshot(page, "drift-6-child-clocks")
    sign_out(page)

    sign_in(page, "sm9")
    page.get_by_role("link", name="Drift watch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("All drift flags")
    expect(page.locator("#flags-table")).to_contain_text("Ada Lovelace")
    axe_check(page, "all drift flags")
    screenshot(page, "drift-7-all")

    page.get_by_label("Rule").select_option(label="R28-visit: Social worker visit")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", level=2, name="No flags match these filters")).to_be_visible()
    axe_check(page, "all drift flags, none matching")

    page.goto("/drift/all/?rule=R99")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a rule from the list")
    axe_check(page, "all drift flags, a bad filter")

    page.goto("/dashboard/")
    expect(page.locator("#drift-impact")).to_be_visible()
    axe_check(page, "the dashboard with the drift watch's impact")
    screenshot(page, "drift-8-dashboard")

    page.goto("/imports/")
    page.get_by_role("link", name="import a case-management extract").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a case-management extract")
    expect(page.locator("table")).to_contain_text("visits, care_plans, allocations")
    axe_check(page, "the extract upload page")
    screenshot(page, "drift-9-upload")

    bad = tmp_path / "visits.csv"
    bad.write_text("person_id,visit_date\n1001,31/02/2026\n9999,01/03/2026\n")
    page.get_by_label("Visits (visits.csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("visits.csv row 2, column visit_date: '31/02/2026' is not a real date")
    expect(summary).to_contain_text("visits.csv row 3, column person_id: '9999' is not a child known here")
    axe_check(page, "the extract upload page with errors")
    screenshot(page, "drift-10-upload-errors")

    good = tmp_path / "good" / "visits.csv"
    good.parent.mkdir()
    good.write_text(f"person_id,visit_date\n1001,{_uk(timezone.localdate())}\n")
    page.get_by_label("Visits (visits.csv)").set_input_files(str(good))
    page.get_by_role("button", name="Check and import").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The extract was imported")
    axe_check(page, "the extract upload page after an import")
