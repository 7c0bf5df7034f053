"""Every format shows the same tables, cell for cell.

One small year (2015-16) and the year before are built through the services, inside a
transaction that is rolled back; the reports are computed once per module. Each format is then
read back (HTML with html.parser, PDF with pypdf, Word with python-docx, Excel with openpyxl,
JSON with json) and compared with :func:`reports.renderers.tables.report_tables`.

The rendering tests do not use the database at all: pytest-django would fail any of them that
tried, which is how the renderers are shown to be pure functions of the report dictionary.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from html.parser import HTMLParser

import docx
import openpyxl
import pytest
from PIL import Image
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from reports.periods import Period
from reports.renderers import (
    render_docx,
    render_html,
    render_html_document,
    render_json,
    render_pdf,
    render_xlsx,
    report_heading,
    report_tables,
)
from reports.renderers.paper import default_paper
from reports.selectors import report_build
from tests.factories import london, raise_escalation


@pytest.fixture(scope="module")
def tables(report):
    return report_tables(report)


def table(tables, key):
    return next(t for t in tables if t.key == key)


def displays(t) -> list[list[str]]:
    return [[cell.display for cell in row] for row in t.rows]


# --- reading the formats back ----------------------------------------------------------------------


class _HtmlTables(HTMLParser):
    """Tables in HTML as [caption, [[cell text]]], leaving out text hidden from sight
    (aria-hidden arrows, govuk-visually-hidden words)."""

    def __init__(self):
        super().__init__()
        self.tables, self._hidden, self._cell, self._caption = [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        hidden = attrs.get("aria-hidden") == "true" or "govuk-visually-hidden" in (attrs.get("class") or "")
        if tag == "span":
            self._hidden.append(hidden)
        elif tag == "table":
            self.tables.append(["", []])
        elif tag == "caption":
            self._caption = ""
        elif tag == "tr":
            self.tables[-1][1].append([])
        elif tag in ("th", "td"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "span":
            self._hidden.pop()
        elif tag == "caption":
            self.tables[-1][0], self._caption = self._caption.strip(), None
        elif tag in ("th", "td"):
            self.tables[-1][1][-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if any(self._hidden):
            return
        if self._cell is not None:
            self._cell += data
        elif self._caption is not None:
            self._caption += data


def html_tables(html: str) -> list:
    parser = _HtmlTables()
    parser.feed(html)
    return parser.tables


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def word_tables(document: bytes) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in t.rows] for t in docx.Document(io.BytesIO(document)).tables]


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def html(report):
    return render_html(report)


@pytest.fixture(scope="module")
def pdf(report):
    return render_pdf(report)


@pytest.fixture(scope="module")
def word(report):
    return render_docx(report)


@pytest.fixture(scope="module")
def excel(report):
    return render_xlsx(report)


# --- the shared tables -----------------------------------------------------------------------------


def test_tables_come_in_the_reports_order(tables):
    assert [t.key for t in tables] == [
        "summary",
        "themes",
        "stages",
        "timeliness",
        "stage_targets",
        "drift",
        "drift_reasons",
        "drift_outcomes",
        "outcomes",
        "monthly",
        "comparison",
        "data_quality",
    ]


WATCHED = {
    "watched_from": "2015-10-01",
    "flags_raised": 12,
    "escalated": 5,
    "cleared": 9,
    "escalated_and_cleared": 4,
    "median_working_days_to_clear": 6.5,
    "reviews_recorded": True,
    "reviews_held": 40,
    "reviews_judged": 30,
    "reviews_on_time": 27,
    "reviews_on_time_percent": 90.0,
    "reviews_not_judged": 10,
    "participation": [
        {"code": "PN1", "label": "Child physically attends and speaks for themselves", "reviews": 40, "percent": 100.0}
    ],
}


def test_the_drift_watch_tables_come_last_once_the_watch_has_run(report):
    watched = report_tables({**report, "drift_watch": WATCHED})

    assert [t.key for t in watched][-2:] == ["drift_watch", "review_participation"]
    rows = {row[0]: row[1:] for row in displays(table(watched, "drift_watch"))}
    assert rows["Flags raised"] == ["12", ""] and rows["Reviews held on time"] == ["27", "90.0%"]
    assert "looked since 1 October 2015" in table(watched, "drift_watch").note


def test_the_participation_table_is_left_out_until_reviews_are_imported(report):
    watch = {**WATCHED, "reviews_recorded": False, "participation": []}
    for key in ("reviews_held", "reviews_judged", "reviews_on_time", "reviews_on_time_percent", "reviews_not_judged"):
        watch[key] = None

    watched = report_tables({**report, "drift_watch": watch})

    assert [t.key for t in watched][-1] == "drift_watch"
    assert "No SSDA903 reviews were imported" in table(watched, "drift_watch").note


def test_theme_rows_show_count_percent_and_children(tables):
    rows = {row[0]: row[1:] for row in displays(table(tables, "themes"))}
    assert rows["Care plans/pathway plans not completed on the system in good time"] == ["5", "62.5%", "5"]
    assert rows["Drift in care planning"] == ["2", "25.0%", "2"]


def test_subthemes_are_indented_rows_right_after_their_theme(tables):
    labels = table(tables, "themes").row_labels()
    safety = labels.index("Concerns about the young person's safety")
    assert labels[safety + 1] == "– Missing episodes"
    assert table(tables, "themes").rows[safety + 1][1].value == 1


def test_no_theme_row_has_a_dash_for_children(tables):
    assert displays(table(tables, "themes"))[-1] == ["No theme recorded", "1", "12.5%", "–"]


def test_themes_note_sits_under_the_themes_table(tables, report):
    assert table(tables, "themes").note == report["themes_note"]


def test_cells_keep_the_raw_values(tables):
    care_plans = table(tables, "themes").rows[0]
    assert [cell.value for cell in care_plans[1:]] == [5, 62.5, 5]


def test_comparison_changes_are_signed(tables):
    changes = {row[0]: row[3] for row in displays(table(tables, "comparison"))}
    assert changes["Escalations"] == "+4"
    assert changes["Contact with family members"] == "-2"
    assert changes["Cafcass referrals"] == "0"


def test_comparison_columns_are_the_two_periods(tables):
    assert table(tables, "comparison").columns == ["Measure", "2015-16", "2014-15", "Change"]


def test_monthly_rows_cover_every_month_of_the_year(tables):
    rows = displays(table(tables, "monthly"))
    assert rows[0] == ["April 2015", "0"] and rows[1] == ["May 2015", "3"] and len(rows) == 12


def test_suppressed_counts_and_their_percentages_read_c(suppressed):
    rows = {row[0]: row[1:] for row in displays(table(report_tables(suppressed), "themes"))}
    assert rows["Drift in care planning"] == ["[c]", "[c]", "[c]"]


def test_counts_at_the_threshold_are_shown(suppressed):
    rows = {row[0]: row[1:] for row in displays(table(report_tables(suppressed), "themes"))}
    assert rows["Care plans/pathway plans not completed on the system in good time"] == ["5", "62.5%", "5"]


def test_rendering_needs_no_database_queries(report, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        for render in (render_html, render_html_document, render_docx, render_xlsx, render_json):
            render(report)


@pytest.mark.parametrize(
    "render",
    [render_html, render_pdf, render_docx, render_xlsx, render_json],
    ids=["html", "pdf", "docx", "xlsx", "json"],
)
def test_a_period_without_escalations_renders(db, render):
    empty = report_build(period=Period.financial_year("2010-11"))
    assert render(empty)


def test_a_period_without_escalations_shows_dashes_for_percentages(db):
    empty = report_build(period=Period.financial_year("2010-11"))
    assert displays(table(report_tables(empty), "themes"))[0][1:3] == ["0", "–"]


# --- HTML ------------------------------------------------------------------------------------------


# Where the paper prints the tables: the themes in the key issues, the drift tables in the drift
# section, and the rest in appendix 1.
PAPER_ORDER = [
    "themes",
    "drift",
    "drift_reasons",
    "drift_outcomes",
    "summary",
    "stages",
    "timeliness",
    "stage_targets",
    "outcomes",
    "monthly",
    "comparison",
    "data_quality",
]


def in_paper_order(tables):
    return [table(tables, key) for key in PAPER_ORDER]


def test_the_paper_prints_every_table_once(tables):
    assert sorted(PAPER_ORDER) == sorted(t.key for t in tables)


def test_html_tables_match_the_shared_tables_cell_for_cell(html, tables):
    titles = {t.title for t in tables}
    printed = [found for found in html_tables(html) if found[0] in titles]
    assert printed == [[t.title, [t.columns, *displays(t)]] for t in in_paper_order(tables)]


def test_html_tables_use_govuk_markup(html):
    assert '<caption class="govuk-table__caption govuk-table__caption--m"' in html
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Escalations</th>' in html
    assert '<th scope="row" class="govuk-table__header">Escalations</th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">62.5%</td>' in html


def test_html_changes_have_an_arrow_and_words_for_screen_readers(html):
    assert '<span aria-hidden="true">▲</span> <span class="govuk-visually-hidden">up</span> +4' in html
    assert '<span aria-hidden="true">▼</span> <span class="govuk-visually-hidden">down</span> -2' in html
    assert '<span aria-hidden="true">–</span> <span class="govuk-visually-hidden">no change</span> 0' in html


def test_html_charts_are_inline_svg_with_a_title_and_description(html):
    assert html.count('<svg role="img" aria-labelledby=') == 2
    assert '<title id="themes-chart-title">Escalations by theme, 2015-16</title>' in html


def test_html_case_descriptions_are_numbered_i_ii(html, report):
    assert '<ul class="govuk-list iro-paper__cases">' in html
    assert f'<span class="iro-paper__case-label">(i)</span> {report["stories"][0]["text"]}' in html


def test_html_document_stands_alone(report):
    document = render_html_document(report)
    assert document.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(href|src)=["'](https?:|//|/)""", document)
    assert "<link" not in document


