import json

from reports.changes import (
    Change,
    ChangesSinceIssue,
    EscalationChanges,
    changes_since_issue,
    escalation_changes,
    report_changes,
)


def test_no_changes_between_equal_reports():
    report = {"escalations": 3, "themes": [{"code": "drift", "escalations": 1}]}
    assert report_changes(report, report) == []


def test_rows_are_matched_by_code_not_position():
    issued = {"themes": [{"code": "drift", "escalations": 2}, {"code": "health", "escalations": 1}]}
    now = {"themes": [{"code": "health", "escalations": 3}, {"code": "drift", "escalations": 2}]}
    assert report_changes(issued, now) == [Change("themes[health].escalations", 1, 3)]


def test_a_new_row_shows_as_added():
    assert report_changes({"monthly": []}, {"monthly": [{"month": "2015-04", "escalations": 1}]}) == [
        Change("monthly[2015-04].escalations", None, 1),
        Change("monthly[2015-04].month", None, "2015-04"),
    ]


# --- in words -------------------------------------------------------------------------------------

FACTS = {
    "outcome": "open",
    "closed_on": None,
    "highest_stage": "Team manager",
    "themes": ["Health issues"],
    "children": 1,
    "first_response": False,
    "cafcass": False,
}


def test_an_escalations_changes_are_said_in_words():
    after = {
        **FACTS,
        "outcome": "Resolved",
        "closed_on": "2026-05-03",
        "highest_stage": "Head of service",
        "themes": ["Health issues", "Drift in care planning"],
        "first_response": True,
    }
    assert escalation_changes(FACTS, after) == [
        "outcome changed from open to resolved (closed 3 May 2026)",
        "highest stage changed from team manager to head of service",
        "themes changed from Health issues to Health issues and Drift in care planning",
        "first response recorded",
    ]


def _report(escalations=1, background="Why."):
    return {
        "schema": "x",
        "title": "t",
        "classification": "open",
        "period": {"label": "2015-16", "start": "2015-04-01", "end": "2016-03-31"},
        "escalations": escalations,
        "informal": 0,
        "formal": escalations,
        "children": escalations,
        "first_response_within_24h": 0,
        "reached_head_of_service_or_above": 0,
        "cafcass_referrals": 0,
        "theme_not_recorded": escalations,
        "themes_note": "",
        "themes": [],
        "stages": [],
        "timeliness": {
            "first_response_hours": 24,
            "first_response_recorded": 0,
            "first_response_within_24h": 0,
            "first_response_within_24h_percent": None,
            "first_response_judged_on_dates_alone": 0,
            "stage_targets": [],
            "process_cap_working_days": 20,
            "closed_formal": 0,
            "closed_within_cap": 0,
            "closed_within_cap_percent": None,
            "responses": 0,
            "median_response_working_days": None,
            "p90_response_working_days": None,
        },
        "drift": {
            "escalations": 0,
            "children": 0,
            "sibling_groups": 0,
            "children_in_sibling_groups": 0,
            "reasons": [],
            "outcomes": [],
            "responses": 0,
            "median_first_response_working_days": None,
            "max_first_response_working_days": None,
        },
        "outcomes": [],
        "monthly": [],
        "stories": [],
        "data_quality": [],
        "comparison": {"period": {"label": "2014-15"}, "measures": []},
        "paper": {"sections": [{"key": "background", "heading": "Background information", "text": background}]},
    }


def test_changes_since_issue_group_escalations_and_name_added_ones_figures_and_texts():
    found = changes_since_issue(
        issued_data=_report(1),
        issued_facts={"ESC-2015-00001": FACTS},
        current=_report(3, background="Why, again."),
        facts={
            "ESC-2015-00001": {**FACTS, "outcome": "Withdrawn", "closed_on": "2016-01-04"},
            "ESC-2015-00002": FACTS,
            "ESC-2015-00003": FACTS,
        },
    )
    assert [str(e) for e in found.escalations] == [
        "ESC-2015-00001: outcome changed from open to withdrawn (closed 4 January 2016)"
    ]
    assert found.added_sentence == "2 escalations added: ESC-2015-00002, ESC-2015-00003"
    assert "Summary, Escalations, Number: 1 when issued, 3 now" in found.figures
    assert found.texts == ["The section 'Background information' was edited"]


def test_a_version_issued_before_facts_were_kept_compares_figures_only():
    found = changes_since_issue(
        issued_data=_report(1), issued_facts={}, current=_report(2), facts={"ESC-2015-00001": FACTS}
    )
    assert (found.facts_recorded, found.added) == (False, [])
    assert found.figures


def test_changes_since_an_issue_read_back_from_json_are_the_same():
    found = ChangesSinceIssue(
        escalations=[EscalationChanges("ESC-0001", ["outcome: none when issued, agreed now"])],
        added=["ESC-0002"],
        removed=["ESC-0003"],
        figures=["Escalations: 2 when issued, 3 now"],
        texts=["The key issues was edited"],
        facts_recorded=False,
    )
    assert ChangesSinceIssue.from_json(json.loads(json.dumps(found.as_json()))) == found
