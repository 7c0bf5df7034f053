"""Reading a log: files, row numbers, headers, lists, IDs and dates (no database)."""

import datetime as dt
import io

import openpyxl
import pytest

from bench.xlsx_bomb_bench import bomb_build, bomb_refuse
from imports.parsing import (
    FileProblem,
    Mapping,
    headers_resolve,
    id_normalise,
    list_split,
    mapping_load,
    moment_parse,
    table_read,
)

HEADERS = ["reference", "raised_at", "iro", "children", "highest_stage"]


def _utc(moment):
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def test_a_bom_is_ignored():
    table = table_read("\ufeffreference,raised_at\r\nA,2015-01-01\r\n".encode(), filename="log.csv")
    assert table.headers == ["reference", "raised_at"]


def test_a_cp1252_file_is_refused_with_a_message_naming_encoding():
    data = "reference,summary\r\nA,Costs \u00a3200 for caf\u00e9\r\n".encode("cp1252")
    with pytest.raises(FileProblem, match="--encoding"):
        table_read(data, filename="log.csv")


def test_the_encoding_option_reads_a_cp1252_file():
    data = "reference,summary\r\nA,Costs \u00a3200 for caf\u00e9\r\n".encode("cp1252")
    table = table_read(data, filename="log.csv", encoding="cp1252")
    assert table.rows == [(2, ["A", "Costs \u00a3200 for caf\u00e9"])]


def test_blank_rows_are_skipped_but_keep_their_numbers():
    table = table_read(b"reference\r\nA\r\n\r\n,\r\nB\r\n", filename="log.csv")
    assert [number for number, _ in table.rows] == [2, 5]


def test_a_quoted_cell_over_several_lines_is_one_row():
    table = table_read(b'reference,summary\r\nA,"one\r\ntwo\r\nthree"\r\nB,x\r\n', filename="log.csv")
    assert [number for number, _ in table.rows] == [2, 3]


