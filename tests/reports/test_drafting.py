"""The sentences drafted from the figures, in the seed paper's register, and reading a section's text."""

import copy

import pytest

from reports.drafting import draft, paper_figures, paragraphs, stale_figures
from reports.identifiers import IdentifierIndex, story_problems

# The reports are built once per module (conftest); the mark makes pytest-django set up the test
# database even when this module runs alone.
pytestmark = pytest.mark.django_db


def _with(report, **changes):
    changed = copy.deepcopy(report)
    for key, value in changes.items():
        changed[key] = value
    return changed


def test_the_key_issues_state_the_escalations_children_majority_and_senior_cases(report):
    text, figures = draft("key_issues", report)
    assert text == (
        "During 2015-16 there were 8 recorded representations and escalations to managers from IROs concerning 8 "
        "children. The majority of the escalations were followed up within 24 hours, but no case had to be "
        "escalated to a head of service or above."
    )
    assert figures == {
        "period": "2015-16",
        "complete": True,
        "escalations": 8,
        "children": 8,
        "within_24h_majority": True,
        "head_of_service_or_above": 0,
        "senior_stages_reached": [],
    }


def test_fewer_than_half_followed_up_within_24_hours_is_said_so(report):
    text, _ = draft("key_issues", _with(report, first_response_within_24h=3))
    assert "Fewer than half of the escalations were followed up within 24 hours" in text


def test_a_hidden_count_is_never_written_out(suppressed):
    hidden = _with(suppressed, reached_head_of_service_or_above=None, children=None)
    text, figures = draft("key_issues", hidden)
    assert "a small number of children" in text and "in some cases the matter had to be escalated" in text
    assert figures["children"] is None


def test_a_year_with_no_escalations(report):
    text, _ = draft("key_issues", _with(report, escalations=0))
    assert text == "There were no recorded representations or escalations to managers from IROs in 2015-16."


@pytest.mark.parametrize(
    ("start", "end", "complete", "words"),
    [
        ("2016-01-01", "2016-03-31", True, "January to March 2016"),
        ("2015-06-01", "2015-06-30", True, "June 2015"),
        ("2015-11-01", "2016-02-29", True, "November 2015 to February 2016"),
        ("2015-06-03", "2015-06-30", True, "the period of this report"),
        ("2026-04-01", "2027-03-31", False, "2026-27 so far"),
    ],
)
def test_the_period_is_written_without_a_full_date(report, start, end, complete, words):
    period = {"label": "x", "start": start, "end": end, "complete": complete, "figures_to": end}
    text, _ = draft("background", _with(report, period=period))
    assert f"officers (IROs) in {words}:" in text
    assert story_problems(text, identifiers=IdentifierIndex()) == []  # no full date for the check to refuse


def test_the_drift_section_names_the_reasons_as_bullets(report):
    text, figures = draft("drift", report)
    found = paragraphs(text)
    assert found[0].text.startswith("IROs have a key role in scrutinising")
    assert "Out of 8 representations and escalations to managers in 2015-16, 2 (25.0%) were directly related" in text
    assert found[-1].bullets == (
        "Parent's inadequate housing delayed rehabilitation",
        "Police investigation / awaiting CPS decision",
    )
    assert figures["drift_escalations"] == 2


def test_the_recommendation_names_the_meeting(report):
    assert draft("recommendations", report, meeting_name="Corporate Parenting Committee")[0] == (
        "That this report be noted by the corporate parenting committee."
    )


def test_stale_figures_say_what_changed():
    assert stale_figures({"escalations": 184, "children": 178}, {"escalations": 187, "children": 178}) == [
        "escalations: 184 when written, 187 now"
    ]
    assert stale_figures({"within_24h_majority": True}, {"within_24h_majority": False}) == [
        "whether most were followed up within 24 hours: yes when written, no now"
    ]


def test_the_current_figures_come_from_the_published_report(suppressed):
    assert paper_figures(suppressed)["drift_escalations"] is None  # hidden in the Open report: 2


def test_paragraphs_and_bullets():
    found = paragraphs("First.\nStill first.\n\nThese included:\n- one\n- two\n\n- three")
    assert [(p.text, p.bullets) for p in found] == [
        ("First. Still first.", ()),
        ("These included:", ("one", "two", "three")),
    ]
