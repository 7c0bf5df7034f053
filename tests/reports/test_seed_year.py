"""The report reproduces the seed's table (2015-16) from records built through the services.

The expected numbers are literals read off ``../shared/seed/000_8130af04dcb09b76.txt``; the
percentages follow our rule (half-up to one decimal of all escalations), not the seed's
hand-rounding (it printed 18/184 as 9.5% and 10%).
"""

import io
import json
import re
from html import unescape

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from reports.renderers import render_docx, render_html, render_json, render_pdf, render_xlsx


@pytest.fixture(scope="module")
def seed_reports(seed_year_reports):
    return seed_year_reports


@pytest.fixture(scope="module")
def seed_report(seed_reports):
    """Every number shown, to compare with the seed's."""
    return seed_reports["closed"]


def test_184_escalations_about_178_children(seed_report):
    assert seed_report["escalations"] == 184
    assert seed_report["children"] == 178


def test_theme_counts_are_the_seeds(seed_report):
    themes = [(row["code"], row["escalations"]) for row in seed_report["themes"]]
    assert themes == [
        ("care_plan_not_on_system", 99),
        ("drift", 18),
        ("safety", 15),
        ("sw_visits", 9),
        ("family_contact", 9),
        ("no_allocated_worker", 8),
        ("health", 7),
        ("placement", 7),
        ("review_decisions_outstanding", 4),
        ("staying_put", 3),
        ("life_story_work", 1),
        ("not_recorded", 10),
    ]


def test_percentages_are_half_up_to_one_decimal_of_all_escalations(seed_report):
    percents = [row["percent"] for row in seed_report["themes"]]
    assert percents == [53.8, 9.8, 8.2, 4.9, 4.9, 4.3, 3.8, 3.8, 2.2, 1.6, 0.5, 5.4]


def test_theme_mentions_exceed_themed_escalations_and_the_rest_have_none(seed_report):
    mentions = sum(row["escalations"] for row in seed_report["themes"] if row["code"] != "not_recorded")
    assert mentions == 180
    assert seed_report["theme_not_recorded"] == 10
    assert "more than one theme" in seed_report["themes_note"]


def test_sub_theme_counts_are_the_seeds(seed_report):
    subthemes = {
        (row["code"], sub["code"]): sub["escalations"]
        for row in seed_report["themes"]
        for sub in row["subthemes"]
        if sub["escalations"]
    }
    assert subthemes == {
        ("safety", "missing"): 6,
        ("safety", "cse"): 5,
        ("safety", "criminality_gangs"): 6,
        ("no_allocated_worker", "sickness"): 3,
        ("no_allocated_worker", "worker_left"): 5,
    }


def test_nine_reached_head_of_service_or_assistant_director(seed_report):
    stages = {row["code"]: row["escalations"] for row in seed_report["stages"]}
    assert seed_report["reached_head_of_service_or_above"] == 9
    assert stages["head_of_service"] == 6
    assert stages["assistant_director"] == 3
    assert stages["director"] == 0


def test_theme_children_count_distinct_children(seed_report):
    drift = next(row for row in seed_report["themes"] if row["code"] == "drift")
    assert drift["children"] == 18


def test_drift_analysis_finds_the_two_large_families(seed_report):
    drift = seed_report["drift"]
    assert drift["escalations"] == 18
    assert drift["children"] == 18
    assert drift["sibling_groups"] == 2
    assert drift["children_in_sibling_groups"] == 12


def test_most_first_responses_came_within_24_hours(seed_report):
    assert seed_report["first_response_within_24h"] == 174
    assert seed_report["timeliness"]["first_response_within_24h_percent"] == 94.6


def test_every_escalation_is_resolved_by_the_end_of_the_year(seed_report):
    outcomes = {row["code"]: row["escalations"] for row in seed_report["outcomes"]}
    assert outcomes == {"resolved": 184, "not_resolved": 0, "withdrawn": 0, "open_at_end": 0}


# --- every format, parsed back and compared with the JSON cell for cell --------------------------


def _theme_rows(report):
    """(label, escalations, percent) of every theme row and sub-theme row, as the JSON has them."""
    rows = []
    for row in report["themes"]:
        rows.append((row["label"], row["escalations"], row["percent"]))
        rows += [(sub["label"], sub["escalations"], None) for sub in row["subthemes"]]
    return rows


def _percent(value):
    return "" if value is None else f"{value:.1f}%"


def test_the_json_parses_back_to_the_report(seed_report):
    assert json.loads(render_json(seed_report)) == seed_report


