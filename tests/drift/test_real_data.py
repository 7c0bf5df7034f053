"""The shared synthetic 903 return (tests/data/ssda903-fake) with an extract made up for it
(tests/drift/fake_extract.py), judged as of 31 January 2018, in the return's year.

The five children below were worked out by hand from their rows (the comments give the working)."""

import io
import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction

from extract.services import extract_import
from ssda903.services import ssda903_import
from tests.drift.fake_extract import write_fake_extract
from tests.ssda903.returns import SHARED_RETURN

pytestmark = pytest.mark.django_db
AS_OF = "2018-01-31"


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker, tmp_path_factory):
    """The return and its extract imported once for this module, in a transaction rolled back after
    its last test (each test runs in a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        ssda903_import(directory=SHARED_RETURN, year="2017-18")
        extract = write_fake_extract(tmp_path_factory.mktemp("extract"))
        result = extract_import(files={p.name: p.read_bytes() for p in extract.iterdir()}, source=str(extract))
        yield result
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def document(imported, django_db_blocker):
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command("drift_watch", "--as-of", AS_OF, stdout=out)
        return json.loads(out.getvalue())


@pytest.fixture
def flags(document):
    return document["flags"]


def test_the_extract_made_for_the_return_imports_cleanly(imported):
    assert imported.warnings == []
    assert {name: c.created for name, c in imported.counts.items()} == {
        "visits": 36397,
        "care_plans": 1923,
        "allocations": 4389,
    }


def test_every_rule_is_evaluated(document):
    assert (document["as_of"], document["not_evaluated"]) == (AS_OF, [])


def of(flags, child):
    return [(f["rule"], f["due"], f["days_overdue"]) for f in flags if f["child"] == child]


def test_the_shared_return_and_its_extract_give_820_flags(flags):
    assert len(flags) == 820
    assert Counter(f["rule"] for f in flags) == {
        "R33-later": 464,
        "no-allocated-worker": 154,
        "R28-visit": 98,
        "R33-first": 41,
        "R33-second": 36,
        "R4-care-plan": 25,
        "missing-now": 2,
    }


def test_a_review_due_six_months_after_the_first_known_one(flags):
    # 100825: episodes from 2 Mar 2017 (P, so the start is not known; X1 then L, open). Reviews in the
    # period: 17 Jun 2017 only, so the next was due 6 months later, 17 Dec 2017: 45 days by 31 Jan.
    # Visits: last 10 Jan 2018, in the placement's first year: next by 21 Feb (not yet due soon).
    # Allocated to Worker 25 since 2 Oct 2017.
    assert of(flags, "100825") == [("R33-later", "2017-12-17", 45)]


def test_placed_with_parents_weekly_visits_until_the_first_review(flags):
    # 106088: placed with parents (P1) from 14 Jul 2017, no review since (start not known, so no
    # review rule either). Last visit seen: 9 Jan 2018, so the next was due 16 Jan: 15 days.
    assert of(flags, "106088") == [("R28-visit", "2018-01-16", 15)]


def test_a_new_period_with_no_review_and_no_worker(flags):
    # 128272: a period ended 14 Jul 2017 (E47); a new one began Thu 21 Sep 2017 (S). No review since:
    # the 20th working day after it is Thu 19 Oct 2017 (104 days by 31 Jan). No allocation at all: the
    # 5th working day after the start is Thu 28 Sep 2017 (125 days). The plan of 8 May 2016 has no
    # end, so it counts for R4; last visit 22 Jan 2018 (not recorded as seen or not: counts).
    assert of(flags, "128272") == [("R33-first", "2017-10-19", 104), ("no-allocated-worker", "2017-09-28", 125)]


def test_no_care_plan_a_late_review_and_a_visit_not_seen(flags):
    # 155031: looked after from Mon 13 Jul 2015 (S). No care plan: the 10th working day after the start
    # is 27 Jul 2015 (919 days). Three reviews, the last 5 Dec 2015: the next by 5 Jun 2016 (605 days).
    # Placement from 19 Oct 2017: the visit of 23 Dec 2017 was not seen, so the last is 1 Dec 2017, in
    # the first year: due 12 Jan 2018 (19 days). Worker 15 allocated to 13 Feb 2018.
    assert of(flags, "155031") == [
        ("R28-visit", "2018-01-12", 19),
        ("R33-later", "2016-06-05", 605),
        ("R4-care-plan", "2015-07-27", 919),
    ]


def test_missing_now(flags):
    # 202414: missing (M) from 10 Jan to 11 Feb 2018: missing on 31 Jan for 21 days. Visit due
    # 3 Feb 2018 (23 Dec + 42 days) is due soon, not a flag; no review rule (start not known).
    assert of(flags, "202414") == [("missing-now", "2018-01-10", 21)]


def test_the_second_review_three_months_after_the_first(flags):
    # 113051: looked after from 11 Apr 2017 (S); one review in the period, 14 Sep 2017: the second was
    # due 14 Dec 2017 (48 days).
    assert of(flags, "113051") == [("R33-second", "2017-12-14", 48)]


def test_the_flags_are_the_same_stored_by_the_nightly_refresh(flags):
    out = io.StringIO()
    call_command("drift_refresh", "--as-of", AS_OF, stdout=out)

    assert "820 new flags, 0 cleared, 0 changed, 820 open" in out.getvalue()


def test_the_extract_imports_again_without_change(tmp_path, imported):
    extract = write_fake_extract(tmp_path / "again")
    result = extract_import(files={p.name: p.read_bytes() for p in extract.iterdir()}, source="again")

    assert all(c.created == 0 and c.updated == 0 for c in result.counts.values())
