"""The report pages: who may use them, the period picker, downloads, issuing, and story editing."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.models import WorkerHeartbeat
from escalations import services as escalation_services
from people.models import Role
from reports import services
from reports.identifiers import story_subject
from reports.models import (
    CaseStory,
    IssuedReport,
    IssueJob,
    OverrideStatus,
    ReportSettings,
    ReportSnapshot,
    TextOverride,
)
from reports.periods import Period
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    UserFactory,
    london,
    outcome,
    raise_escalation,
    reseed_vocabularies,
    theme,
)
from tests.reports.helpers import iro, manager, service_manager

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("every_number_shown")]
YEAR = {"period": "2015-16"}


def _viewer():
    return UserFactory(role=Role.REPORT_VIEWER)


def test_report_viewers_see_the_report_page(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0), themes=[theme("health")])
    client.force_login(_viewer())
    response = client.get(reverse("reports:page"), YEAR)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Health issues" in page
    assert "Issue this report" not in page


def test_the_report_page_has_one_main_heading(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0), themes=[theme("health")])
    client.force_login(_viewer())
    page = client.get(reverse("reports:page"), YEAR).content.decode()
    assert page.count("<h1") == 1
    assert 'class="govuk-heading-l iro-report__title"' in page


@pytest.mark.parametrize("factory", [IroFactory, ManagerFactory])
def test_iros_and_managers_may_not_use_the_report_pages(client, factory):
    client.force_login(factory())
    assert client.get(reverse("reports:page")).status_code == 403
    assert client.get(reverse("reports:stories")).status_code == 403


def test_report_viewers_may_not_edit_case_stories(client):
    client.force_login(_viewer())
    assert client.get(reverse("reports:stories")).status_code == 403


def test_a_malformed_period_shows_the_error_and_keeps_the_dates(client):
    client.force_login(_viewer())
    response = client.get(reverse("reports:page"), {"period": "2015-16", "start": "2016-03-01", "end": "2016-01-01"})
    page = response.content.decode()
    assert "There is a problem" in page
    assert "before it starts" in page
    assert 'value="2016-03-01"' in page


@pytest.mark.parametrize(
    ("fmt", "starts_with"),
    [("pdf", b"%PDF"), ("docx", b"PK"), ("xlsx", b"PK"), ("json", b"{")],
)
def test_downloads_in_every_format(client, fmt, starts_with):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(_viewer())
    response = client.get(reverse("reports:download", args=[fmt]), YEAR)
    assert response.status_code == 200
    assert response.content.startswith(starts_with)
    assert f'filename="iro-escalations-2015-16.{fmt}"' in response["Content-Disposition"]


def test_issuing_is_confirmed_first_then_the_issued_version_is_shown(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    manager = ServiceManagerFactory()
    client.force_login(manager)
    confirm = client.get(reverse("reports:issue"), YEAR)
    assert confirm.status_code == 200
    assert "Issue version 1 of the report" in confirm.content.decode()
    assert not IssuedReport.objects.exists()  # looking at the confirmation issues nothing
    response = client.post(reverse("reports:issue"), {**YEAR, "expected_version": "1"}, follow=True)
    page = response.content.decode()
    issued = IssuedReport.objects.get()
    job = IssueJob.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reports:issue_job", args=[job.pk])
    assert "Report issued" in page and "Version 1 of the 2015-16 report" in page
    assert reverse("reports:issued", args=[issued.pk]) in page
    assert (issued.version, issued.issued_by, issued.data["escalations"]) == (1, manager, 1)


def test_the_report_page_says_when_its_figures_were_made(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(_viewer())
    before = timezone.localtime()
    page = client.get(reverse("reports:page"), YEAR).content.decode()
    said = {
        f"Figures made at {t:%H:%M} on {t.day} {t:%B %Y}, from the records as they are."
        for t in (before, timezone.localtime())
    }
    assert any(words in page for words in said)
    assert "Newer figures are being made" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the data version is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_after_a_write_the_report_page_shows_its_figures_and_says_newer_ones_are_coming(client, settings):
    reseed_vocabularies()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    WorkerHeartbeat.objects.create(worker_id="w1", started_at=timezone.now(), beat_at=timezone.now())
    first = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    client.get(reverse("reports:page"), YEAR)
    made_at = timezone.localtime(ReportSnapshot.objects.get().made_at)
    raise_escalation(  # the same people and child: only the figures change, not what the identifier check reads
        iro=first.iro,
        children=list(first.children.all()),
        addressee=first.current_addressee,
        raised_at=london(2015, 7, 1, 10, 0),
    )
    page = client.get(reverse("reports:page"), YEAR).content.decode()
    assert "Newer figures are being made now" in page
    assert f"These figures were made at {made_at:%H:%M} on {made_at.day} {made_at:%B %Y}" in page
    assert f'href="{reverse("reports:page")}?period=2015-16">refresh the page</a>' in page
    assert DBTaskResult.objects.get().task_path == "reports.tasks.make_report_page"


def test_issuing_is_a_job_for_the_background_worker(client, settings):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    response = client.post(reverse("reports:issue"), {**YEAR, "expected_version": "1"}, follow=True)
    job = IssueJob.objects.get()
    assert (job.status, IssuedReport.objects.count()) == ("queued", 0)
    assert DBTaskResult.objects.get().task_path == "reports.tasks.issue_report"
    assert "Issuing the 2015-16 report" in response.content.decode()
    assert reverse("reports:issue_job_progress", args=[job.pk]) in response.content.decode()


def test_a_double_submit_issues_one_version_and_says_so(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    client.post(reverse("reports:issue"), {**YEAR, "expected_version": "1"})
    response = client.post(reverse("reports:issue"), {**YEAR, "expected_version": "1"}, follow=True)
    assert response.status_code == 200
    assert "Version 1 had already been issued" in response.content.decode()
    assert IssuedReport.objects.count() == 1


def test_an_issue_without_its_period_issues_nothing(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    response = client.post(reverse("reports:issue"), {"expected_version": "1"}, follow=True)
    assert "Choose the period" in response.content.decode()
    assert not IssuedReport.objects.exists()


def test_the_confirmation_says_why_the_report_cannot_be_issued(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    manager = ServiceManagerFactory()
    services.paper_section_save(
        period=Period.financial_year("2015-16"), by=manager, key="key_issues", text="There was 1 escalation."
    )
    raise_escalation(raised_at=london(2015, 7, 1, 10, 0))
    client.force_login(manager)
    page = client.get(reverse("reports:issue"), YEAR).content.decode()
    assert "The report cannot be issued yet" in page
    assert "escalations: 1 when written, 2 now" in page
    assert "Issue version 1</button>" not in page


def test_what_changed_since_issuing_is_in_words_grouped_by_escalation(client):
    esc = raise_escalation(raised_at=london(2015, 6, 1, 10, 0), themes=[theme("health")])
    manager = ServiceManagerFactory()
    issued, _ = services.report_issue(period=Period.financial_year("2015-16"), by=manager)
    escalation_services.escalation_resolve(
        escalation=esc,
        by=esc.iro,
        outcome=outcome("resolved"),
        at=london(2016, 5, 3, 10, 0),
        reason="The plan was agreed.",
    )
    added = [raise_escalation(raised_at=london(2015, 7, d, 10, 0)) for d in (1, 2, 3)]
    client.force_login(manager)
    page = client.get(reverse("reports:issued", args=[issued.pk])).content.decode()
    assert f"{esc.reference}: outcome changed from open to resolved (closed 3 May 2016)" in page
    assert f"3 escalations added: {', '.join(a.reference for a in added)}" in page
    assert "Summary, Escalations, Number: 1 when issued, 4 now" in page
    assert "[" + "escalations" not in page  # no JSON paths


def test_report_viewers_see_the_changed_figures_but_no_escalation_references(client):
    esc = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    issued, _ = services.report_issue(period=Period.financial_year("2015-16"), by=ServiceManagerFactory())
    raise_escalation(raised_at=london(2015, 7, 1, 10, 0))
    client.force_login(_viewer())
    page = client.get(reverse("reports:issued", args=[issued.pk])).content.decode()
    assert "Summary, Escalations, Number: 1 when issued, 2 now" in page
    assert esc.reference not in page and "escalation added" not in page


def test_report_viewers_cannot_issue(client):
    client.force_login(_viewer())
    assert client.post(reverse("reports:issue"), YEAR).status_code == 403
    assert not IssuedReport.objects.exists()


def test_a_story_with_an_identifier_blocks_the_report_page(client):
    child = ChildFactory(first_name="Kayden")
    esc = raise_escalation(iro=child.iro, children=[child], raised_at=london(2015, 6, 1, 10, 0))
    manager = ServiceManagerFactory()
    client.force_login(manager)
    client.post(reverse("reports:stories") + "?period=2015-16", {"reference": esc.reference})
    story = CaseStory.objects.get()
    client.post(reverse("reports:story_change", args=[story.pk]), {"action": "update", "text": "Kayden was moved."})
    page = client.get(reverse("reports:page"), YEAR).content.decode()
    assert "The report cannot be produced" in page
    assert "Kayden" in page
    download = client.get(reverse("reports:download", args=["pdf"]), YEAR)
    assert download.status_code == 302


def test_an_empty_story_is_refused_and_the_page_keeps_the_form(client):
    esc = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    client.post(reverse("reports:stories"), {"reference": esc.reference})
    story = CaseStory.objects.get()
    response = client.post(reverse("reports:story_change", args=[story.pk]), {"action": "update", "text": "  "})
    assert response.status_code == 400
    assert "Enter the story text" in response.content.decode()


def test_an_unknown_reference_is_named_in_the_error(client):
    client.force_login(ServiceManagerFactory())
    response = client.post(reverse("reports:stories"), {"reference": "ESC-1999-00001"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is no escalation with the reference ESC-1999-00001" in page
    assert 'value="ESC-1999-00001"' in page


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/stories"])
def test_saving_a_story_never_redirects_off_the_site(client, next_url):
    esc = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    client.post(reverse("reports:stories"), {"reference": esc.reference})
    story = CaseStory.objects.get()
    response = client.post(
        reverse("reports:story_change", args=[story.pk]), {"action": "update", "text": "A new text.", "next": next_url}
    )
    assert response["Location"] == reverse("reports:stories")


def test_report_viewers_are_not_shown_what_a_blocked_story_leaks(client):
    child = ChildFactory(first_name="Kayden")
    esc = raise_escalation(iro=child.iro, children=[child], raised_at=london(2015, 6, 1, 10, 0))
    manager = ServiceManagerFactory()
    story = services.story_include(escalation=esc, by=manager)
    services.story_update(story=story, by=manager, text="Kayden was moved.")
    client.force_login(_viewer())
    page = client.get(reverse("reports:page"), YEAR).content.decode()
    assert "waiting to be checked by the IRO service manager" in page
    assert "Kayden" not in page


# --- the paper's pages -----------------------------------------------------------------------------


def test_the_paper_page_lists_every_section_with_its_state(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    page = client.get(reverse("reports:paper"), YEAR).content.decode()
    for heading in (
        "Recommendations",
        "Key issues for consideration",
        "Commentary on each theme",
        "Cover and audit trail",
    ):
        assert heading in page
    assert "Drafted from the records" in page


def test_saving_a_section_keeps_the_text_and_comes_back_to_it(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    url = reverse("reports:paper_section", args=["background"]) + "?period=2015-16"
    response = client.post(url, {"action": "save", "text": "The committee asked for this report.", "figures": ""})
    assert response.status_code == 302
    assert "The committee asked for this report." in client.get(url).content.decode()


def test_a_section_that_names_a_child_shows_why_and_that_it_cannot_be_overridden(client):
    child = ChildFactory(first_name="Kayden", last_name="Okafor")
    raise_escalation(iro=child.iro, children=[child], raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    url = reverse("reports:paper_section", args=["background"]) + "?period=2015-16"
    client.post(url, {"action": "save", "text": "Kayden Okafor waited.", "figures": ""})
    page = client.get(url).content.decode()
    assert "Contains the full name &#x27;Kayden Okafor&#x27; of a child" in page
    assert "This can never be overridden: edit the text." in page
    assert "Ask for an override" not in page


def test_a_tampered_figures_field_is_refused_keeping_the_text(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    url = reverse("reports:paper_section", args=["key_issues"]) + "?period=2015-16"
    response = client.post(url, {"action": "save", "text": "My words.", "figures": "not-signed"})
    assert response.status_code == 400
    assert "My words." in response.content.decode()


def test_an_unknown_section_is_not_found(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    assert client.get(reverse("reports:paper_section", args=["nonsense"]), YEAR).status_code == 404


def test_the_cover_page_shows_errors_and_keeps_what_was_typed(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    response = client.post(
        reverse("reports:paper_cover") + "?period=2015-16",
        {
            "item_number": "11",
            "meeting_name": "Corporate Parenting Committee",
            "title": "",
            "wards": "All",
            "version_label": "Final",
            "meeting_date_0": "31",
            "meeting_date_1": "2",
            "meeting_date_2": "2017",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the report title" in page
    assert "The date of the meeting must be a real date" in page
    assert 'value="11"' in page


def test_the_settings_page_saves_the_small_number_rule(client):
    client.force_login(ServiceManagerFactory())
    response = client.post(
        reverse("reports:settings"),
        {"classification": "open", "suppress_small_numbers": "on", "small_number_threshold": "10"},
    )
    assert response.status_code == 302
    assert ReportSettings.objects.get().small_number_threshold == 10


def test_the_settings_page_refuses_a_threshold_of_one(client):
    client.force_login(ServiceManagerFactory())
    response = client.post(reverse("reports:settings"), {"classification": "open", "small_number_threshold": "1"})
    assert response.status_code == 400
    assert "Enter a threshold from 2 to 50" in response.content.decode()


def test_an_override_is_asked_for_on_one_page_and_approved_by_another_person(client):
    child = ChildFactory(first_name="May", last_name="Lindqvist", iro=iro())
    esc = raise_escalation(iro=child.iro, children=[child], addressee=manager(), raised_at=london(2015, 5, 12, 10, 0))
    asker, approver = service_manager(), service_manager()
    story = services.story_include(escalation=esc, by=asker)
    client.force_login(asker)
    response = client.post(
        reverse("reports:overrides"),
        {"subject": story_subject(story.pk), "term": "May", "reason": "May the month.", "next": "/reports/stories/"},
    )
    assert response.status_code == 302
    override = TextOverride.objects.get()
    page = client.get(reverse("reports:overrides")).content.decode()
    assert "Waiting for someone else" in page  # the asker cannot approve it
    client.post(reverse("reports:override_decide", args=[override.pk]), {"decision": "approve"})
    override.refresh_from_db()
    assert override.status == OverrideStatus.PENDING
    client.force_login(approver)
    client.post(reverse("reports:override_decide", args=[override.pk]), {"decision": "approve"})
    override.refresh_from_db()
    assert (override.status, override.decided_by) == (OverrideStatus.APPROVED, approver)


def test_asking_to_override_a_full_name_is_refused_on_the_page(client):
    child = ChildFactory(first_name="Aaron", last_name="Singh")
    esc = raise_escalation(iro=child.iro, children=[child], raised_at=london(2015, 5, 12, 10, 0))
    manager = ServiceManagerFactory()
    story = services.story_include(escalation=esc, by=manager)
    services.story_update(story=story, by=manager, text="Aaron Singh waited.")
    client.force_login(manager)
    response = client.post(
        reverse("reports:overrides"),
        {"subject": story_subject(story.pk), "term": "Aaron Singh", "reason": "committee asked for the name"},
    )
    assert response.status_code == 400
    assert "cannot be overridden" in response.content.decode()
    assert not TextOverride.objects.exists()


# --- issue 16: input that once crashed the pages -----------------------------------------------------


def _story(client):
    esc = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    client.force_login(ServiceManagerFactory())
    client.post(reverse("reports:stories"), {"reference": esc.reference})
    return CaseStory.objects.get()


def test_a_story_with_a_nul_is_refused_keeping_the_text(client):
    story = _story(client)
    response = client.post(
        reverse("reports:story_change", args=[story.pk]), {"action": "update", "text": "A new\x00 text."}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The story text contains a NUL character at character 6, which cannot be stored" in body
    assert "A new" in body
    story.refresh_from_db()
    assert "\x00" not in story.text


def test_what_happened_next_with_a_control_character_is_refused(client):
    story = _story(client)
    response = client.post(
        reverse("reports:story_change", args=[story.pk]),
        {"action": "update", "text": "A new text.", "what_happened_next": "Later\x1b."},
    )
    assert response.status_code == 400
    assert "What happened next contains a control character (U+001B)" in response.content.decode()


@pytest.mark.parametrize("next_url", ["ཋЖ", "reports:page", "javascript:alert(1)", "stories"])
def test_saving_a_story_with_a_next_that_is_not_a_path_goes_back_to_the_stories(client, next_url):
    story = _story(client)
    response = client.post(
        reverse("reports:story_change", args=[story.pk]), {"action": "update", "text": "A new text.", "next": next_url}
    )
    assert (response.status_code, response["Location"]) == (302, reverse("reports:stories"))
