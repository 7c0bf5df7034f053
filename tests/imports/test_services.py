"""Importing a log: what a row becomes, all or nothing, re-imports and the committee report."""

import datetime as dt
import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from children.models import Child
from core.errors import DomainError
from escalations import services as escalation_services
from escalations.models import Escalation, Step
from imports import services
from imports.services import ImportRejected
from people.models import Role, User
from reports.models import ReportSettings
from reports.periods import Period
from reports.selectors import report_build
from tests.factories import (
    ChildFactory,
    IroFactory,
    ManagerFactory,
    london,
    outcome,
    raise_escalation,
    stage,
    subtheme,
    theme,
)
from tests.imports.helpers import import_log, log_csv, row
from themes.models import DriftReason

pytestmark = pytest.mark.django_db
YEAR = Period.financial_year("2015-16")
NOW = london(2016, 6, 1, 12, 0)


def _problems(data, **options):
    with pytest.raises(ImportRejected) as caught:
        import_log(data, **options)
    return caught.value.problems


def test_a_row_becomes_one_escalation_with_one_step():
    iro, child = IroFactory(), ChildFactory()
    import_log(
        log_csv(
            [row("LOG-1", iro, [child], highest_stage="Head of service", themes="health:complex_health;safety:cse")]
        )
    )
    escalation = Escalation.objects.get()
    step = Step.objects.get()
    assert (escalation.source, escalation.current_step, step.stage.code, step.addressee, step.sent_at) == (
        "import",
        step,
        "head_of_service",
        None,
        london(2015, 6, 1, 10, 0),
    )


def test_the_step_is_due_as_the_app_would_make_it():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], raised_at="2015-06-05 10:00")]))  # a Friday; 3 working days
    step = Step.objects.get()
    assert (step.target_working_days, step.due_on, step.due_at) == (3, dt.date(2015, 6, 10), london(2015, 6, 11, 0, 0))


def test_the_denormalised_fields_of_an_open_escalation():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], first_response_at="2015-06-02 09:00")]))
    e = Escalation.objects.get()
    assert (
        e.status,
        e.current_stage.code,
        e.highest_stage.code,
        e.current_addressee,
        e.next_due_at,
        e.first_response_at,
        e.formal_started_at,
        e.version,
        e.imported_version,
    ) == (
        "open",
        "team_manager",
        "team_manager",
        None,
        e.current_step.due_at,
        london(2015, 6, 2, 9, 0),
        london(2015, 6, 1, 10, 0),
        1,
        1,
    )


def test_an_imported_escalation_keeps_its_stages_order_as_the_app_does():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], highest_stage="Head of service")]))
    assert Escalation.objects.get().current_stage_order == stage("head_of_service").order


def test_an_informal_stage_starts_no_formal_clock():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], highest_stage="social_worker")]))
    assert Escalation.objects.get().formal_started_at is None


def test_a_resolved_at_without_outcome_closes_as_resolved():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], resolved_at="2015-06-09 16:00")]))
    e = Escalation.objects.get()
    assert (e.status, e.outcome.code, e.closed_at, e.next_due_at, e.current_step.result) == (
        "closed",
        "resolved",
        london(2015, 6, 9, 16, 0),
        None,
        "resolved",
    )


def test_a_withdrawn_outcome_ends_the_step_as_withdrawn():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], resolved_at="2015-06-09", outcome="Withdrawn")]))
    assert Step.objects.get().result == "withdrawn"


def test_an_outcome_without_resolved_at_is_refused():
    iro, child = IroFactory(), ChildFactory()
    problems = _problems(log_csv([row("LOG-1", iro, [child], outcome="resolved")]))
    assert problems == [
        "Row 2, column outcome: an outcome needs a resolved_at date: leave it blank for an open escalation "
        "(value 'resolved')"
    ]


def test_a_subtheme_implies_its_theme_and_retired_themes_are_accepted():
    iro, child = IroFactory(), ChildFactory()
    retired = theme("life_story_work")
    retired.active = False
    retired.save()
    import_log(log_csv([row("LOG-1", iro, [child], themes="Safety:Missing episodes; life_story_work ;")]))
    e = Escalation.objects.get()
    assert (sorted(t.code for t in e.themes.all()), [s.code for s in e.subthemes.all()]) == (
        ["life_story_work", "safety"],
        ["missing"],
    )


