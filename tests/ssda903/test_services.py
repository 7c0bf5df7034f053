import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import Child
from ssda903.models import Episode, HeaderRecord, ImportRun, MissingEpisode, Review, UascRecord
from ssda903.services import ReturnInvalid, ssda903_import
from tests.factories import ChildFactory
from tests.ssda903.returns import SHARED_RETURN, episode, header, missing, review, write_return

pytestmark = pytest.mark.django_db
D = dt.date

AUDITED = [Child, HeaderRecord, Episode, Review, MissingEpisode, UascRecord]


def stored_counts():
    return {model.__name__: model.objects.count() for model in AUDITED}


def history_counts():
    return {model.__name__: model.history.count() for model in AUDITED}


def warning_texts(result):
    return [str(warning) for warning in result.warnings]


def import_errors(directory):
    with pytest.raises(ReturnInvalid) as caught:
        ssda903_import(directory=directory)
    return [str(error) for error in caught.value.errors]


# ----------------------------------------------------------------------------- the shared return


def test_the_shared_return_imports_with_the_expected_counts():
    ssda903_import(directory=SHARED_RETURN, year="2017-18")

    assert stored_counts() == {
        "Child": 2675,
        "HeaderRecord": 2675,
        "Episode": 5050,
        "Review": 12568,
        "MissingEpisode": 43,
        "UascRecord": 132,
    }


def test_importing_the_shared_return_again_changes_nothing():
    ssda903_import(directory=SHARED_RETURN)
    before = (stored_counts(), history_counts())

    result = ssda903_import(directory=SHARED_RETURN)

    assert (stored_counts(), history_counts()) == before
    assert all(c.created == 0 and c.updated == 0 for c in result.counts.values())


def test_the_shared_returns_repeated_reviews_are_named_in_the_warnings():
    warnings = warning_texts(ssda903_import(directory=SHARED_RETURN))

    assert "Reviews rows 9825 and 9826: exact duplicate rows (CHILD 844067, REVIEW 28/01/2020); stored once" in warnings
    assert (
        "Reviews rows 12073 and 12074: exact duplicate rows (CHILD 11485, REVIEW 17/07/2016); stored once" in warnings
    )
    assert len([w for w in warnings if w.startswith("Reviews rows") and "repeated with different values" in w]) == 12


def test_the_shared_return_sets_the_childs_legal_status_and_period_from_the_episodes():
    ssda903_import(directory=SHARED_RETURN)

    child = Child.objects.get(case_id="566910")
    assert (child.legal_status, child.looked_after_from, child.looked_after_to) == ("C2", D(2016, 2, 15), None)


# ----------------------------------------------------------------------------- children


def test_new_children_are_created_without_names_and_marked_to_complete(tmp_path):
    ssda903_import(directory=write_return(tmp_path, header=[header("1001", SEX="2", DOB="03/04/2009")]))

    child = Child.objects.get(case_id="1001")
    assert (child.first_name, child.sex, child.date_of_birth, child.details_to_complete) == (
        "",
        "2",
        D(2009, 4, 3),
        True,
    )


def test_a_known_child_gets_sex_and_date_of_birth_updated_and_keeps_their_name(tmp_path):
    ChildFactory(case_id="1001", first_name="Amy", sex="2", date_of_birth=D(2010, 1, 1))

    result = ssda903_import(directory=write_return(tmp_path, header=[header("1001", SEX="1", DOB="01/02/2010")]))

    child = Child.objects.get(case_id="1001")
    assert (child.first_name, child.sex, child.date_of_birth, child.details_to_complete) == (
        "Amy",
        "1",
        D(2010, 2, 1),
        False,
    )
    assert result.counts["Children"].updated == 1


def test_a_child_in_the_header_with_no_episodes_is_a_warning(tmp_path):
    result = ssda903_import(directory=write_return(tmp_path, header=[header("1001")], episodes=[]))

    assert warning_texts(result) == ["Header row 2, column CHILD: child 1001 has no episodes"]


# ----------------------------------------------------------------------------- errors


def test_a_bad_legal_status_is_an_error_naming_table_row_and_column_and_nothing_is_stored(tmp_path):
    directory = write_return(
        tmp_path, header=[header("1001")], episodes=[episode("1001"), episode("1001", "01/05/2017", LS="Z9")]
    )

    errors = import_errors(directory)

    assert errors == ["Episodes row 3, column LS: 'Z9' is not a legal status code in the 903 code list"]
    assert stored_counts() == dict.fromkeys(stored_counts(), 0)
    assert ImportRun.objects.count() == 0


