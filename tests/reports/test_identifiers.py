"""The identifier check on case stories: what it blocks, what it lets through, and overrides."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import identifiers
from reports.identifiers import (
    TextNotClean,
    identifier_index,
    report_check_stories,
    stored_postcodes,
    story_problems,
)
from reports.models import CaseStory, TextOverride
from reports.outputs import paper_require_clean
from reports.periods import Period
from reports.stories import story_draft_text
from ssda903.models import Episode
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    UserFactory,
    london,
    raise_escalation,
    stage,
    theme,
)

pytestmark = pytest.mark.django_db

CLEAN = "October 2015: the IRO contacted the team manager about a child under 5. The escalation is still open."


def _people():
    """A child and two members of staff whose names appear in no drafted story."""
    iro = IroFactory(first_name="Priya", last_name="Nwachukwu")
    child = ChildFactory(
        first_name="Kayden", last_name="Okafor", date_of_birth=dt.date(2009, 3, 12), case_id="LAC-778899", iro=iro
    )
    manager = ManagerFactory(first_name="Tomasz", last_name="Brennan", stage=stage("team_manager"))
    return child, iro, manager


def _problems(text, **kwargs):
    return story_problems(text, identifiers=identifier_index(), **kwargs)


def _kinds(text, **kwargs):
    return [problem.kind for problem in _problems(text, **kwargs)]


STORY_RAISED_AT = london(2015, 10, 6, 10, 0)


def _story(text, raised_at=STORY_RAISED_AT):
    """A story on an escalation whose people have names that appear in no story here."""
    iro = IroFactory(first_name="Wendell", last_name="Pryce")
    esc = raise_escalation(
        iro=iro,
        children=[ChildFactory(first_name="Amara", last_name="Lindqvist", iro=iro)],
        addressee=ManagerFactory(first_name="Tomasz", last_name="Brennan", stage=stage("team_manager")),
        raised_at=raised_at,
    )
    return CaseStory.objects.create(escalation=esc, drafted_text=text, text=text)


# --- what it blocks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Kayden moved to a new placement.", identifiers.NAME),
        ("The Okafor family were assessed together.", identifiers.NAME),
        ("Ms Nwachukwu chased the plan.", identifiers.NAME),
        ("The child was born on 12/03/2009.", identifiers.DATE_OF_BIRTH),
        ("The child was born on 2009-03-12.", identifiers.DATE_OF_BIRTH),
        ("The child was born on 12 March 2009.", identifiers.DATE_OF_BIRTH),
        ("The placement near SW1A1AA ended.", identifiers.POSTCODE),
        ("The NHS number 943 476 5919 was checked.", identifiers.NHS_NUMBER),
        ("The carer rang from 07700 900123.", identifiers.PHONE),
        ("The social worker wrote from k.smith@example.gov.uk.", identifiers.EMAIL),
        ("Case LAC-778899 was escalated again.", identifiers.CASE_ID),
    ],
)
def test_check_blocks_a_leak(text, kind):
    _people()
    assert _kinds(text) == [kind]


@pytest.mark.parametrize(
    "written",
    ["12-03-2009", "12.03.2009", "12/3/2009", "12 Mar 2009", "March 12, 2009", "12th March 2009", "12-Mar-09"],
)
def test_check_finds_a_date_of_birth_in_any_common_format(written):
    _people()
    assert _kinds(f"Born {written}, the child came into care.") == [identifiers.DATE_OF_BIRTH]


@pytest.mark.parametrize("phone", ["020 7946 0000", "+44 7700 900123", "07700900123", "(0161) 496 0000"])
def test_check_blocks_uk_phone_numbers(phone):
    assert _kinds(f"Call {phone} for the carer.") == [identifiers.PHONE]


def test_check_blocks_an_nhs_number_without_spaces():
    assert _kinds("NHS 9434765919.") == [identifiers.NHS_NUMBER]


def test_check_blocks_any_full_date():
    assert _kinds("The review on 3 November 2015 was cancelled.") == [identifiers.DATE]


def test_check_blocks_a_postcode_with_its_space():
    assert _kinds("The placement near SW1A 1AA ended.") == [identifiers.POSTCODE]


def test_check_matches_names_ignoring_case():
    _people()
    assert _kinds("kayden moved.") == [identifiers.NAME]


def test_check_reports_a_full_name_once():
    _people()
    problems = _problems("Kayden Okafor's plan drifted.")
    assert [(p.kind, p.term) for p in problems] == [(identifiers.FULL_NAME, "Kayden Okafor")]


def test_check_finds_a_name_inside_a_hyphenated_word():
    _people()
    assert [p.term for p in _problems("The Smith-Okafor household.")] == ["Okafor"]


def test_check_names_whose_name_it_is():
    _people()
    assert [p.message for p in _problems("Kayden and Ms Nwachukwu met.")] == [
        "Contains the first name 'Kayden' of a child",
        "Contains the surname 'Nwachukwu' of a member of staff",
    ]


def test_check_messages_show_the_date_of_birth():
    _people()
    assert [p.message for p in _problems("Born 12/03/2009.")] == ["Contains a date of birth (12/03/2009)"]


def test_check_messages_name_an_nhs_number():
    assert _problems("NHS 943 476 5919.")[0].message == "Contains an NHS number (943 476 5919)"


def test_check_blocks_a_stored_postcode_given_to_it():
    problems = _problems("The placement at se17pb ended.", extra_postcodes=["SE1 7PB"])
    assert [p.message for p in problems] == ["Contains the postcode 'se17pb', which is held in the records"]


# --- what it lets through ------------------------------------------------------------------------


def test_check_passes_a_clean_drafted_story():
    child, iro, manager = _people()
    esc = raise_escalation(
        iro=iro,
        addressee=manager,
        raised_at=london(2015, 10, 6, 10, 0),
        themes=[theme("drift")],
        children=[ChildFactory(first_name="Amara", last_name="Lindqvist", date_of_birth=dt.date(2012, 1, 1), iro=iro)],
    )
    assert _problems(story_draft_text(esc)) == []


def test_check_passes_a_month_and_year():
    assert _problems("May 2015: the IRO contacted the head of service.") == []


def test_check_matches_whole_words_only():
    _people()
    assert _problems("The Kaydenville placement.") == []


def test_check_ignores_one_letter_names():
    ChildFactory(first_name="J", last_name="Okoro")
    assert _problems("J. The plan was agreed.") == []


def test_check_still_flags_a_name_that_is_also_a_month():
    ChildFactory(first_name="May", last_name="Lindqvist")
    assert [p.message for p in _problems("May 2015: the IRO contacted the team manager.")] == [
        "Contains the first name 'May' of a child"
    ]


def test_override_for_this_text_suppresses_the_term():
    ChildFactory(first_name="May", last_name="Lindqvist")
    text = "May 2015: the IRO contacted the team manager."
    override = TextOverride(term="May", kind=identifiers.NAME, text=text)
    assert _problems(text, overrides=[override]) == []


def test_override_for_another_text_does_not_apply():
    ChildFactory(first_name="May", last_name="Lindqvist")
    override = TextOverride(term="May", kind=identifiers.NAME, text="May 2015: the IRO wrote.")
    assert _kinds("May 2015: the IRO contacted the team manager.", overrides=[override]) == [identifiers.NAME]


# --- what may be overridden: only a possible false positive ----------------------------------------


def _overridable(text):
    return [(p.kind, p.term, p.overridable) for p in _problems(text)]


def test_a_first_name_that_is_a_month_is_a_possible_false_positive():
    # The IRO named here: a made-up one could be surnamed May, and a surname is never overridable.
    ChildFactory(first_name="May", last_name="Lindqvist", iro=IroFactory(first_name="Iris", last_name="Owens"))
    assert _overridable("May 2015: the plan was agreed.") == [(identifiers.NAME, "May", True)]


def test_a_first_name_that_is_an_ordinary_word_is_a_possible_false_positive():
    ChildFactory(first_name="Will", last_name="Lindqvist", iro=IroFactory(first_name="Iris", last_name="Owens"))
    assert _overridable("The IRO will ask again.") == [(identifiers.NAME, "will", True)]


def test_a_first_name_that_is_no_ordinary_word_is_not():
    _people()
    assert _overridable("Kayden moved.") == [(identifiers.NAME, "Kayden", False)]


def test_a_surname_alone_is_never_a_false_positive_even_if_an_ordinary_word():
    ChildFactory(first_name="Amara", last_name="Young")
    assert _overridable("A young person was moved.") == [(identifiers.NAME, "young", False)]


def test_a_full_name_is_never_a_false_positive():
    ChildFactory(first_name="May", last_name="Singh")
    assert _overridable("May Singh moved.") == [(identifiers.FULL_NAME, "May Singh", False)]


@pytest.mark.parametrize(
    "text",
    [
        "The child was born on 12/03/2009.",
        "Case LAC-778899 was escalated again.",
        "The NHS number 943 476 5919 was checked.",
        "The placement near SW1A1AA ended.",
        "The social worker wrote from k.smith@example.gov.uk.",
        "The carer rang from 07700 900123.",
        "The review on 3 November 2015 was cancelled.",
    ],
)
def test_no_identifier_of_any_other_kind_is_a_false_positive(text):
    _people()
    assert [p.overridable for p in _problems(text)] == [False]


def test_an_override_never_lets_a_full_name_through():
    ChildFactory(first_name="Aaron", last_name="Singh")
    text = "Aaron Singh waited a year for a plan."
    override = TextOverride(term="Aaron Singh", kind=identifiers.FULL_NAME, text=text)
    assert _kinds(text, overrides=[override]) == [identifiers.FULL_NAME]


# --- the selectors -------------------------------------------------------------------------------


def test_stored_postcodes_come_from_the_903_episodes():
    Episode.objects.create(
        child=ChildFactory(),
        start=dt.date(2015, 4, 1),
        legal_status="C2",
        placement_type="U1",
        home_postcode="SE1 7PB",
        placement_postcode="UNKNOWN",
    )
    assert stored_postcodes() == ["SE17PB"]


def test_a_stored_postcode_written_without_its_space_blocks_the_story():
    Episode.objects.create(
        child=ChildFactory(),
        start=dt.date(2015, 4, 1),
        legal_status="C2",
        placement_type="U1",
        placement_postcode="SE1 7PB",
    )
    assert [p.kind for p in _problems("The placement at se17pb ended.")] == [identifiers.POSTCODE]


def test_identifier_index_reads_the_database_the_same_number_of_times_however_many_children():
    ChildFactory()
    with CaptureQueriesContext(connection) as few:
        identifier_index()
    for _ in range(20):
        ChildFactory()
    with CaptureQueriesContext(connection) as many:
        identifier_index()
    assert len(many) == len(few)


def test_identifier_index_holds_staff_who_are_not_iros():
    UserFactory(first_name="Wendell", last_name="Ashdown", role="admin")
    assert _kinds("Ashdown agreed.") == [identifiers.NAME]


def test_report_check_stories_gives_problems_by_story():
    _people()
    clean = _story(CLEAN)
    leaky = _story("The Okafor family were assessed.")
    checked = report_check_stories([clean, leaky])
    assert {story_id: [p.term for p in problems] for story_id, problems in checked.items()} == {
        clean.pk: [],
        leaky.pk: ["Okafor"],
    }


def test_paper_require_clean_passes_clean_stories():
    story = _story(CLEAN)
    paper_require_clean(Period.financial_year("2015-16"))  # raises when a text is not clean
    assert report_check_stories([story]) == {story.pk: []}


def test_paper_require_clean_names_the_story_and_the_problem():
    _people()
    _story(CLEAN)
    _story("The Okafor family were assessed.", raised_at=london(2015, 11, 3, 10, 0))
    with pytest.raises(TextNotClean) as refused:
        paper_require_clean(Period.financial_year("2015-16"))
    assert refused.value.message == "Case story 2 contains the surname 'Okafor' of a child. Edit the text."


def test_paper_require_clean_lists_every_problem():
    _people()
    _story("Kayden moved.")
    _story("The NHS number 943 476 5919 was checked.", raised_at=london(2015, 11, 3, 10, 0))
    with pytest.raises(TextNotClean) as refused:
        paper_require_clean(Period.financial_year("2015-16"))
    assert refused.value.message == (
        "Case story 1 contains the first name 'Kayden' of a child. "
        "Case story 2 contains an NHS number (943 476 5919). "
        "Edit the texts."
    )
    assert sorted(refused.value.problems) == ["Case story 1", "Case story 2"]


def test_paper_require_clean_says_a_false_positive_may_be_overridden():
    ChildFactory(first_name="May", last_name="Lindqvist")
    _story("May 2015: the plan was agreed.")
    with pytest.raises(TextNotClean, match="ask for an override of a word that is not about a person"):
        paper_require_clean(Period.financial_year("2015-16"))


def test_paper_require_clean_ignores_excluded_stories():
    _people()
    story = _story("The Okafor family were assessed.")
    CaseStory.objects.filter(pk=story.pk).update(include_in_report=False)
    paper_require_clean(Period.financial_year("2015-16"))
    CaseStory.objects.filter(pk=story.pk).update(include_in_report=True)  # the control: included, it blocks
    with pytest.raises(TextNotClean):
        paper_require_clean(Period.financial_year("2015-16"))


def test_paper_require_clean_ignores_other_periods():
    _people()
    _story("The Okafor family were assessed.", raised_at=london(2016, 5, 3, 10, 0))
    paper_require_clean(Period.financial_year("2015-16"))
    with pytest.raises(TextNotClean):  # the control: its own period is blocked
        paper_require_clean(Period.financial_year("2016-17"))


def test_check_blocks_the_allocated_social_workers_name():
    ChildFactory(social_worker="Hollis Abernathy")
    assert [(p.kind, p.term) for p in _problems("Ms Abernathy chased the plan.")] == [(identifiers.NAME, "Abernathy")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is kept only on PostgreSQL")
def test_the_index_is_kept_while_nothing_it_reads_changes_and_read_again_when_anything_does():
    child = ChildFactory(first_name="Zebedee", last_name="Quartermaine")
    with CaptureQueriesContext(connection) as read:
        first = identifier_index()
    with CaptureQueriesContext(connection) as again:
        second = identifier_index()
    assert second.names is first.names  # the kept index, not a new read
    assert len(again) < len(read)
    type(child).objects.filter(pk=child.pk).update(last_name="Fairweather")  # not through any service
    assert [p.term for p in _problems("Seen by Fairweather.")] == ["Fairweather"]
    assert _problems("Seen by Quartermaine.") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the fingerprint is PostgreSQL's")
@pytest.mark.parametrize(
    "change",
    [
        {"date_of_birth": dt.date(2011, 6, 1)},
        {"date_of_birth": None},
        {"case_id": "ZQ99999"},
        {"social_worker": "Hollis Abernathy"},
        {"first_name": "Zebedeo"},
    ],
)
def test_a_change_to_any_value_the_index_reads_changes_the_fingerprint(change):
    child = ChildFactory(first_name="Zebedee", date_of_birth=dt.date(2010, 6, 1), social_worker="")
    before = identifiers.identifiers_fingerprint()
    type(child).objects.filter(pk=child.pk).update(**change)
    assert identifiers.identifiers_fingerprint() != before


def test_an_index_read_afresh_equals_the_kept_one(settings):
    ChildFactory(first_name="Ottoline", last_name="Brackenbury", case_id="OB12345")
    kept = identifier_index()
    identifiers._people_cache = None
    fresh = identifier_index()
    assert (kept.names, kept.full_names, kept.case_ids, kept.dates_of_birth) == (
        fresh.names,
        fresh.full_names,
        fresh.case_ids,
        fresh.dates_of_birth,
    )