def test_drift_reasons_are_linked():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], themes="drift", drift_reasons="housing;Other")]))
    assert sorted(r.code for r in Escalation.objects.get().drift_reasons.all()) == ["housing", "other"]


def test_a_cafcass_referral_is_recorded():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], cafcass_referred_at="03/06/2015")]))
    e = Escalation.objects.get()
    assert (e.cafcass_referred_on, e.cafcass_reason) == (dt.date(2015, 6, 3), "Imported")


def test_the_summary_is_the_concern():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], summary="Plan not updated"), row("LOG-2", iro, [child])]))
    assert dict(Escalation.objects.values_list("reference", "concern")) == {
        "LOG-1": "Plan not updated",
        "LOG-2": "Imported from the escalation log",
    }


def test_the_iro_is_matched_by_full_name_ignoring_case():
    iro, child = IroFactory(first_name="Ann", last_name="Lee"), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], iro="ann LEE")]))
    assert Escalation.objects.get().iro == iro


def test_a_user_who_is_not_an_iro_is_refused():
    manager, child = ManagerFactory(), ChildFactory()
    problems = _problems(log_csv([row("LOG-1", manager, [child])]))
    assert problems[0].startswith("Row 2, column iro:") and "is not an IRO" in problems[0]


def test_date_only_values_are_marked_and_stored_at_local_midnight():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], raised_at="01/06/2015", first_response_at="2015-06-02")]))
    e = Escalation.objects.get()
    assert (e.raised_at, e.raised_date_only, e.first_response_date_only, e.current_step.first_response_date_only) == (
        london(2015, 6, 1, 0, 0),
        True,
        True,
        True,
    )


def test_a_response_on_the_day_before_raised_is_refused_when_dates_alone():
    iro, child = IroFactory(), ChildFactory()
    problems = _problems(
        log_csv([row("LOG-1", iro, [child], raised_at="2015-06-02 10:00", first_response_at="2015-06-01")])
    )
    assert problems == ["Row 2, column first_response_at: is before raised_at (2015-06-02 10:00) (value '2015-06-01')"]


def test_a_response_earlier_the_same_day_is_accepted_when_dates_alone():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], raised_at="2015-06-02 10:00", first_response_at="2015-06-02")]))
    assert Escalation.objects.count() == 1


def test_a_resolution_before_raised_is_refused():
    iro, child = IroFactory(), ChildFactory()
    problems = _problems(log_csv([row("LOG-1", iro, [child], resolved_at="2015-06-01 09:59")]))
    assert problems[0].startswith("Row 2, column resolved_at: is before raised_at")


def test_a_date_in_the_future_is_refused():
    iro, child = IroFactory(), ChildFactory()
    problems = _problems(log_csv([row("LOG-1", iro, [child], raised_at="2999-01-01")]))
    assert problems == ["Row 2, column raised_at: is in the future (value '2999-01-01')"]


def test_a_time_in_the_missing_spring_hour_is_refused():
    iro, child = IroFactory(), ChildFactory()
    problems = _problems(log_csv([row("LOG-1", iro, [child], raised_at="2016-03-27 01:15")]))
    assert problems[0].startswith("Row 2, column raised_at: is in the hour the clocks skip")


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_stored():
    iro, child = IroFactory(), ChildFactory()
    data = log_csv(
        [
            row("LOG-1", iro, [child]),
            row("LOG-2", iro, [child], highest_stage="chief_executive"),
            None,
            row("LOG-3", iro, [child], raised_at="1 June 2015", themes="safety;nonsense"),
            row("LOG-4", iro, [child]),
        ]
    )
    problems = _problems(data)
    assert [p.split(":")[0] for p in problems] == [
        "Row 3, column highest_stage",
        "Row 5, column raised_at",
        "Row 5, column themes",
    ]
    assert Escalation.objects.count() == 0


