import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import Child
from extract.models import Allocation, CarePlan, ExtractImportRun, Visit
from extract.selectors import extract_tables_imported
from extract.services import ExtractInvalid, date_parse, extract_import
from people.models import Team
from tests.extract.files import allocation, care_plan, csv_bytes, extract_files, visit
from tests.factories import ChildFactory, TeamFactory

pytestmark = pytest.mark.django_db
D = dt.date
MODELS = [Visit, CarePlan, Allocation]


@pytest.fixture
def child():
    return ChildFactory(case_id="1001", social_worker="", team=None)


def run(files, mapping=None, by=None):
    return extract_import(files=files, mapping_text=mapping, source="test", by=by)


def errors_of(files, mapping=None):
    with pytest.raises(ExtractInvalid) as caught:
        run(files, mapping)
    return caught.value.errors


def stored():
    return {model.__name__: model.objects.count() for model in MODELS}


def history():
    return {model.__name__: model.history.count() for model in MODELS}


# ----------------------------------------------------------------------------- storing


def test_the_three_files_are_stored(child):
    result = run(extract_files(visits=[visit()], care_plans=[care_plan()], allocations=[allocation()]))

    assert stored() == {"Visit": 1, "CarePlan": 1, "Allocation": 1}
    assert {name: c.created for name, c in result.counts.items()} == {"visits": 1, "care_plans": 1, "allocations": 1}
    v = Visit.objects.get()
    assert (v.child, v.date, v.seen, v.seen_alone) == (child, D(2025, 6, 1), True, None)
    plan = CarePlan.objects.get()
    assert (plan.start, plan.end) == (D(2025, 5, 5), None)
    a = Allocation.objects.get()
    assert (a.worker, a.role, a.team, a.start, a.end) == ("Sam Worker", "SW", "Team North", D(2025, 5, 1), None)


def test_every_row_stored_gets_an_audit_row_with_the_reason(child):
    run(extract_files(visits=[visit(), visit(date="2025-07-01")], care_plans=[care_plan()]))

    assert history() == {"Visit": 2, "CarePlan": 1, "Allocation": 0}
    record = Visit.history.order_by("history_id").first()
    assert (record.history_type, record.history_change_reason, record.date) == (
        "+",
        "Case-management extract import",
        D(2025, 6, 1),
    )


def test_importing_the_same_files_again_changes_nothing(child):
    files = extract_files(visits=[visit()], care_plans=[care_plan()], allocations=[allocation()])
    run(files)
    before = (stored(), history(), Child.history.count())

    result = run(files)

    assert (stored(), history(), Child.history.count()) == before
    assert all(c.created == 0 and c.updated == 0 and c.unchanged == 1 for c in result.counts.values())


def test_a_changed_value_updates_the_row_with_an_audit_row(child):
    run(extract_files(care_plans=[care_plan()]))

    result = run(extract_files(care_plans=[care_plan(end="01/01/2026")]))

    assert CarePlan.objects.get().end == D(2026, 1, 1)
    assert result.counts["care_plans"].updated == 1
    assert list(CarePlan.history.values_list("history_type", flat=True).order_by("history_id")) == ["+", "~"]


def test_rows_a_later_extract_does_not_list_are_kept(child):
    run(extract_files(visits=[visit(date="01/06/2025")]))
    run(extract_files(visits=[visit(date="01/07/2025")]))

    assert list(Visit.objects.values_list("date", flat=True)) == [D(2025, 6, 1), D(2025, 7, 1)]


def test_the_import_records_which_tables_it_held(child):
    run(extract_files(visits=[visit()]))
    assert extract_tables_imported() == {"visits"}

    run(extract_files(allocations=[allocation()]))
    assert extract_tables_imported() == {"visits", "allocations"}
    assert ExtractImportRun.objects.count() == 2


def test_an_empty_file_counts_as_imported(child):
    run(extract_files(visits=[]))

    assert extract_tables_imported() == {"visits"}