# --- PDF -------------------------------------------------------------------------------------------


def test_pdf_shows_every_table_cell_in_order(pdf, tables):
    text = squeeze(" ".join(pdf_text(pdf)))
    at = 0
    for t in in_paper_order(tables):
        at = text.index(t.title, at)
        for row in displays(t):
            at = text.index(row[0][:25], at)  # long labels wrap: the start is on the row's first line
            for value in row[1:]:
                if value:
                    at = text.index(value, at)


def test_pdf_pages_carry_title_classification_and_page_numbers(pdf):
    pages = pdf_text(pdf)
    for number, text in enumerate(pages, start=1):
        assert "Independent Reviewing Officer (IRO) escalations – 2015-16" in text
        assert "Classification: Open" in text
        assert f"Page {number} of {len(pages)}" in text


def test_pdf_pages_are_a4(pdf):
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert (round(float(page.mediabox.width) / 72 * 25.4), round(float(page.mediabox.height) / 72 * 25.4)) == (210, 297)


@pytest.mark.parametrize("url", ["https://example.invalid/logo.png", "file:///etc/hostname"])
def test_pdf_fetches_nothing(report, monkeypatch, url):

    monkeypatch.setattr(
        "reports.renderers.pdf.render_html_document", lambda report: f'<p>Logo</p><img src="{url}" alt="">'
    )
    with pytest.raises(FatalURLFetchingError):
        render_pdf(report)