def test_a_repeated_reference_names_both_rows():
    iro, child = IroFactory(), ChildFactory()
    problems = _problems(
        log_csv([row("LOG-1", iro, [child]), row("LOG-2", iro, [child]), row(" log-1 ", iro, [child])])
    )
    assert problems == [
        "Row 4, column reference: the reference is also on row 2 ('LOG-1'): each reference may "
        "appear once (value 'log-1')"
    ]


def test_a_repeated_reference_is_reported_even_when_the_rows_have_other_problems():
    iro, child = IroFactory(), ChildFactory()
    problems = _problems(
        log_csv([row("LOG-1", iro, [child], highest_stage="boss"), row("LOG-1", iro, [child], raised_at="31/02/2015")])
    )
    assert [p.split(":")[0] for p in problems] == [
        "Row 2, column highest_stage",
        "Row 3, column reference",
        "Row 3, column raised_at",
    ]


def test_a_multi_line_cell_keeps_the_row_numbers_after_it():
    iro, child = IroFactory(), ChildFactory()
    problems = _problems(
        log_csv(
            [row("LOG-1", iro, [child], summary="one\ntwo\nthree"), row("LOG-2", iro, [child], highest_stage="nope")]
        )
    )
    assert problems[0].startswith("Row 3, column highest_stage")


def test_unknown_children_and_iros_are_refused_without_create_missing():
    child = ChildFactory()
    ghost = User(username="ghost")
    problems = _problems(log_csv([row("LOG-1", ghost, [child], children=f"{child.case_id};999")]))
    assert [p.split(":")[0] for p in problems] == ["Row 2, column iro", "Row 2, column children"]


def test_create_missing_creates_children_to_complete_and_inactive_iros():
    import_log(log_csv([row("LOG-1", User(username="x"), [], iro="Mary Jones", children="777.0")]), create_missing=True)
    child = Child.objects.get(case_id="777")
    iro = User.objects.get(username="mary-jones")
    assert (child.details_to_complete, iro.role, iro.is_active, iro.get_full_name(), Escalation.objects.get().iro) == (
        True,
        Role.IRO,
        False,
        "Mary Jones",
        iro,
    )


def test_create_missing_makes_the_new_username_unique():
    IroFactory(username="mary-jones", first_name="Mary", last_name="Jones-Smith")
    import_log(log_csv([row("LOG-1", User(username="x"), [], iro="Mary Jones", children="777")]), create_missing=True)
    assert Escalation.objects.get().iro.username == "mary-jones-2"


def test_a_dry_run_lists_what_would_be_created_and_stores_nothing():
    result = import_log(
        log_csv([row("LOG-1", User(username="x"), [], iro="Mary Jones", children="777;778")]),
        create_missing=True,
        dry_run=True,
    )
    assert (result.created, result.children_to_create, result.iros_to_create) == (
        1,
        ["777", "778"],
        ["mary-jones (Mary Jones)"],
    )
    assert (Escalation.objects.count(), Child.objects.count(), User.objects.filter(username="mary-jones").exists()) == (
        0,
        0,
        False,
    )


def test_the_importer_is_the_audit_user():
    iro, child, manager = IroFactory(), ChildFactory(), IroFactory(role=Role.SERVICE_MANAGER)
    import_log(log_csv([row("LOG-1", iro, [child])]), by=manager)
    assert Escalation.history.get().history_user == manager


def test_the_audit_records_the_links():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], themes="safety:missing")]))
    record = Escalation.history.get()
    assert ([c.child_id for c in record.children.all()], [t.theme_id for t in record.themes.all()]) == (
        [child.pk],
        [theme("safety").pk],
    )


def test_importing_the_same_file_again_changes_nothing():
    iro, child = IroFactory(), ChildFactory()
    data = log_csv([row("LOG-1", iro, [child]), row("LOG-2", iro, [child], resolved_at="2015-06-03")])
    import_log(data)
    history = (Escalation.history.count(), Step.history.count())
    result = import_log(data)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert (Escalation.history.count(), Step.history.count()) == history