def test_an_unknown_sheet_is_refused_with_the_sheet_names(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Log 2016"
    book.save(tmp_path / "log.xlsx")
    with pytest.raises(FileProblem, match="'Log 2016'"):
        table_read((tmp_path / "log.xlsx").read_bytes(), filename="log.xlsx", sheet="Log")


def test_xlsx_cells_keep_their_types_and_formulas_give_values(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["reference", "raised_at", "children"])
    sheet.append(["A", dt.datetime(2015, 6, 1), 123.0])
    sheet["D2"] = "=1+1"
    book.save(tmp_path / "log.xlsx")
    # openpyxl writes no cached value for a formula; a spreadsheet program would. data_only=True
    # reads the cached value, so the formula text itself never reaches the import.
    table = table_read((tmp_path / "log.xlsx").read_bytes(), filename="log.xlsx")
    assert table.rows[0][1][:3] == ["A", dt.datetime(2015, 6, 1), 123]
    assert table.rows[0][1][3] != "=1+1"


def test_headers_match_whatever_their_case_and_spaces():
    positions = headers_resolve([" Reference ", "RAISED_AT", "iro", "Children", "highest_stage"], Mapping())
    assert positions["reference"] == 0 and positions["raised_at"] == 1


def test_a_duplicate_header_is_refused():
    with pytest.raises(FileProblem, match="appears twice"):
        headers_resolve(HEADERS + ["Reference"], Mapping())


def test_an_unknown_header_is_refused():
    with pytest.raises(FileProblem, match="unknown header 'Notes'"):
        headers_resolve(HEADERS + ["Notes"], Mapping())


def test_the_mapping_can_ignore_a_header():
    positions = headers_resolve(HEADERS + ["Notes"], mapping_load("columns:\n  notes: ignore\n"))
    assert "Notes" not in positions and len(positions) == 5


def test_a_missing_required_column_is_refused():
    with pytest.raises(FileProblem, match="required column 'children' is missing"):
        headers_resolve(["reference", "raised_at", "iro", "highest_stage"], Mapping())


def test_the_mapping_refuses_an_unknown_target_column():
    with pytest.raises(FileProblem, match="not a column"):
        mapping_load("columns:\n  Date raised: raised_on\n")


def test_lists_are_trimmed_without_empties_or_repeats():
    assert list_split(" safety ; ;drift;SAFETY;") == ["safety", "drift"]


def test_an_excel_float_id_is_a_whole_number():
    assert id_normalise("123.0") == "123"


@pytest.mark.parametrize(
    "text, expected_utc, date_only",
    [
        ("2015-06-01", dt.datetime(2015, 5, 31, 23, 0), True),
        ("2015-06-01 10:30", dt.datetime(2015, 6, 1, 9, 30), False),
        ("2015-06-01 10:30:15", dt.datetime(2015, 6, 1, 9, 30, 15), False),
        ("2015-06-01T10:30+02:00", dt.datetime(2015, 6, 1, 8, 30), False),
        ("2015-12-01T10:30:00-01:00", dt.datetime(2015, 12, 1, 11, 30), False),
        ("01/06/2015", dt.datetime(2015, 5, 31, 23, 0), True),
        ("01/12/2015 10:30", dt.datetime(2015, 12, 1, 10, 30), False),
    ],
)
def test_each_accepted_date_form(text, expected_utc, date_only):
    moment, alone = moment_parse(text)
    assert (_utc(moment), alone) == (expected_utc, date_only)


@pytest.mark.parametrize("text", ["2015/06/01", "1 June 2015", "31/02/2015", "2015-06-01 25:00"])
def test_other_forms_are_refused(text):
    with pytest.raises(ValueError):
        moment_parse(text)


def test_the_repeated_autumn_hour_is_its_first_occurrence():
    moment, _ = moment_parse("2015-10-25 01:30")
    assert _utc(moment) == dt.datetime(2015, 10, 25, 0, 30)  # BST, not GMT


def test_the_missing_spring_hour_is_refused():
    with pytest.raises(ValueError, match="clocks skip"):
        moment_parse("2016-03-27 01:30")


def test_an_excel_date_cell_is_a_date_alone():
    moment, alone = moment_parse(dt.datetime(2015, 6, 1))
    assert (_utc(moment), alone) == (dt.datetime(2015, 5, 31, 23, 0), True)


# --- issue 16: a workbook is checked before openpyxl reads it ----------------------------------------


def test_a_workbook_bomb_is_refused_at_once_without_unpacking_it():
    data = bomb_build(64 * 1024 * 1024)  # 64 MB of whitespace in a file of about 64 KB
    seconds, peak_mb, _, message = bomb_refuse(data)
    assert message.startswith("The workbook's part xl/worksheets/sheet1.xml unpacks to 64 MB from ")
    assert seconds < 1 and peak_mb < 20


def test_a_workbook_unpacking_to_more_than_the_limit_is_refused(settings):
    settings.XLSX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    with pytest.raises(FileProblem, match=r"The workbook unpacks to 2 MB, more than the 1 MB allowed"):
        table_read(bomb_build(2 * 1024 * 1024), filename="log.xlsx")


def test_a_row_of_too_many_cells_is_refused_before_openpyxl_builds_it(settings):
    settings.XLSX_MAX_RATIO = 10_000  # let the file through the ratio check, to the count of cells
    book = openpyxl.Workbook()
    book.active.append(["reference"] + [f"v{n}" for n in range(10_000)])
    out = io.BytesIO()
    book.save(out)
    seconds, peak_mb, _, message = bomb_refuse(out.getvalue())
    assert message == (
        "Row 1 of the workbook's sheet1 has more than 100 cells. An escalation log has one column for each "
        "field: delete the cells beyond them."
    )
    assert peak_mb < 20


def test_a_file_that_is_not_a_zip_but_starts_like_one_is_refused():
    with pytest.raises(FileProblem, match="The file is not an Excel workbook"):
        table_read(b"PK\x03\x04 not really", filename="log.xlsx")
