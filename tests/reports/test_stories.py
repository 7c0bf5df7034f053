"""Drafting case stories from the structured fields."""

import datetime as dt

import pytest

from escalations import services
from reports.stories import children_phrase, story_draft_text
from tests.factories import ChildFactory, IroFactory, ManagerFactory, london, outcome, raise_escalation, stage, theme

pytestmark = pytest.mark.django_db

RAISED = london(2015, 5, 12, 10, 0)  # a Tuesday
RAISED_ON = dt.date(2015, 5, 12)


def _child(dob=dt.date(2012, 1, 1), sex="2", **kwargs):
    return ChildFactory(date_of_birth=dob, sex=sex, **kwargs)


def _escalation(children=None, **kwargs):
    kwargs.setdefault("raised_at", RAISED)
    return raise_escalation(children=children if children is not None else [_child()], **kwargs)


def _first_response(esc, at):
    return services.escalation_first_response(escalation=esc, by=esc.current_addressee, at=at)


def test_draft_reads_like_the_committee_report():
    esc = _escalation(children=[_child(), _child()], stage_code="head_of_service", themes=[theme("drift")])
    esc = _first_response(esc, london(2015, 5, 13, 9, 0))
    esc = services.escalation_resolve(
        escalation=esc,
        by=esc.iro,
        outcome=outcome("resolved"),
        at=london(2015, 6, 1, 9, 0),
        reason="The plan was agreed.",
    )

    assert story_draft_text(esc) == (
        "May 2015: the IRO contacted the head of service about two children under 5. The concern was drift in "
        "care planning. The head of service responded within 24 hours. The escalation was resolved."
    )


@pytest.mark.parametrize(
    ("dob", "sex", "phrase"),
    [
        (dt.date(1998, 6, 1), "1", "a young man aged 16-17"),
        (dt.date(1998, 6, 1), "2", "a young woman aged 16-17"),
        (dt.date(2002, 1, 1), "1", "a boy aged 11-15"),
        (dt.date(2002, 1, 1), "2", "a girl aged 11-15"),
        (dt.date(2007, 1, 1), "1", "a child aged 5-10"),
        (dt.date(2012, 1, 1), "2", "a child under 5"),
    ],
)
def test_draft_gives_one_child_as_an_age_band(dob, sex, phrase):
    esc = _escalation(children=[_child(dob=dob, sex=sex)])
    assert f"about {phrase}." in story_draft_text(esc)


@pytest.mark.parametrize(
    ("dob", "phrase"),
    [(dt.date(2010, 5, 12), "a child aged 5-10"), (dt.date(2010, 5, 13), "a child under 5")],
)
def test_draft_takes_the_age_on_the_day_raised(dob, phrase):
    esc = _escalation(children=[_child(dob=dob)])
    assert f"about {phrase}." in story_draft_text(esc)


def test_draft_counts_children_in_one_band_in_words():
    esc = _escalation(children=[_child(dob=dt.date(2007, 1, 1)) for _ in range(3)])
    assert "about three children aged 5-10." in story_draft_text(esc)


def test_draft_breaks_down_children_in_several_bands():
    children = [_child(dob=dt.date(2012, 1, 1)), _child(dob=dt.date(2007, 1, 1)), _child(dob=dt.date(2008, 1, 1))]
    esc = _escalation(children=children)
    assert "about three children (one under 5, two aged 5-10)." in story_draft_text(esc)


def test_draft_names_young_women_together():
    esc = _escalation(children=[_child(dob=dt.date(1998, 6, 1), sex="2"), _child(dob=dt.date(1998, 1, 1), sex="2")])
    assert "about two young women aged 16-17." in story_draft_text(esc)


def test_children_phrase_writes_more_than_ten_in_figures():
    assert children_phrase([(dt.date(2012, 1, 1), "1")] * 11, RAISED_ON) == "11 children under 5"


def test_children_phrase_says_when_an_age_is_not_recorded():
    phrase = children_phrase([(dt.date(2012, 1, 1), "1"), (None, "")], RAISED_ON)
    assert phrase == "two children (one under 5, one whose age is not recorded)"


def test_draft_joins_themes_with_and():
    esc = _escalation(themes=[theme("drift"), theme("health")])
    assert "The concerns were drift in care planning and health issues." in story_draft_text(esc)


def test_draft_without_a_theme_has_no_concern_sentence():
    assert "concern" not in story_draft_text(_escalation()).lower()


@pytest.mark.parametrize(
    ("first_response_at", "sentence"),
    [
        (london(2015, 5, 13, 9, 0), "The team manager responded within 24 hours."),
        (london(2015, 5, 14, 16, 0), "The team manager responded within 2 working days."),
        (london(2015, 5, 19, 16, 0), "The team manager responded after 5 working days."),
    ],
)
def test_draft_says_how_fast_the_first_response_came(first_response_at, sentence):
    esc = _first_response(_escalation(), first_response_at)
    assert sentence in story_draft_text(esc)


def test_draft_says_when_no_response_is_recorded():
    assert "No response is recorded." in story_draft_text(_escalation())


def test_draft_names_the_level_that_responded_first():
    esc = _escalation()
    esc = services.escalation_escalate(
        escalation=esc,
        by=esc.iro,
        stage=stage("head_of_service"),
        addressee=ManagerFactory(stage=stage("head_of_service")),
        at=london(2015, 5, 14, 10, 0),
        reason="No reply in time.",
    )
    esc = _first_response(esc, london(2015, 5, 14, 15, 0))
    text = story_draft_text(esc)
    assert "the IRO contacted the head of service" in text
    assert "The head of service responded within 2 working days." in text


@pytest.mark.parametrize(
    ("close", "sentence"),
    [
        ("resolved", "The escalation was resolved."),
        ("not_resolved", "The escalation was not resolved."),
        ("withdrawn", "The escalation was withdrawn."),
        (None, "The escalation is still open."),
    ],
)
def test_draft_ends_with_the_outcome(close, sentence):
    esc = _escalation()
    at = london(2015, 6, 1, 9, 0)
    if close == "withdrawn":
        esc = services.escalation_withdraw(escalation=esc, by=esc.iro, at=at, reason="Raised in error.")
    elif close:
        esc = services.escalation_resolve(
            escalation=esc, by=esc.iro, outcome=outcome(close), at=at, reason="The plan was agreed."
        )
    assert story_draft_text(esc).endswith(sentence)


def test_draft_never_contains_names_ids_exact_dates_or_the_concern():
    iro = IroFactory(first_name="Priya", last_name="Nwachukwu")
    child = _child(first_name="Kayden", last_name="Okafor", case_id="LAC-778899", dob=dt.date(2009, 3, 12), iro=iro)
    esc = _escalation(
        iro=iro, children=[child], concern="Kayden Okafor's placement at 12 Acacia Avenue is breaking down."
    )
    text = story_draft_text(esc)
    for leak in ["Kayden", "Okafor", "778899", "2009", "12 May", "Acacia", "Priya", "Nwachukwu", esc.reference]:
        assert leak not in text