def test_a_changed_row_updates_an_escalation_not_edited_since_and_audits_it():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child])]))
    result = import_log(
        log_csv([row("LOG-1", iro, [child], highest_stage="head_of_service", resolved_at="2015-06-04")])
    )
    e = Escalation.objects.get()
    assert (result.updated, e.highest_stage.code, e.status, e.version, e.imported_version) == (
        1,
        "head_of_service",
        "closed",
        2,
        2,
    )
    assert Escalation.history.filter(history_type="~").count() == 1


def test_an_imported_escalation_keeps_its_iros_name_sort_key_and_no_reply_yet():
    iro, child = IroFactory(first_name="Ada", last_name="Okafor"), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child])]))
    imported = Escalation.objects.get()
    assert (imported.iro_sort_key, imported.current_responded_at) == (iro.sort_key, None)


def test_an_iro_created_by_the_import_gives_their_escalations_their_name_sort_key():
    import_log(log_csv([row("LOG-1", User(username="x"), [], iro="Mary Jones", children="777")]), create_missing=True)
    assert Escalation.objects.get().iro_sort_key == User.objects.get(username="mary-jones").sort_key


def test_a_reimport_for_another_iro_gives_the_new_iros_name_sort_key():
    first, second, child = IroFactory(last_name="Adams"), IroFactory(last_name="Brown"), ChildFactory()
    import_log(log_csv([row("LOG-1", first, [child])]))
    import_log(log_csv([row("LOG-1", second, [child])]))
    assert Escalation.objects.get().iro_sort_key == second.sort_key


def test_a_changed_stage_in_a_reimport_updates_the_stages_order():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child])]))
    import_log(log_csv([row("LOG-1", iro, [child], highest_stage="head_of_service")]))
    assert Escalation.objects.get().current_stage_order == stage("head_of_service").order


def test_a_changed_row_for_an_escalation_edited_in_the_app_is_a_conflict_and_nothing_is_stored():
    iro, child = IroFactory(), ChildFactory()
    other = row("LOG-2", iro, [child])
    import_log(log_csv([row("LOG-1", iro, [child])]))
    escalation = Escalation.objects.get()
    escalation_services.escalation_resolve(
        escalation=escalation,
        by=iro,
        outcome=outcome("resolved"),
        at=london(2015, 6, 2, 10, 0),
        reason="The plan was agreed.",
    )
    problems = _problems(log_csv([row("LOG-1", iro, [child], highest_stage="director"), other]))
    assert problems[0].startswith("Row 2, column reference: LOG-1 has been changed in the app since it was imported")
    assert (Escalation.objects.count(), Escalation.objects.get().highest_stage.code) == (1, "team_manager")


def test_a_reference_entered_in_the_app_is_a_conflict():
    escalation = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    iro, child = IroFactory(), ChildFactory()
    problems = _problems(log_csv([row(escalation.reference.lower(), iro, [child])]))
    assert problems[0].startswith("Row 2, column reference: an escalation entered in the app already has")