def test_an_unparseable_date_is_an_error(tmp_path):
    directory = write_return(tmp_path, header=[header("1001", DOB="31/02/2010")])

    assert import_errors(directory) == ["Header row 2, column DOB: '31/02/2010' is not a date in the form dd/mm/YYYY"]


def test_a_date_in_another_format_is_an_error(tmp_path):
    directory = write_return(tmp_path, header=[header("1001")], episodes=[episode("1001", "2017-04-01")])

    assert import_errors(directory) == [
        "Episodes row 2, column DECOM: '2017-04-01' is not a date in the form dd/mm/YYYY"
    ]


def test_a_child_not_in_the_header_is_an_error(tmp_path):
    directory = write_return(tmp_path, header=[header("1001")], episodes=[episode("1001"), episode("2002")])

    assert import_errors(directory) == ["Episodes row 3, column CHILD: '2002' is not in the Header"]
    assert Child.objects.count() == 0


def test_review_participation_pn9_is_an_error(tmp_path):
    directory = write_return(tmp_path, header=[header("1001")], reviews=[review(code="PN9")])

    assert import_errors(directory) == [
        "Reviews row 2, column REVIEW_CODE: 'PN9' is not a review participation code in the 903 code list"
    ]


def test_missing_code_x_is_an_error(tmp_path):
    directory = write_return(tmp_path, header=[header("1001")], missing=[missing(kind="X")])

    assert import_errors(directory) == [
        "Missing row 2, column MISSING: 'X' is not a missing (M) or away (A) code in the 903 code list"
    ]


def test_an_episode_ending_before_it_starts_is_an_error(tmp_path):
    directory = write_return(
        tmp_path, header=[header("1001")], episodes=[episode("1001", "01/04/2017", DEC="01/03/2017", REC="E8")]
    )

    assert import_errors(directory) == ["Episodes row 2, column DEC: 01/03/2017 is before DECOM 01/04/2017"]


def test_every_error_is_reported_at_once(tmp_path):
    directory = write_return(
        tmp_path,
        header=[header("1001", SEX="3")],
        episodes=[episode("1001", PLACE="Q1", REC="E99", DEC="05/05/2017")],
    )

    assert import_errors(directory) == [
        "Header row 2, column SEX: '3' is not a sex code in the 903 code list",
        "Episodes row 2, column PLACE: 'Q1' is not a placement type code in the 903 code list",
        "Episodes row 2, column REC: 'E99' is not a reason episode ceased code in the 903 code list",
    ]


def test_a_missing_header_file_is_an_error(tmp_path):
    directory = write_return(tmp_path, episodes=[episode("1001")])

    assert import_errors(directory) == [f"Header row 1: header.csv was not found in {directory}"]


def test_a_missing_column_is_an_error(tmp_path):
    directory = write_return(tmp_path, header=[header("1001")])
    (directory / "reviews.csv").write_text("CHILD,DOB,REVIEW\n1001,01/02/2010,01/06/2017\n")

    assert import_errors(directory) == ["Reviews row 1, column REVIEW_CODE: the column is missing"]


# ----------------------------------------------------------------------------- warnings


def test_an_open_episode_with_reason_ended_x1_is_imported_with_a_warning(tmp_path):
    result = ssda903_import(directory=write_return(tmp_path, header=[header("1001")], episodes=[episode(REC="X1")]))

    assert warning_texts(result) == ["Episodes row 2, column REC: the episode is open (no DEC) but has reason ended X1"]
    assert Episode.objects.get().reason_ended == "X1"


def test_two_open_episodes_for_one_child_is_a_warning(tmp_path):
    directory = write_return(
        tmp_path, header=[header("1001")], episodes=[episode("1001", "01/04/2017"), episode("1001", "01/05/2017")]
    )

    assert warning_texts(ssda903_import(directory=directory)) == [
        "Episodes rows 2 and 3, column DEC: child 1001 has 2 open episodes"
    ]


def test_a_key_repeated_with_different_values_keeps_the_last_row_and_names_the_rows(tmp_path):
    directory = write_return(
        tmp_path,
        header=[header("1001")],
        reviews=[review(code="PN1"), review(date="01/09/2017"), review(code="PN4")],
    )

    result = ssda903_import(directory=directory)

    assert warning_texts(result) == [
        "Reviews rows 2 and 4: CHILD 1001, REVIEW 01/06/2017 is repeated with different values; the last row "
        "(4) is kept"
    ]
    assert Review.objects.get(date=D(2017, 6, 1)).participation == "PN4"