def test_the_word_themes_table_matches_the_json(seed_report):
    document = docx.Document(io.BytesIO(render_docx(seed_report)))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Theme")
    cells = [[cell.text for cell in row.cells][:3] for row in table.rows[1:]]
    expected = [[label, str(count), _percent(pct)] for label, count, pct in _theme_rows(seed_report)]
    assert [[label.lstrip("– "), count, pct] for label, count, pct in cells] == expected


def test_the_excel_themes_sheet_matches_the_json(seed_report):
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(seed_report)))["Themes"]
    rows = _theme_rows(seed_report)
    cells = [list(row[:3]) for row in sheet.iter_rows(min_row=2, max_row=len(rows) + 1, values_only=True)]
    expected = [[label, count, pct] for label, count, pct in rows]
    assert [[label.lstrip("– "), count, pct] for label, count, pct in cells] == expected


def test_the_pdf_shows_the_json_theme_rows_in_order(seed_report):
    reader = PdfReader(io.BytesIO(render_pdf(seed_report)))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    at = text.index("Themes")
    for label, count, pct in _theme_rows(seed_report):
        at = text.index(label[:25], at)
        at = text.index(str(count), at)
        if pct is not None:
            at = text.index(_percent(pct), at)
    assert "184" in text and "178" in text


def test_the_html_themes_rows_match_the_json(seed_report):
    html = render_html(seed_report)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)
    cells = [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        for row in rows
    ]
    start = next(i for i, row in enumerate(cells) if row[:1] == ["Theme"])
    body = [row[:3] for row in cells[start + 1 : start + 1 + len(_theme_rows(seed_report))]]
    expected = [[label, str(count), _percent(pct)] for label, count, pct in _theme_rows(seed_report)]
    assert [[label.lstrip("– "), count, pct] for label, count, pct in body] == expected


# --- the paper's key issues, drafted from the figures in the seed's register ------------------------


def _key_issues_paragraph(document: bytes) -> str:
    """The first paragraph under "2015-16 representations / escalations" in the Word paper."""
    paragraphs = docx.Document(io.BytesIO(document)).paragraphs
    heading = next(i for i, p in enumerate(paragraphs) if p.text == "2015-16 representations / escalations")
    assert paragraphs[heading].style.name == "Heading 2"
    return paragraphs[heading + 1].text


@pytest.mark.parametrize("published", ["closed", "open"])
def test_the_word_papers_key_issues_state_the_seeds_figures(seed_reports, published):
    paragraph = _key_issues_paragraph(render_docx(seed_reports[published]))
    assert paragraph == (
        "3.\tDuring 2015-16 there were 184 recorded representations and escalations to managers from IROs "
        "concerning 178 children. The majority of the escalations were followed up within 24 hours, but in 9 "
        "cases the matter had to be escalated to a head of service or an assistant director to resolve."
    )


def test_the_word_paper_follows_the_seeds_order(seed_reports):
    paragraphs = docx.Document(io.BytesIO(render_docx(seed_reports["open"]))).paragraphs
    parts = [p.text for p in paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    assert parts == [
        "Recommendations",
        "Background information",
        "Key issues for consideration",
        "2015-16 representations / escalations",
        "Comments and issues in relation to the escalations",
        "Brief anonymised case descriptions",
        "Finance / legal issues",
        "Community impact statement",
        "Background documents",
        "Appendices",
        "Audit trail",
        "Appendix 1: the figures, 2015-16 (1 April 2015 to 31 March 2016)",
    ]


def test_the_drift_section_is_drafted_from_the_drift_figures(seed_report):
    paragraphs = [p.text for p in docx.Document(io.BytesIO(render_docx(seed_report))).paragraphs]
    assert (
        "5.\tIROs have a key role in scrutinising and improving care planning and challenging drift and delay. "
        "Out of 184 representations and escalations to managers in 2015-16, 18 (9.8%) were directly related to IRO "
        "concern about drift or delay in care planning."
    ) in paragraphs
    assert (
        "6.\tThe 18 children escalated for drift in care planning included two sibling groups accounting for 12 "
        "children."
    ) in paragraphs


def test_the_pdf_carries_the_same_key_issues(seed_reports):
    text = re.sub(
        r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(seed_reports["open"]))).pages)
    )
    assert (
        "During 2015-16 there were 184 recorded representations and escalations to managers from IROs concerning "
        "178 children. The majority of the escalations were followed up within 24 hours, but in 9 cases the matter "
        "had to be escalated to a head of service or an assistant director to resolve."
    ) in text