def test_a_row_becomes_what_the_app_makes_for_the_committee_report():
    """The same escalations entered through escalations.services and imported from a log give the
    same committee report, to the last key."""
    iro, children = IroFactory(), [ChildFactory(case_id=f"C{n}") for n in range(4)]
    managers = {
        code: ManagerFactory(stage=stage(code)) for code in ("social_worker", "team_manager", "head_of_service")
    }
    cases = [
        # reference, stage, raised, first response, resolved, outcome, cafcass, children, themes, subthemes, drift
        (
            "R1",
            "team_manager",
            london(2015, 6, 1, 10, 0),
            london(2015, 6, 2, 9, 0),
            london(2015, 6, 10, 15, 0),
            "resolved",
            None,
            [0, 1],
            ["safety"],
            [("safety", "missing")],
            [],
        ),
        (
            "R2",
            "head_of_service",
            london(2015, 10, 25, 1, 30),
            london(2015, 10, 27, 9, 0),
            None,
            None,
            dt.date(2015, 11, 2),
            [2],
            ["drift"],
            [],
            ["housing", "other"],
        ),
        (
            "R3",
            "social_worker",
            london(2016, 1, 4, 14, 0),
            None,
            london(2016, 2, 20, 11, 0),
            "not_resolved",
            None,
            [3],
            [],
            [],
            [],
        ),
        (
            "R4",
            "team_manager",
            london(2016, 3, 1, 9, 0),
            london(2016, 3, 1, 17, 0),
            london(2016, 3, 3, 9, 0),
            "withdrawn",
            None,
            [0],
            ["health"],
            [("health", "complex_health")],
            [],
        ),
        ("R5", "head_of_service", london(2016, 3, 31, 22, 0), None, None, None, None, [1, 2], [], [], []),
    ]

    sid = transaction.savepoint()
    for _ref, code, raised, first, resolved, out, cafcass, kids, themes, subs, drift in cases:
        e = escalation_services.escalation_raise(
            by=iro,
            children=[children[i] for i in kids],
            stage=stage(code),
            addressee=managers[code],
            concern="Concern",
            themes=[theme(t) for t in themes],
            subthemes=[subtheme(*s) for s in subs],
            drift_reasons=list(DriftReason.objects.filter(code__in=drift)),
            raised_at=raised,
        )
        if first:
            e = escalation_services.escalation_first_response(escalation=e, by=managers[code], at=first)
        if cafcass:
            e = escalation_services.escalation_refer_to_cafcass(
                escalation=e, by=iro, referred_on=cafcass, reason="Imported"
            )
        if out == "withdrawn":
            escalation_services.escalation_withdraw(escalation=e, by=iro, at=resolved, reason="Raised in error.")
        elif out:
            escalation_services.escalation_resolve(
                escalation=e, by=iro, outcome=outcome(out), at=resolved, reason="The plan was agreed."
            )
    through_app = json.dumps(report_build(period=YEAR, now=NOW), sort_keys=True, default=str)
    transaction.savepoint_rollback(sid)
    assert Escalation.objects.count() == 0

    def text(at):
        return "" if at is None else at.isoformat()

    import_log(
        log_csv(
            [
                {
                    "reference": ref,
                    "raised_at": text(raised),
                    "iro": iro.username,
                    "children": ";".join(children[i].case_id for i in kids),
                    "highest_stage": code,
                    "themes": ";".join(themes + [f"{a}:{b}" for a, b in subs]),
                    "first_response_at": text(first),
                    "resolved_at": text(resolved),
                    "outcome": out or "",
                    "drift_reasons": ";".join(drift),
                    "cafcass_referred_at": cafcass.isoformat() if cafcass else "",
                }
                for ref, code, raised, first, resolved, out, cafcass, kids, themes, subs, drift in cases
            ]
        )
    )
    imported = json.dumps(report_build(period=YEAR, now=NOW), sort_keys=True, default=str)
    assert imported == through_app


def test_a_next_day_response_on_dates_alone_counts_as_within_24_hours():
    iro, child = IroFactory(), ChildFactory()
    import_log(
        log_csv(
            [
                row("LOG-1", iro, [child], raised_at="2015-06-01", first_response_at="2015-06-02 17:00"),
                row("LOG-2", iro, [child], raised_at="2015-06-01", first_response_at="2015-06-03"),
            ]
        )
    )
    ReportSettings.objects.create(suppress_small_numbers=False)  # Open reports hide counts below 5 by default
    timeliness = report_build(period=YEAR, now=NOW)["timeliness"]
    assert (timeliness["first_response_within_24h"], timeliness["first_response_judged_on_dates_alone"]) == (1, 2)


def test_an_unreadable_file_is_a_domain_error():
    with pytest.raises(DomainError, match="--encoding"):
        import_log("reference\r\ncaf\u00e9\r\n".encode("cp1252"))


# --- how the rows are written (imports.bulk) ------------------------------------------------------


def _audited_columns(model):
    return [f.attname for f in model._meta.concrete_fields]


def test_the_audit_row_of_an_imported_escalation_has_every_column_of_the_escalation():
    iro, child = IroFactory(), ChildFactory()
    import_log(
        log_csv(
            [
                row(
                    "LOG-1",
                    iro,
                    [child],
                    themes="drift",
                    drift_reasons="housing",
                    resolved_at="2015-06-09",
                    cafcass_referred_at="2015-06-03",
                    summary="Plan late",
                )
            ]
        )
    )
    columns = _audited_columns(Escalation)
    record = Escalation.history.values(*columns, "history_type", "history_change_reason").get()
    assert record == {
        **Escalation.objects.values(*columns).get(),
        "history_type": "+",
        "history_change_reason": "Imported from log.csv",
    }