def test_seen_values_are_read_ignoring_case_and_blank_is_not_recorded(child):
    run(
        extract_files(
            visits=[
                visit(date="01/06/2025", seen="yes", alone="NO"),
                visit(date="02/06/2025", seen="n", alone="Y"),
                visit(date="03/06/2025", seen="", alone=""),
            ]
        )
    )

    assert list(Visit.objects.values_list("seen", "seen_alone")) == [(True, False), (False, True), (None, None)]


def test_both_date_forms_are_read():
    assert date_parse("05/03/2025") == date_parse("2025-03-05") == D(2025, 3, 5)


def test_an_exact_duplicate_row_is_stored_once_with_a_warning(child):
    result = run(extract_files(visits=[visit(), visit()]))

    assert Visit.objects.count() == 1
    assert [str(w) for w in result.warnings] == [
        "visits.csv rows 2 and 3: exact duplicate rows (person_id 1001, visit_date 01/06/2025); stored once"
    ]


def test_the_import_reads_in_a_fixed_number_of_queries(child):
    def queries(rows):
        Visit.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            run(extract_files(visits=rows))
        return len(captured.captured_queries)

    others = [ChildFactory(case_id=f"2{n:03d}") for n in range(30)]
    few = queries([visit()])
    many = queries([visit(person=c.case_id, date=f"{n + 1:02d}/06/2025") for n, c in enumerate(others)])
    assert many == few


# ----------------------------------------------------------------------------- the child's worker and team


def test_the_latest_open_allocation_sets_the_social_worker_and_team(child):
    run(
        extract_files(
            allocations=[
                allocation(worker="Old Worker", start="01/01/2024", end="30/04/2025", team="Team South"),
                allocation(worker="Sam Worker", start="01/05/2025", team="Team North"),
            ]
        )
    )

    child.refresh_from_db()
    assert (child.social_worker, child.team.name) == ("Sam Worker", "Team North")


def test_a_team_is_matched_by_name_ignoring_case(child):
    team = TeamFactory(name="Team North")

    result = run(extract_files(allocations=[allocation(team="TEAM NORTH")]))

    child.refresh_from_db()
    assert child.team == team
    assert result.teams_created == 0
    assert Team.objects.count() == 1


def test_a_new_team_is_created_with_an_audit_row(child):
    result = run(extract_files(allocations=[allocation(team="Looked After 3")]))

    assert result.teams_created == 1
    assert Team.history.filter(name="Looked After 3", history_type="+").count() == 1


def test_a_child_with_no_open_allocation_has_no_social_worker(child):
    child.social_worker = "Someone"
    child.save()

    run(extract_files(allocations=[allocation(end="01/06/2025")]))

    child.refresh_from_db()
    assert child.social_worker == ""


def test_the_childs_change_is_audited_once_and_not_again_on_a_second_import(child):
    files = extract_files(allocations=[allocation()])
    before = child.history.count()
    run(files)
    run(files)

    assert child.history.count() == before + 1


# ----------------------------------------------------------------------------- column names