# --- Word ------------------------------------------------------------------------------------------


def _word_data_tables(document, tables):
    """The Word tables that print one of the report's tables (their header row is its columns)."""
    headers = {tuple(t.columns) for t in tables}
    return [t for t in document.tables if tuple(cell.text for cell in t.rows[0].cells) in headers]


def test_word_tables_match_the_shared_tables_cell_for_cell(word, tables):
    printed = _word_data_tables(docx.Document(io.BytesIO(word)), tables)
    assert [[[cell.text for cell in row.cells] for row in t.rows] for t in printed] == [
        [t.columns, *displays(t)] for t in in_paper_order(tables)
    ]


def test_word_tables_are_grids_with_a_bold_header_row(word, tables):
    document = docx.Document(io.BytesIO(word))
    assert all(t.style.name == "Table Grid" for t in document.tables)
    for t in _word_data_tables(document, tables):
        assert all(run.bold for cell in t.rows[0].cells for run in cell.paragraphs[0].runs)


def test_word_parts_are_real_headings_in_the_seeds_order(word):
    headings = [
        (p.style.name, p.text) for p in docx.Document(io.BytesIO(word)).paragraphs if p.style.name.startswith("Heading")
    ]
    assert [text for style, text in headings if style == "Heading 1"] == [
        "Recommendations",
        "Background information",
        "Key issues for consideration",
        "Background documents",
        "Appendices",
        "Audit trail",
        "Appendix 1: the figures, 2015-16 (1 April 2015 to 31 March 2016)",
    ]
    assert [text for style, text in headings if style == "Heading 2"] == [
        "2015-16 representations / escalations",
        "Comments and issues in relation to the escalations",
        "Brief anonymised case descriptions",
        "Finance / legal issues",
        "Community impact statement",
    ]