def test_the_audit_row_of_an_imported_step_has_every_column_of_the_step():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], first_response_at="2015-06-02 09:00")]))
    columns = _audited_columns(Step)
    assert Step.history.values(*columns).get() == Step.objects.values(*columns).get()


def test_the_audit_of_an_update_copies_the_row_as_stored():
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child])]))
    Escalation.objects.update(desired_outcome="Kept by the import")  # a column the import never sets
    import_log(log_csv([row("LOG-1", iro, [child], highest_stage="head_of_service")]))
    record = Escalation.history.get(history_type="~")
    assert (record.desired_outcome, record.highest_stage.code, record.version) == (
        "Kept by the import",
        "head_of_service",
        2,
    )


def test_an_update_replaces_the_links_and_audits_the_new_ones():
    iro, child, other = IroFactory(), ChildFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child], themes="safety")]))
    import_log(log_csv([row("LOG-1", iro, [other], themes="health")]))
    escalation, record = Escalation.objects.get(), Escalation.history.get(history_type="~")
    assert ([c.pk for c in escalation.children.all()], [t.code for t in escalation.themes.all()]) == (
        [other.pk],
        ["health"],
    )
    assert ([c.child_id for c in record.children.all()], [t.theme_id for t in record.themes.all()]) == (
        [other.pk],
        [theme("health").pk],
    )


def test_created_children_have_their_audit_rows():
    import_log(log_csv([row("LOG-1", User(username="x"), [], iro="Mary Jones", children="777")]), create_missing=True)
    child = Child.objects.get(case_id="777")
    assert list(Child.history.values_list("id", "history_type", "history_change_reason")) == [
        (child.pk, "+", "Imported from log.csv")
    ]


def test_the_queries_do_not_grow_with_the_rows():

    iro = IroFactory()
    children = [ChildFactory() for _ in range(3)]

    def queries(prefix, count):
        rows = [
            row(f"{prefix}-{n}", iro, children[: n % 3 + 1], themes="drift;safety:missing", drift_reasons="housing")
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            import_log(log_csv(rows))
        return len(captured.captured_queries)

    assert queries("FEW", 3) == queries("MANY", 30)


def test_rows_written_in_several_chunks_keep_their_own_step_and_links(monkeypatch):

    monkeypatch.setattr(services, "WRITE_CHUNK", 2)
    iro, children = IroFactory(), [ChildFactory() for _ in range(5)]
    import_log(
        log_csv(
            [
                row(f"LOG-{n}", iro, [children[n]], highest_stage=code)
                for n, code in enumerate(
                    ["social_worker", "team_manager", "head_of_service", "team_manager", "social_worker"]
                )
            ]
        )
    )
    found = {
        e.reference: (e.current_step.escalation_id == e.pk, e.current_step.stage.code, e.children.get().pk)
        for e in Escalation.objects.select_related("current_step__stage")
    }
    assert found == {
        f"LOG-{n}": (True, code, children[n].pk)
        for n, code in enumerate(["social_worker", "team_manager", "head_of_service", "team_manager", "social_worker"])
    }


def test_an_import_after_escalations_entered_in_the_app_takes_new_ids():
    entered = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    iro, child = IroFactory(), ChildFactory()
    import_log(log_csv([row("LOG-1", iro, [child])]))
    imported = Escalation.objects.get(reference="LOG-1")
    assert imported.pk > entered.pk and imported.current_step.pk > entered.current_step.pk


def test_a_reference_stored_while_the_file_was_checked_stops_the_import_cleanly(monkeypatch):

    entered = raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    monkeypatch.setattr(services, "escalations_by_reference", lambda references: {})  # read before it was stored
    iro, child = IroFactory(), ChildFactory()
    with pytest.raises(DomainError, match="Someone may have added an escalation with one of these references"):
        import_log(log_csv([row("LOG-1", iro, [child]), row(entered.reference, iro, [child])]))
    assert list(Escalation.objects.values_list("reference", flat=True)) == [entered.reference]