def test_exact_duplicate_rows_are_stored_once_with_a_warning(tmp_path):
    directory = write_return(tmp_path, header=[header("1001")], missing=[missing(), missing()])

    result = ssda903_import(directory=directory)

    assert warning_texts(result) == [
        "Missing rows 2 and 3: exact duplicate rows (CHILD 1001, MIS_START 03/05/2017); stored once"
    ]
    assert MissingEpisode.objects.count() == 1


# ----------------------------------------------------------------------------- a later year


def test_a_later_year_closes_an_open_episode_adds_new_ones_and_keeps_rows_it_does_not_mention(tmp_path):
    ssda903_import(
        directory=write_return(
            tmp_path / "2017",
            header=[header("1001")],
            episodes=[episode("1001", "01/04/2016", DEC="01/04/2017", REC="X1"), episode("1001", "01/04/2017")],
            reviews=[review(date="01/06/2017")],
        ),
        year="2017-18",
    )
    later = write_return(
        tmp_path / "2018",
        header=[header("1001")],
        episodes=[
            episode("1001", "01/04/2017", DEC="10/10/2018", REC="X1"),
            episode("1001", "10/10/2018", LS="E1", DEC="01/01/2019", REC="E11"),
        ],
        reviews=[review(date="01/12/2018")],
    )

    result = ssda903_import(directory=later, year="2018-19")

    assert list(Episode.objects.values_list("start", "end", "legal_status")) == [
        (D(2016, 4, 1), D(2017, 4, 1), "C2"),
        (D(2017, 4, 1), D(2018, 10, 10), "C2"),
        (D(2018, 10, 10), D(2019, 1, 1), "E1"),
    ]
    assert Review.objects.count() == 2
    assert result.counts["Episodes"].as_dict() == {"created": 1, "updated": 1, "unchanged": 0}


def test_a_later_year_updates_the_childs_legal_status_and_period(tmp_path):
    ssda903_import(directory=write_return(tmp_path / "2017", header=[header("1001")], episodes=[episode("1001")]))
    later = write_return(
        tmp_path / "2018",
        header=[header("1001")],
        episodes=[episode("1001", "01/04/2018", LS="E1", DEC="01/01/2019", REC="E11")],
    )

    ssda903_import(directory=later)

    child = Child.objects.get(case_id="1001")
    assert (child.legal_status, child.looked_after_from, child.looked_after_to) == ("E1", D(2017, 4, 1), D(2019, 1, 1))


def test_an_import_is_recorded_with_its_year_counts_and_warnings(tmp_path):
    ssda903_import(
        directory=write_return(tmp_path, header=[header("1001")], episodes=[episode(REC="X1")]), year="2017-18"
    )

    run = ImportRun.objects.get()
    assert (run.year, run.counts["Episodes"], len(run.warnings)) == (
        "2017-18",
        {"created": 1, "updated": 0, "unchanged": 0},
        1,
    )


def test_file_names_are_matched_whatever_their_case(tmp_path):
    directory = write_return(tmp_path, header=[header("1001")])
    (directory / "header.csv").rename(directory / "Header.CSV")

    ssda903_import(directory=directory)

    assert Child.objects.filter(case_id="1001").exists()


def test_the_number_of_queries_does_not_grow_with_the_number_of_rows(tmp_path):
    def a_return(directory, children):
        ids = [f"{directory.name}{n}" for n in range(children)]
        return write_return(
            directory,
            header=[header(i) for i in ids],
            episodes=[episode(i) for i in ids],
            reviews=[review(i) for i in ids],
            missing=[missing(i) for i in ids],
        )

    with CaptureQueriesContext(connection) as small:
        ssda903_import(directory=a_return(tmp_path / "small", 3))
    with CaptureQueriesContext(connection) as large:
        ssda903_import(directory=a_return(tmp_path / "large", 30))

    assert len(large.captured_queries) == len(small.captured_queries)


def test_uasc_is_stored_and_a_date_of_birth_differing_from_the_header_is_a_warning(tmp_path):
    uasc_row = {"CHILD": "1001", "SEX": "1", "DOB": "02/02/2010", "DUC": "01/02/2028"}
    directory = write_return(tmp_path, header=[header("1001")], episodes=[episode()], uasc=[uasc_row])

    result = ssda903_import(directory=directory)

    assert warning_texts(result) == ["UASC row 2, column DOB: differs from the Header (row 2)"]
    assert UascRecord.objects.get().ceased == D(2028, 2, 1)