def test_word_table_titles_are_headings_too(word, tables):
    titles = [p.text for p in docx.Document(io.BytesIO(word)).paragraphs if p.style.name == "Heading 3"]
    assert titles == [t.title for t in in_paper_order(tables)]


def test_word_has_both_charts_as_png_pictures(word):
    document = docx.Document(io.BytesIO(word))
    images = [rel.target_part.blob for rel in document.part.rels.values() if "image" in rel.reltype]
    assert len(document.inline_shapes) == 2
    assert all(image.startswith(b"\x89PNG\r\n\x1a\n") for image in images)


def test_word_case_descriptions_are_numbered_i_ii(word, report):
    paragraphs = [p.text for p in docx.Document(io.BytesIO(word)).paragraphs]
    assert [text for text in paragraphs if text.startswith("(i)")] == [f"(i)\t{report['stories'][0]['text']}"]


def test_word_paragraphs_are_numbered_through_the_paper(word):
    numbers = [
        int(p.text.split(".")[0])
        for p in docx.Document(io.BytesIO(word)).paragraphs
        if p.text[:1].isdigit() and ".\t" in p.text[:5]
    ]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 8


def test_word_cover_and_page_header_carry_the_classification(word):
    document = docx.Document(io.BytesIO(word))
    cover = document.tables[0]
    assert [cell.text for cell in cover.rows[0].cells] == ["Item No.", "Classification", "Date", "Meeting Name"]
    assert cover.rows[1].cells[1].text == "Open"
    assert document.sections[0].header.paragraphs[0].text.endswith("Classification: Open")


# --- Excel -----------------------------------------------------------------------------------------


def _in_excel(cell):
    """A number is stored as the number, a month as its first day (read back as a datetime); anything
    else as the text shown (a blank reads back as None)."""
    if isinstance(cell.value, (int, float)):
        return cell.value
    if cell.kind == "month":
        return dt.datetime.combine(cell.value, dt.time())
    return cell.display or None


def test_excel_sheets_match_the_shared_tables_cell_for_cell(excel, tables):
    book = workbook(excel)
    for t in tables:
        expected = [t.columns, *[[_in_excel(cell) for cell in row] for row in t.rows]]
        rows = book[t.sheet].iter_rows(max_row=len(t.rows) + 1, max_col=len(t.columns), values_only=True)
        assert [list(row) for row in rows] == expected


