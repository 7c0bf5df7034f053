"""The subject access export: one ZIP with a readable PDF, the JSON and a manifest, holding
everything about the child and no other child's name."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import zipfile

import pytest

from children.models import Child
from records.export import JSON_NAME, MANIFEST_NAME, PDF_NAME
from records.models import ExportStatus
from records.redaction import Redactor
from records.services import export_download, export_start
from reports.identifiers import CASE_ID, CHILD, FULL_NAME, NAME, IdentifierIndex, story_problems
from tests.factories import ChildFactory
from tests.records.helpers import family

pytestmark = pytest.mark.django_db


def _export(world, *, staff_names=True, settings=None):
    if settings is not None:
        settings.RECORDS_EXPORT_STAFF_NAMES = staff_names
    export = export_start(by=world.sm, case_id=" 700001 ")
    export.refresh_from_db()
    assert export.status == ExportStatus.READY, export.problem
    content = export_download(export=export, by=world.sm, path=f"/records/exports/{export.pk}/download/")
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = {name: archive.read(name) for name in archive.namelist()}
    pdf_text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=files[PDF_NAME], capture_output=True, check=True
    ).stdout.decode()
    return export, files, " ".join(pdf_text.split()), json.loads(files[JSON_NAME])


def _other_children_named(text: str, subject: Child) -> list[str]:
    """Every other child's name or case ID in ``text`` (the identifier check's matching: whole words,
    ignoring case, possessives and hyphenated parts), less the subject's own names."""
    others = IdentifierIndex()
    rows = list(Child.objects.exclude(pk=subject.pk).values_list("first_name", "last_name", "case_id"))
    others.add_people([(first, last) for first, last, _ in rows], CHILD)
    for _, _, case_id in rows:
        others.add_case_id(case_id)
    own = IdentifierIndex()
    own.add_people([(subject.first_name, subject.last_name)], CHILD)
    for word in own.names:
        others.names.pop(word, None)
    problems = story_problems(text, identifiers=others)
    return [p.term for p in problems if p.kind in (NAME, FULL_NAME, CASE_ID)]


@pytest.fixture
def world():
    return family(with_hold=True)


def test_the_zip_holds_a_pdf_the_json_and_a_manifest_of_both(world):
    export, files, _, _ = _export(world)
    assert set(files) == {PDF_NAME, JSON_NAME, MANIFEST_NAME}
    manifest = json.loads(files[MANIFEST_NAME])
    assert manifest["export"] == export.pk
    listed = {item["name"]: item for item in manifest["files"]}
    for name in (PDF_NAME, JSON_NAME):
        assert listed[name]["sha256"] == hashlib.sha256(files[name]).hexdigest()
        assert listed[name]["bytes"] == len(files[name])
    assert manifest["counts"]["escalations"] == 2
    assert files[PDF_NAME].startswith(b"%PDF")


def test_the_json_holds_everything_about_the_child(world):
    _, _, _, document = _export(world)
    child = document["child"]
    assert (child["first_name"], child["last_name"], child["case_id"]) == ("Adaeze", "Okafor", "700001")
    assert child["date_of_birth"] == "2009-03-14"
    assert child["sibling_group"]["brothers_and_sisters_recorded"] == 2
    assert [e["reference"] for e in document["escalations"]] == [world.shared.reference, world.alone.reference]
    shared = document["escalations"][0]
    assert shared["children"] == ["this child", "another child"]
    assert shared["concern"] == (
        "Adaeze and another child have not been visited since March. Another child's contact with another child "
        "has stopped."
    )
    assert shared["steps"][0]["response"].startswith("Another child will be visited this week and Adaeze next week.")
    assert shared["steps"][0]["responded_by"] == "Rosalind Pemberton"
    assert shared["notes"][0]["text"] == "Spoke to Rosalind Pemberton about case another child and about another child."
    assert any(event["title"] == "Responded" for event in shared["timeline"])
    alone = document["escalations"][1]
    assert alone["outcome"] == "Resolved"
    assert alone["steps"][0]["why_ended"] == "The plan was reviewed and another child's visits restarted."
    assert document["case_stories"][0]["escalation"] == world.alone.reference
    assert document["ssda903"]["episodes"][0]["placement_postcode"] == "LS6 2QT"
    assert document["ssda903"]["reviews"][0]["date"] == "2015-04-20"
    assert document["ssda903"]["missing_episodes"][0]["start"] == "2016-01-03"
    assert document["case_management_extract"]["visits"] == [{"date": "2016-02-01", "seen": "yes", "seen_alone": "no"}]
    assert document["case_management_extract"]["care_plans"][0]["start"] == "2015-04-01"
    assert document["case_management_extract"]["allocations"][0]["worker"] == "Ulrika Stanhope"
    assert document["drift_flags"][0]["due"] == "2016-03-04"
    assert document["access_log"][0]["who"] == "Tobias Wrenfield"
    assert document["legal_holds"][0]["reason"] == "A complaint about contact arrangements is open."
    records = [h["record"] for h in document["history"]]
    assert "The child's record" in records
    assert f"Escalation {world.shared.reference}" in records
    assert f"Escalation {world.shared.reference}, step 1" in records
    assert f"Case story for {world.alone.reference}" in records
    assert "903 episode from 2015-04-01" in records
    assert "Social worker visit on 2016-02-01" in records
    # the escalation about the brother alone is his, not hers
    assert BEN_ONLY_WORD not in json.dumps(document)
    assert world.ben_only.reference not in json.dumps(document)


