from reports.changes import Change, report_changes


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
