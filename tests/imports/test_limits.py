"""Issue 16: what once crashed the import (a database error or a CSV error) is now refused with a
message naming the row and the column, and nothing is stored."""

import pytest

from escalations.models import Escalation
from imports.parsing import MAX_COLUMNS, FileProblem
from imports.services import ImportRejected
from tests.factories import ChildFactory, IroFactory
from tests.imports.helpers import HEADER, import_log, log_csv, row

pytestmark = pytest.mark.django_db


def _problems(data, **options):
    with pytest.raises(ImportRejected) as caught:
        import_log(data, **options)
    return [str(problem) for problem in caught.value.problems]


def test_a_nul_in_a_reference_is_refused_naming_the_row_and_column():
    iro = IroFactory()
    problems = _problems(log_csv([row("LOG\x00-1", iro, [ChildFactory(iro=iro)])]))
    assert problems == [
        "Row 2, column reference: contains a NUL character at character 4, which cannot be stored (value 'LOG\\x00-1')"
    ]
    assert not Escalation.objects.exists()


def test_a_nul_in_a_summary_is_refused_but_line_breaks_are_kept():
    iro = IroFactory()
    kids = [ChildFactory(iro=iro), ChildFactory(iro=iro)]
    problems = _problems(
        log_csv(
            [row("LOG-1", iro, kids[:1], summary="Two\nlines\tfine"), row("LOG-2", iro, kids[1:], summary="a\x00b")]
        )
    )
    assert problems == [
        "Row 3, column summary: contains a NUL character at character 2, which cannot be stored (value 'a\\x00b')"
    ]


def test_a_line_break_in_a_one_line_column_is_refused():
    iro = IroFactory()
    problems = _problems(log_csv([row("LOG-1", iro, [ChildFactory(iro=iro)], highest_stage="team\x0bmanager")]))
    assert problems == [
        "Row 2, column highest_stage: contains a control character (U+000B) at character 5, which cannot be "
        "stored (value 'team\\x0bmanager')"
    ]


def test_a_child_id_over_40_characters_is_refused_even_when_creating_missing_children():
    iro = IroFactory()
    long_id = "C" * 41
    problems = _problems(log_csv([row("LOG-1", iro, [], children=long_id)]), create_missing=True)
    assert problems == [f"Row 2, column children: a child ID can have at most 40 characters (value '{long_id}')"]


def test_an_iro_name_over_150_characters_is_refused_even_when_creating_missing_iros():
    child = ChildFactory()
    name = "Ann " + "B" * 150
    problems = _problems(log_csv([{**row("LOG-1", child.iro, [child]), "iro": name}]), create_missing=True)
    assert problems == [f"Row 2, column iro: a username or full name can have at most 150 characters (value '{name}')"]


def test_a_summary_over_10000_characters_is_refused():
    iro = IroFactory()
    problems = _problems(log_csv([row("LOG-1", iro, [ChildFactory(iro=iro)], summary="x" * 10_001)]))
    assert problems == ["Row 2, column summary: has 10,001 characters: it can have at most 10,000"]


def test_an_unclosed_quote_in_the_header_row_names_the_row_and_the_likely_cause():
    iro = IroFactory()
    data = b'"reference,raised_at' + log_csv([row(f"LOG-{n}", iro, [], summary="x" * 500) for n in range(400)])
    with pytest.raises(FileProblem) as caught:
        import_log(data)
    assert str(caught.value) == (
        'Row 1: a cell is longer than 131,072 characters. This is usually a quote (") that is opened and never '
        "closed: check the row, or save the file again as CSV."
    )


def test_a_row_wider_than_the_limit_is_refused():
    iro = IroFactory()
    data = log_csv([row("LOG-1", iro, [ChildFactory(iro=iro)])], header=HEADER + [""] * MAX_COLUMNS)
    with pytest.raises(FileProblem, match=r"Row 1 has 112 cells, more than the 100 a log may have"):
        import_log(data)