BEN_ONLY_WORD = "Zygomorphic"


def test_the_field_history_names_people_and_children_in_words(world):
    _, _, _, document = _export(world)
    escalation = next(h for h in document["history"] if h["record"] == f"Escalation {world.shared.reference}")
    changes = [c for entry in escalation["entries"] for c in entry["changes"]]
    children = next(c for c in changes if c["field"] == "children")
    assert children["after"] == ["this child", "another child"]
    assert any(c["field"] == "iro" and c["after"] == "Quentin Marlowe" for c in changes)
    assert all(entry["who"] in ("Quentin Marlowe", "Rosalind Pemberton") for entry in escalation["entries"])


def test_the_pdf_is_readable_and_holds_the_same(world):
    _, _, pdf, _ = _export(world)
    for expected in (
        "Information held about Adaeze Okafor",
        "Case-management ID 700001",
        world.shared.reference,
        world.alone.reference,
        "Adaeze and another child have not been visited since March.",
        "Spoke to Rosalind Pemberton about case another child and about another child.",
        "A complaint about contact arrangements is open.",
        "LS6 2QT",
        "Social worker visits",
        "Drift watch flags",
        "The history of every change",
        "Page 1 of",
    ):
        assert expected in pdf, expected
    assert BEN_ONLY_WORD not in pdf


def test_no_other_childs_name_is_in_the_pdf_or_the_json(world):
    _, files, pdf, _ = _export(world)
    subject = world.ada
    text = files[JSON_NAME].decode() + "\n" + files[MANIFEST_NAME].decode()
    assert _other_children_named(text, subject) == []
    assert _other_children_named(pdf, subject) == []
    # and, plainly, none of the names or case IDs we wrote into the texts
    everything = text + pdf
    for child in Child.objects.exclude(pk=subject.pk):
        for word in (child.first_name, child.case_id):
            assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", everything, flags=re.IGNORECASE), word
        if child.last_name != subject.last_name:
            assert child.last_name not in everything


def test_staff_shown_by_their_role_are_not_named_by_the_sort_key_either(world, settings):
    _, files, pdf, _ = _export(world, staff_names=False, settings=settings)
    everything = files[JSON_NAME].decode() + pdf
    iro = world.shared.iro
    assert iro.sort_key not in everything and iro.username not in everything and "\x01" not in everything


def test_staff_can_be_shown_by_their_role_instead(world, settings):
    _, files, pdf, document = _export(world, staff_names=False, settings=settings)
    everything = files[JSON_NAME].decode() + pdf
    for name in ("Rosalind", "Pemberton", "Quentin", "Marlowe", "Tobias", "Wrenfield", "Ulrika", "Stanhope"):
        assert name not in everything
    shared = document["escalations"][0]
    assert shared["raised_by"] == "an independent reviewing officer"
    assert shared["steps"][0]["responded_by"] == "a team manager"
    assert shared["notes"][0]["text"] == "Spoke to a team manager about case another child and about another child."
    assert document["redaction"]["staff"] == "Staff are shown by their role, not named."
    assert _other_children_named(everything, world.ada) == []


def test_a_name_that_is_an_ordinary_word_is_withheld_only_with_a_capital(world):
    ChildFactory(case_id="700009", first_name="May", last_name="Quennell")  # a name that is also a word
    redact = Redactor(subject=world.ada, staff_names=True)
    assert redact("You may see May in May.") == "You may see another child in another child."
    assert redact("May was seen.") == "Another child was seen."
