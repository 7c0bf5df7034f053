import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from drift.models import DriftFlag, DriftRun
from tests.factories import (
    AllocationFactory,
    CarePlanFactory,
    ChildFactory,
    EpisodeFactory,
    IroFactory,
    MissingEpisodeFactory,
    ReviewFactory,
    VisitFactory,
    drift_tables_imported,
)

pytestmark = pytest.mark.django_db
D = dt.date


def watch(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("drift_watch", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def settled_child(case_id, **kwargs):
    """Looked after from Mon 1 Dec 2025 with a plan, a worker and a visit on 20 Mar 2026."""
    child = ChildFactory(case_id=case_id, **kwargs)
    EpisodeFactory(child=child, start=D(2025, 12, 1))
    CarePlanFactory(child=child, start=D(2025, 12, 1))
    AllocationFactory(child=child, start=D(2025, 12, 1))
    VisitFactory(child=child, date=D(2026, 3, 20))
    return child


def test_the_json_has_exactly_the_specs_shape():
    drift_tables_imported()
    settled_child("1001")  # worked example 1: no review since 1 Dec 2025

    out, _ = watch("--as-of", "2026-03-31")

    assert json.loads(out) == {
        "as_of": "2026-03-31",
        "not_evaluated": [],
        "flags": [
            {
                "child": "1001",
                "rule": "R33-first",
                "due": "2025-12-31",
                "days_overdue": 90,
                "detail": "No review since the period of care began on 1 December 2025; the first review was due by "
                "31 December 2025.",
            }
        ],
    }


def test_flags_are_sorted_by_child_then_rule():
    drift_tables_imported()
    second = settled_child("1002")
    settled_child("1001")
    MissingEpisodeFactory(child=second, start=D(2026, 3, 1))

    out, _ = watch("--as-of", "2026-03-31")

    assert [(f["child"], f["rule"]) for f in json.loads(out)["flags"]] == [
        ("1001", "R33-first"),
        ("1002", "R33-first"),
        ("1002", "missing-now"),
    ]


def test_missing_now_gives_its_start_and_days_missing_and_staying_put_the_18th_birthday_and_null():
    drift_tables_imported()
    child = settled_child("1001", date_of_birth=D(2008, 9, 15))
    ReviewFactory(child=child, date=D(2025, 12, 20))
    ReviewFactory(child=child, date=D(2026, 3, 1))
    MissingEpisodeFactory(child=child, start=D(2026, 3, 1))

    out, _ = watch("--as-of", "2026-03-31")

    flags = {f["rule"]: (f["due"], f["days_overdue"]) for f in json.loads(out)["flags"]}
    assert flags == {"missing-now": ("2026-03-01", 30), "staying-put": ("2026-09-15", None)}


def test_rules_whose_data_was_never_imported_are_listed_as_not_evaluated():
    drift_tables_imported(extract=())
    child = ChildFactory(case_id="1001")
    EpisodeFactory(child=child, start=D(2025, 12, 1))

    document = json.loads(watch("--as-of", "2026-03-31")[0])

    assert document["not_evaluated"] == ["R28-visit", "R4-care-plan", "no-allocated-worker"]
    assert [f["rule"] for f in document["flags"]] == ["R33-first"]


def test_with_nothing_imported_every_rule_is_not_evaluated_and_there_are_no_flags():
    EpisodeFactory(start=D(2025, 12, 1))

    document = json.loads(watch("--as-of", "2026-03-31")[0])

    assert document == {
        "as_of": "2026-03-31",
        "not_evaluated": [
            "R33-first",
            "R33-second",
            "R33-later",
            "R28-visit",
            "R4-care-plan",
            "no-allocated-worker",
            "missing-now",
            "staying-put",
        ],
        "flags": [],
    }


def test_iro_limits_the_flags_to_the_iros_caseload():
    drift_tables_imported()
    iro = IroFactory(username="iro7")
    settled_child("1001", iro=iro)
    settled_child("1002")

    document = json.loads(watch("--as-of", "2026-03-31", "--iro", "iro7")[0])

    assert [f["child"] for f in document["flags"]] == ["1001"]


def test_an_unknown_iro_is_refused():
    with pytest.raises(CommandError, match="There is no IRO with the username 'nobody'"):
        watch("--iro", "nobody")


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="is not a date in the form YYYY-MM-DD"):
        watch("--as-of", "31/03/2026")


def test_csv_has_the_same_fields_and_names_the_rules_not_evaluated_on_standard_error():
    drift_tables_imported(extract=("visits", "care_plans"))
    settled_child("1001")

    out, err = watch("--as-of", "2026-03-31", "--format", "csv")

    assert out.splitlines() == [
        "child,rule,due,days_overdue,detail",
        "1001,R33-first,2025-12-31,90,No review since the period of care began on 1 December 2025; the first review "
        "was due by 31 December 2025.",
    ]
    assert err.strip() == "Not evaluated (their data was never imported): no-allocated-worker"


def test_the_watch_command_changes_nothing():
    drift_tables_imported()
    settled_child("1001")

    watch("--as-of", "2026-03-31")

    assert (DriftFlag.objects.count(), DriftRun.objects.count()) == (0, 0)


# ----------------------------------------------------------------------------- drift_refresh


def refresh(*args):
    out = io.StringIO()
    call_command("drift_refresh", *args, stdout=out)
    return out.getvalue()


def test_drift_refresh_stores_the_flags_and_prints_what_it_did():
    drift_tables_imported()
    settled_child("1001")

    output = refresh("--as-of", "2026-03-31")

    assert "As of 2026-03-31: 1 children looked after; 1 new flags, 0 cleared, 0 changed, 1 open." in output
    assert DriftFlag.objects.get().rule == "R33-first"


def test_drift_refresh_refuses_a_day_before_the_last_refresh():
    drift_tables_imported()
    refresh("--as-of", "2026-03-31")

    with pytest.raises(CommandError, match="last refreshed as of 31/03/2026"):
        refresh("--as-of", "2026-03-30")