def test_the_ssd_column_names_are_accepted_and_its_other_columns_left_out(child):
    files = {
        "visits.csv": csv_bytes(
            [
                {
                    "clav_cla_visit_id": "V1",
                    "clav_cla_id": "C1",
                    "clav_person_id": "1001",
                    "clav_cla_visit_date": "2025-06-01",
                    "clav_cla_visit_seen": "Y",
                    "clav_cla_visit_seen_alone": "N",
                }
            ],
            [
                "clav_cla_visit_id",
                "clav_cla_id",
                "clav_person_id",
                "clav_cla_visit_date",
                "clav_cla_visit_seen",
                "clav_cla_visit_seen_alone",
            ],
        ),
        "care_plans.csv": csv_bytes(
            [{"lacp_table_id": "1", "lacp_person_id": "1001", "lacp_cla_care_plan_start_date": "2025-05-05"}],
            ["lacp_table_id", "lacp_person_id", "lacp_cla_care_plan_start_date", "lacp_cla_care_plan_end_date"],
        ),
        "allocations.csv": csv_bytes(
            [
                {
                    "invo_involvements_id": "9",
                    "invo_professional_id": "W42",
                    "invo_professional_role_id": "SW",
                    "invo_professional_team": "Team North",
                    "invo_person_id": "1001",
                    "invo_involvement_start_date": "2025-05-01",
                    "invo_involvement_end_date": "",
                    "invo_worker_change_reason": "",
                }
            ],
            [
                "invo_involvements_id",
                "invo_professional_id",
                "invo_professional_role_id",
                "invo_professional_team",
                "invo_person_id",
                "invo_involvement_start_date",
                "invo_involvement_end_date",
                "invo_worker_change_reason",
            ],
        ),
    }

    run(files)

    assert list(Visit.objects.values_list("date", "seen", "seen_alone")) == [(D(2025, 6, 1), True, False)]
    assert list(CarePlan.objects.values_list("start", flat=True)) == [D(2025, 5, 5)]
    assert list(Allocation.objects.values_list("worker", "team")) == [("W42", "Team North")]


def test_headers_are_matched_ignoring_case_and_file_names_too(child):
    files = {"VISITS.CSV": b"Person_ID,VISIT_DATE\n1001,01/06/2025\n"}

    run(files)

    assert Visit.objects.count() == 1


def test_a_mapping_file_maps_local_names_and_words(child):
    files = {
        "visits.csv": b"Client ID,Date of visit,Seen?,Case note\n1001,01/06/2025,Seen,x\n",
        "care_plans.csv": b"Client ID,Date,Ended\n1001,05/05/2025,\n",
    }
    mapping = """
columns:
  Client ID: person_id
  Seen?: child_seen
  Case note: ignore
values:
  child_seen: {Seen: Y, Not seen: N}
visits.csv:
  columns:
    Date of visit: visit_date
care_plans.csv:
  columns:
    Date: plan_start
    Ended: plan_end
"""
    run(files, mapping)

    assert list(Visit.objects.values_list("date", "seen")) == [(D(2025, 6, 1), True)]
    assert list(CarePlan.objects.values_list("start", flat=True)) == [D(2025, 5, 5)]


def test_an_unknown_header_is_an_error_naming_the_file_and_column(child):
    files = {"visits.csv": b"person_id,visit_date,seen_alone\n1001,01/06/2025,Y\n"}

    assert errors_of(files) == [
        "visits.csv: Row 1, column C: unknown header 'seen_alone'. Use one of person_id, visit_date, child_seen, "
        "child_seen_alone, or map it (or set it to 'ignore') in a mapping file."
    ]


def test_a_missing_required_column_is_an_error(child):
    files = {"care_plans.csv": b"person_id,plan_end\n1001,01/06/2025\n"}

    assert errors_of(files) == ["care_plans.csv: Row 1: the required column 'plan_start' is missing."]


def test_a_mapping_to_a_column_of_another_file_is_an_error(child):
    files = {"care_plans.csv": b"person_id,Start\n1001,01/06/2025\n"}

    assert errors_of(files, "columns:\n  Start: visit_date\n") == [
        "care_plans.csv: Row 1, column B: the header 'Start' maps to 'visit_date', which is not a column of this "
        "file (person_id, plan_start, plan_end).",
        "care_plans.csv: Row 1: the required column 'plan_start' is missing.",
    ]


def test_a_bad_mapping_file_is_an_error(child):
    assert errors_of(extract_files(visits=[visit()]), "columns:\n  Start: when\n") == [
        "Mapping file, columns: 'Start' maps to 'when', which is not a column (person_id, visit_date, child_seen, "
        "child_seen_alone, plan_start, plan_end, worker, role, team, start, end) or 'ignore'."
    ]


