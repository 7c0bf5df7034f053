"""The import_escalations command: arguments, output and exit status."""

import datetime as dt
from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from escalations.models import Escalation
from tests.factories import ChildFactory, IroFactory, london
from tests.imports.helpers import log_csv, row

pytestmark = pytest.mark.django_db


def _run(path, *args):

    out = StringIO()
    call_command("import_escalations", str(path), "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_counts(tmp_path):
    iro, child = IroFactory(), ChildFactory()
    (tmp_path / "log.csv").write_bytes(log_csv([row("LOG-1", iro, [child]), row("LOG-2", iro, [child])]))
    _run(tmp_path / "log.csv")
    assert _run(tmp_path / "log.csv").startswith("2 rows: 0 created, 0 updated, 2 unchanged.")


def test_bad_rows_fail_with_every_problem(tmp_path):
    iro, child = IroFactory(), ChildFactory()
    (tmp_path / "log.csv").write_bytes(
        log_csv([row("LOG-1", iro, [child], raised_at="soon"), row("LOG-2", iro, [child], highest_stage="x")])
    )
    with pytest.raises(CommandError) as caught:
        _run(tmp_path / "log.csv")
    assert "Row 2, column raised_at" in str(caught.value) and "Row 3, column highest_stage" in str(caught.value)
    assert Escalation.objects.count() == 0


def test_a_cp1252_file_needs_the_encoding_option(tmp_path):
    iro, child = IroFactory(), ChildFactory()
    (tmp_path / "log.csv").write_bytes(
        log_csv([row("LOG-1", iro, [child], summary="Costs \u00a3200, caf\u00e9")]).decode().encode("cp1252")
    )
    with pytest.raises(CommandError, match="--encoding"):
        _run(tmp_path / "log.csv")
    _run(tmp_path / "log.csv", "--encoding", "cp1252")
    assert Escalation.objects.get().concern == "Costs \u00a3200, caf\u00e9"


def test_an_unknown_user_is_refused(tmp_path):
    (tmp_path / "log.csv").write_bytes(log_csv([]))
    with pytest.raises(CommandError, match="no user with the username 'nobody'"):
        _run(tmp_path / "log.csv", "--user", "nobody")


def test_a_dry_run_prints_what_would_be_created(tmp_path):
    iro = IroFactory()
    (tmp_path / "log.csv").write_bytes(log_csv([row("LOG-1", iro, [], children="555")]))
    out = _run(tmp_path / "log.csv", "--dry-run", "--create-missing")
    assert "1 would be created" in out and "1 children would be created (details to complete): 555" in out
    assert Escalation.objects.count() == 0


def test_a_mapping_file_maps_headings_and_words(tmp_path):
    iro, child = IroFactory(), ChildFactory()
    header = ["Ref", "Date raised", "IRO", "Child ID(s)", "Escalated to", "Themes", "Notes"]
    (tmp_path / "log.csv").write_bytes(
        log_csv(
            [
                {
                    "Ref": "LOG-1",
                    "Date raised": "01/06/2015 10:00",
                    "IRO": iro.username,
                    "Child ID(s)": child.case_id,
                    "Escalated to": "HoS",
                    "Themes": "Care plan late on Mosaic",
                    "Notes": "ignored",
                }
            ],
            header=header,
        )
    )
    (tmp_path / "map.yaml").write_text(
        'columns:\n  "Ref": reference\n  "Date raised": raised_at\n  "Child ID(s)": children\n'
        '  "Escalated to": highest_stage\n  "Notes": ignore\n'
        'values:\n  themes:\n    "Care plan late on Mosaic": care_plan_not_on_system\n'
        '  highest_stage:\n    "HoS": head_of_service\n'
    )
    _run(tmp_path / "log.csv", "--mapping", str(tmp_path / "map.yaml"))
    e = Escalation.objects.get()
    assert (e.highest_stage.code, [t.code for t in e.themes.all()], e.raised_at) == (
        "head_of_service",
        ["care_plan_not_on_system"],
        london(2015, 6, 1, 10, 0),
    )


def test_an_xlsx_log_with_excel_dates_and_float_ids(tmp_path):
    iro = IroFactory()
    ChildFactory(case_id="123")
    book = openpyxl.Workbook()
    book.active.title = "Other"
    sheet = book.create_sheet("Log")
    sheet.append(["reference", "raised_at", "iro", "children", "highest_stage", "first_response_at", "summary"])
    sheet.append(
        [
            "LOG-1",
            dt.datetime(2015, 6, 1),
            iro.username,
            123.0,
            "team_manager",
            dt.datetime(2015, 6, 2, 9, 30),
            '="Plan "&"late"',
        ]
    )
    book.save(tmp_path / "log.xlsx")
    _run(tmp_path / "log.xlsx", "--sheet", "Log")
    e = Escalation.objects.get()
    assert (
        [c.case_id for c in e.children.all()],
        e.raised_at,
        e.raised_date_only,
        e.first_response_at,
        e.first_response_date_only,
    ) == (["123"], london(2015, 6, 1, 0, 0), True, london(2015, 6, 2, 9, 30), False)
    assert e.concern != '="Plan "&"late"'  # a formula is read by its (cached) value, never as text


def test_an_unknown_sheet_lists_the_sheets(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Log"
    book.save(tmp_path / "log.xlsx")
    with pytest.raises(CommandError, match="The sheets are: 'Log'"):
        _run(tmp_path / "log.xlsx", "--sheet", "2016")
