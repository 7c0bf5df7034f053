"""No report is produced, in any format, while a case story holds an identifier."""

import datetime as dt

import pytest

from core.errors import DomainError
from reports import services
from reports.identifiers import TextNotClean, story_subject
from reports.outputs import report_render
from reports.periods import Period
from tests.factories import ChildFactory, london, raise_escalation
from tests.reports.helpers import iro, manager, service_manager

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("every_number_shown")]
YEAR = Period.financial_year("2015-16")


def _story_with(text: str, **child):
    child = ChildFactory(
        **{
            "first_name": "Amara",
            "last_name": "Lindqvist",
            "date_of_birth": dt.date(2009, 3, 12),
            "iro": iro(),
            **child,
        }
    )
    esc = raise_escalation(iro=child.iro, children=[child], addressee=manager(), raised_at=london(2015, 5, 12, 10, 0))
    manager_ = service_manager()
    story = services.story_include(escalation=esc, by=manager_)
    return services.story_update(story=story, by=manager_, text=text), manager_


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("In May 2015 the IRO was worried about Amara.", "first name 'Amara'"),
        ("In May 2015 the Lindqvist children were assessed.", "surname 'Lindqvist'"),
        ("A girl born 12/03/2009 was escalated.", "12/03/2009"),
        ("A girl born 2009-03-12 was escalated.", "2009-03-12"),
        ("A girl born 12 March 2009 was escalated.", "12 March 2009"),
        ("The placement at SW1A1AA broke down.", "SW1A1AA"),
        ("Her NHS number 943 476 5919 was recorded.", "943 476 5919"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "pdf"])
def test_a_leaking_story_blocks_the_report(text, named, fmt):
    _story_with(text)
    with pytest.raises(TextNotClean) as error:
        report_render(period=YEAR, fmt=fmt)
    assert "Case story 1" in error.value.message
    assert named in error.value.message


def test_may_the_month_needs_an_approved_override_and_then_the_report_is_produced():
    story, manager = _story_with(
        "May 2015: the IRO contacted the team manager about a child aged 5-10.", first_name="May"
    )
    with pytest.raises(TextNotClean, match="first name 'May'"):
        report_render(period=YEAR, fmt="json")
    override = services.override_request(
        subject=story_subject(story.pk), term="May", reason="May is the month here.", by=manager
    )
    with pytest.raises(TextNotClean, match="first name 'May'"):  # asked for, not yet approved
        report_render(period=YEAR, fmt="json")
    services.override_decide(override=override, by=service_manager(), approve=True)
    assert '"May 2015: the IRO contacted' in report_render(period=YEAR, fmt="json")


def test_the_real_name_that_reached_the_open_report_can_no_longer_be_overridden():
    story, manager = _story_with("Aaron Singh waited a year for his plan.", first_name="Aaron", last_name="Singh")
    with pytest.raises(DomainError, match="cannot be overridden"):
        services.override_request(
            subject=story_subject(story.pk), term="Aaron Singh", reason="committee asked for the name", by=manager
        )
    with pytest.raises(TextNotClean, match="full name 'Aaron Singh'"):
        report_render(period=YEAR, fmt="json")


@pytest.mark.parametrize("fmt", ["html", "json", "docx", "xlsx"])
def test_what_happened_next_is_checked_too(fmt):
    story, manager = _story_with("May 2015: the IRO contacted the team manager.")
    services.story_update(story=story, by=manager, text=story.text, what_happened_next="Amara now lives with her aunt.")
    with pytest.raises(TextNotClean, match="What happened next in case story 1 contains the first name 'Amara'"):
        report_render(period=YEAR, fmt=fmt)