def test_a_mapping_file_with_an_unknown_section_is_an_error(child):
    assert errors_of(extract_files(visits=[visit()]), "visit.csv:\n  columns: {}\n") == [
        "The mapping file should hold only 'columns:', 'values:' and sections for visits.csv, care_plans.csv, "
        "allocations.csv."
    ]


# ----------------------------------------------------------------------------- errors: nothing stored


def test_a_bad_date_is_an_error_naming_file_row_and_column_and_nothing_is_stored(child):
    files = extract_files(
        visits=[visit(), visit(date="31/02/2025"), visit(date="June 3rd")],
        care_plans=[care_plan()],
    )

    assert errors_of(files) == [
        "visits.csv row 3, column visit_date: '31/02/2025' is not a real date",
        "visits.csv row 4, column visit_date: 'June 3rd' is not a date: write it as dd/mm/YYYY or YYYY-MM-DD",
    ]
    assert stored() == {"Visit": 0, "CarePlan": 0, "Allocation": 0}
    assert ExtractImportRun.objects.count() == 0


def test_a_blank_required_value_is_an_error(child):
    assert errors_of(extract_files(allocations=[allocation(worker="")])) == [
        "allocations.csv row 2, column worker: is blank; a value is required"
    ]


def test_an_unknown_child_is_an_error_on_every_row(child):
    files = extract_files(visits=[visit(person="9999"), visit(person="9999", date="02/06/2025")])

    assert errors_of(files) == [
        "visits.csv row 2, column person_id: '9999' is not a child known here (import their 903 return first)",
        "visits.csv row 3, column person_id: '9999' is not a child known here (import their 903 return first)",
    ]


def test_a_bad_seen_value_is_an_error(child):
    assert errors_of(extract_files(visits=[visit(seen="maybe")])) == [
        "visits.csv row 2, column child_seen: 'maybe' is not Y, Yes, N or No (leave it blank when not recorded)"
    ]


def test_an_end_before_the_start_is_an_error(child):
    assert errors_of(extract_files(allocations=[allocation(start="01/05/2025", end="30/04/2025")])) == [
        "allocations.csv row 2, column end: 30/04/2025 is before start 01/05/2025"
    ]


def test_a_key_repeated_with_different_values_is_an_error_naming_both_rows(child):
    files = extract_files(care_plans=[care_plan(end=""), care_plan(end="01/01/2026")])

    assert errors_of(files) == [
        "care_plans.csv rows 2 and 3: person_id 1001, plan_start 05/05/2025 is repeated with different values; "
        "keep one row for it"
    ]


def test_a_value_too_long_is_an_error(child):
    assert errors_of(extract_files(allocations=[allocation(role="x" * 101)])) == [
        f"allocations.csv row 2, column role: '{'x' * 101}' is longer than 100 characters"
    ]


def test_a_file_that_is_not_utf8_is_an_error(child):
    assert errors_of({"visits.csv": "person_id,visit_date\n1001,01/06/2025\nQuévert,\n".encode("cp1252")}) == [
        "visits.csv: The file is not UTF-8: byte 0xE9 on line 3 cannot be read. Save it as 'CSV UTF-8', or give its "
        "encoding with --encoding (for example --encoding cp1252 for a file saved by older Excel on Windows)."
    ]


def test_no_extract_file_is_an_error(child):
    assert errors_of({"other.csv": b"a\n"}) == ["There is no visits.csv, care_plans.csv or allocations.csv to import."]


def test_every_error_of_every_file_is_listed_at_once(child):
    files = extract_files(
        visits=[visit(date="")],
        allocations=[allocation(person="4242", start="bad")],
    )

    assert errors_of(files) == [
        "visits.csv row 2, column visit_date: is blank; a value is required",
        "allocations.csv row 2, column person_id: '4242' is not a child known here (import their 903 return first)",
        "allocations.csv row 2, column start: 'bad' is not a date: write it as dd/mm/YYYY or YYYY-MM-DD",
    ]