def test_excel_sheets_are_about_then_one_per_table_then_stories(excel, tables):
    assert workbook(excel).sheetnames == ["About", *[t.sheet for t in tables], "Case stories"]


def test_excel_sheet_names_are_unique_and_short(tables):
    names = [t.sheet for t in tables]
    assert len(set(names)) == len(names) and max(map(len, names)) <= 31


def test_excel_numbers_are_numbers_and_percentages_are_formatted(excel):
    care_plans = workbook(excel)["Themes"][2]
    assert [cell.value for cell in care_plans[1:4]] == [5, 62.5, 5]
    assert care_plans[2].number_format == '0.0"%"'


def test_excel_header_rows_are_bold(excel):
    book = workbook(excel)
    assert all(cell.font.bold for sheet in book.worksheets[1:] for cell in sheet[1] if cell.value)


def test_excel_about_sheet_names_the_report(excel):
    about = [row for row in workbook(excel)["About"].iter_rows(values_only=True)]
    assert about[0][0] == "Independent Reviewing Officer (IRO) escalations"
    assert ("Period", "2015-16 (1 April 2015 to 31 March 2016)") in about
    assert ("Classification", "Open") in about  # the label in one cell, the value in the next


# --- JSON ------------------------------------------------------------------------------------------


def test_json_is_the_report(report):
    assert json.loads(render_json(report)) == report


def test_json_is_deterministic_and_keeps_the_key_order(report):
    text = render_json(report)
    assert text == render_json(json.loads(text))
    assert list(json.loads(text)) == list(report)
    assert text.endswith("}\n")


def test_json_theme_rows_match_the_themes_table(report, tables):
    rows = [row for row in table(tables, "themes").rows if not row[0].level]
    assert [[r["escalations"], r["percent"], r["children"]] for r in report["themes"]] == [
        [cell.value for cell in row[1:]] for row in rows
    ]


# --- small numbers, in every format ----------------------------------------------------------------


def _c_in_html(report):
    return "[c]" in {cell for _, rows in html_tables(render_html(report)) for row in rows for cell in row}


def _c_in_pdf(report):
    return "[c]" in " ".join(pdf_text(render_pdf(report)))


def _c_in_word(report):
    return "[c]" in {cell for t in word_tables(render_docx(report)) for row in t for cell in row}


def _c_in_excel(report):
    themes = workbook(render_xlsx(report))["Themes"]
    return "[c]" in {cell for row in themes.iter_rows(values_only=True) for cell in row}


def _null_in_json(report):
    data = json.loads(render_json(report))
    drift = next(row for row in data["themes"] if row["code"] == "drift")
    return (
        data["small_numbers"]["suppressed_below"] == 5
        and drift["suppressed"]
        and drift["escalations"] is None
        and "escalations" in drift["suppressed_fields"]
    )


@pytest.mark.parametrize(
    "shown",
    [_c_in_html, _c_in_pdf, _c_in_word, _c_in_excel, _null_in_json],
    ids=["html", "pdf", "docx", "xlsx", "json"],
)
def test_suppressed_counts_show_as_c_in_every_format(suppressed, shown):
    assert shown(suppressed)


def test_charts_name_what_they_leave_out(suppressed):
    assert "Not shown, to protect children&#x27;s privacy: Drift in care planning" in render_html(suppressed)


def test_suppression_is_explained_at_the_top(suppressed):
    assert "Counts from 1 to 4 are not shown, and nor is any count" in render_html(suppressed)


# --- Excel: dates, charts, text that is only text --------------------------------------------------


def test_excel_dates_are_real_dates(excel):
    book = workbook(excel)
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row[0]}
    assert (about["Start"], about["End"]) == (dt.datetime(2015, 4, 1), dt.datetime(2016, 3, 31))
    april = book["Monthly trend"]["A2"]
    assert (april.value, april.number_format) == (dt.datetime(2015, 4, 1), "mmmm yyyy")


