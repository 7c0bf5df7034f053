"""Checking the rows (imports.validation), apart from what the services tests cover."""

import pytest

from imports.parsing import Mapping, Table
from imports.selectors import import_lookups
from imports.validation import row_hash, rows_validate
from tests.factories import ChildFactory, IroFactory
from tests.imports.helpers import HEADER, row

pytestmark = pytest.mark.django_db
NOW_AND_THEN = ["2015-06-01 10:00", "01/06/2015", "2015-06-01T10:00+02:00", "2015-10-25 01:30"]


def _table(rows):
    return Table(headers=HEADER, rows=[(n, [r.get(c, "") for c in HEADER]) for n, r in enumerate(rows, start=2)])


def test_the_row_hash_made_while_checking_is_the_row_hash_of_the_row():
    iro, kids = IroFactory(first_name="Ann", last_name="Lee"), [ChildFactory(case_id="C1"), ChildFactory(case_id="c2")]
    rows = [
        row(
            f"Log-{n}",
            iro,
            kids[: n % 2 + 1],
            raised_at=raised,
            iro="Ann Lee" if n % 2 else iro.username,
            themes="drift;safety:missing",
            drift_reasons="housing;Other",
            first_response_at="2015-11-02",
            resolved_at="2015-11-03 16:00" if n % 2 else "",
            outcome="withdrawn" if n % 2 else "",
            cafcass_referred_at="2015-11-02" if n == 1 else "",
            summary='  Plan  \n late \u00e9 "quoted"',
        )
        for n, raised in enumerate(NOW_AND_THEN)
    ]
    validated = rows_validate(_table(rows), Mapping(), import_lookups())
    assert validated.problems == []
    assert [r.row_hash for r in validated.rows] == [row_hash(r) for r in validated.rows]


def test_a_value_seen_before_is_reported_again_on_every_row_that_has_it():
    iro, child = IroFactory(), ChildFactory()
    rows = [row(f"LOG-{n}", iro, [child], highest_stage="boss", themes="nonsense") for n in range(3)]
    problems = rows_validate(_table(rows), Mapping(), import_lookups()).problems
    assert [(p.row, p.column) for p in problems] == [
        (2, "highest_stage"),
        (2, "themes"),
        (3, "highest_stage"),
        (3, "themes"),
        (4, "highest_stage"),
        (4, "themes"),
    ]
