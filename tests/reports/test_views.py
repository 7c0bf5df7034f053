"""The report pages: who may use them, the period picker, downloads, issuing, and story editing."""

import pytest
from django.urls import reverse

from people.models import Role
from reports import services
from reports.models import CaseStory, IssuedReport
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    ServiceManagerFactory,
    UserFactory,
    london,
    raise_escalation,
    theme,
)

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


def test_the_service_manager_issues_a_version(client):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    manager = ServiceManagerFactory()
    client.force_login(manager)
    response = client.post(reverse("reports:issue"), YEAR, follow=True)
    assert "Version 1 of the 2015-16 report was issued" in response.content.decode()
    issued = IssuedReport.objects.get()
    assert (issued.version, issued.issued_by, issued.data["escalations"]) == (1, manager, 1)


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