def test_excel_has_a_chart_beside_each_charted_table(excel, tables):
    book = workbook(excel)
    charted = {t.sheet for t in tables if t.chart}
    assert charted == {"Themes", "Monthly trend"}
    assert {sheet.title: len(sheet._charts) for sheet in book.worksheets if sheet._charts} == {
        "Themes": 1,
        "Monthly trend": 1,
    }


def test_excel_themes_chart_reads_the_themes_alone_labels_and_values_in_separate_cells(excel, report):
    sheet = workbook(excel)["Themes"]
    block = [row for row in sheet.iter_rows(min_col=6, max_col=7, values_only=True) if row[0]]
    assert block[0] == ("Theme (for the chart)", "Escalations")
    assert block[1:] == [(row["label"], row["escalations"]) for row in report["themes"]]


@pytest.mark.parametrize("text", ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_excel_never_makes_a_formula_of_text(report, text):
    risky = {**report, "stories": [{"number": 1, "text": text, "what_happened_next": text}]}
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(risky)))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    story = book["Case stories"]["B2"]
    assert (story.value, story.data_type, story.quotePrefix) == (text, "s", True)


# --- comparisons as printed ---------------------------------------------------------------------------


def test_a_comparison_with_a_year_of_no_records_shows_no_arrows(db, every_number_shown):
    raise_escalation(raised_at=london(2025, 6, 1, 10, 0))
    report = report_build(period=Period.financial_year("2025-26"))
    comparison = table(report_tables(report), "comparison")
    assert comparison.note == "No records for 2024-25, so there is nothing to compare with."
    assert {row[0].display: (row[2].display, row[3].display) for row in comparison.rows}["Escalations"] == (
        "no records",
        "–",
    )
    html = render_html(report)
    section = html[html.index('id="comparison"') :]
    section = section[: section.index("</section>")]
    assert "▲" not in section and "▼" not in section and "+1" not in section


def test_a_year_not_yet_ended_says_so_and_its_outcomes_are_so_far(db, every_number_shown):
    raise_escalation(raised_at=london(2026, 5, 1, 10, 0))
    report = report_build(period=Period.financial_year("2026-27"), now=london(2026, 11, 14, 12, 0))
    tables = report_tables(report)
    assert table(tables, "outcomes").title == "Outcomes so far"
    assert table(tables, "comparison").columns == [
        "Measure",
        "1 April 2026 to 14 November 2026",
        "1 April 2025 to 14 November 2025",
        "Change",
    ]
    assert "2026-27 has not ended: the figures are for 1 April 2026 to 14 November 2026" in " ".join(
        report_heading(report).notes
    )


# --- the council's logo on the cover -------------------------------------------------------------------


@pytest.fixture
def logo(tmp_path, settings):
    path = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), "#1d70b8").save(path)
    settings.REPORT_COUNCIL_LOGO = str(path)
    return path.read_bytes()


def test_the_logo_is_on_the_word_cover(report, logo):
    document = docx.Document(
        io.BytesIO(render_docx({**report, "paper": {**default_paper(report), "council": "Exampleshire"}}))
    )
    images = [rel.target_part.blob for rel in document.part.rels.values() if "image" in rel.reltype]
    assert logo in images
    assert document.inline_shapes[0]._inline.docPr.get("descr") == "Exampleshire logo"


def test_the_logo_is_on_the_html_and_pdf_cover(report, logo):
    document = render_html_document(report)
    assert '<img class="iro-paper__logo" src="data:image/png;base64,' in document
    assert render_pdf(report).startswith(b"%PDF")  # the data: URL is the only thing WeasyPrint fetches


def test_a_logo_that_is_not_an_image_is_left_out(report, tmp_path, settings):
    (tmp_path / "logo.png").write_text("not an image")
    settings.REPORT_COUNCIL_LOGO = str(tmp_path / "logo.png")
    assert '<img class="iro-paper__logo"' not in render_html_document(report)
