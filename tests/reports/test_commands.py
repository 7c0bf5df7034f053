"""python manage.py committee_report"""

import json

import pytest
from django.core.management import CommandError, call_command

from reports import services
from reports.models import CaseStory
from tests.factories import ChildFactory, ServiceManagerFactory, london, raise_escalation, theme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("every_number_shown")]


def test_json_goes_to_standard_output_without_out(capsys):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0), themes=[theme("health")])
    call_command("committee_report", "--period", "2015-16")
    report = json.loads(capsys.readouterr().out)
    assert report["period"] == {
        "label": "2015-16",
        "start": "2015-04-01",
        "end": "2016-03-31",
        "complete": True,
        "figures_to": "2016-03-31",
    }
    assert report["escalations"] == 1


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF"), ("docx", b"PK"), ("xlsx", b"PK"), ("html", b"<!DOCTYPE")])
def test_each_format_is_written_to_the_file(tmp_path, fmt, magic):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    out = tmp_path / f"report.{fmt}"
    call_command("committee_report", "--period", "2015-16", "--format", fmt, "--out", str(out))
    assert out.read_bytes().startswith(magic)


def test_from_and_to_choose_any_period(capsys):
    raise_escalation(raised_at=london(2015, 6, 1, 10, 0))
    raise_escalation(raised_at=london(2015, 8, 1, 10, 0))
    call_command("committee_report", "--from", "2015-06-01", "--to", "2015-06-30")
    assert json.loads(capsys.readouterr().out)["escalations"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2015/16"], "is not a financial year"),
        (["--from", "2015-06-01"], "Give the period"),
        (["--period", "2015-16", "--from", "2015-06-01", "--to", "2015-06-30"], "not both"),
        (["--from", "1 June", "--to", "2015-06-30"], "'1 June' is not a date"),
        (["--period", "2015-16", "--format", "pdf"], "give --out FILE"),
    ],
)
def test_bad_arguments_are_refused_with_a_message(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("committee_report", *args)


def test_a_story_with_an_identifier_blocks_every_format(tmp_path):
    child = ChildFactory(last_name="Okafor")
    esc = raise_escalation(iro=child.iro, children=[child], raised_at=london(2015, 6, 1, 10, 0))
    manager = ServiceManagerFactory()
    story = services.story_include(escalation=esc, by=manager)
    services.story_update(story=story, by=manager, text="The Okafor family moved.")
    out = tmp_path / "report.pdf"
    with pytest.raises(CommandError, match="Case story 1 contains the surname 'Okafor'"):
        call_command("committee_report", "--period", "2015-16", "--format", "pdf", "--out", str(out))
    assert not out.exists()
    assert CaseStory.objects.count() == 1
