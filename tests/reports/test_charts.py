"""The report's charts: well-formed, labelled SVG that is byte-stable, and PNG for Word.

The reports are built through the services once per module (see ``conftest``); drawing the
charts needs no database.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import caches

from reports import charts
from reports.charts import monthly_chart, themes_chart

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def drawn_text(svg: str) -> str:
    """The text drawn in the chart (each line of a wrapped label is its own <text>)."""
    root = ET.fromstring(svg)
    return " ".join(text.text or "" for text in root.iter(f"{SVG}text"))


def test_themes_svg_is_well_formed_xml(report):
    assert ET.fromstring(themes_chart(report)).tag == f"{SVG}svg"


def test_themes_svg_draws_every_theme_label(report):
    text = drawn_text(themes_chart(report))
    assert all(row["label"] in text for row in report["themes"])


def test_themes_svg_draws_the_counts(report):
    text = drawn_text(themes_chart(report)).split()
    assert all(str(row["escalations"]) in text for row in report["themes"])


def test_svg_is_an_image_with_a_title_and_description(report):
    root = ET.fromstring(themes_chart(report))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "themes-chart-title themes-chart-desc"
    assert root.find(f"{SVG}title").text == "Escalations by theme, 2015-16"
    assert "Drift in care planning: 2" in root.find(f"{SVG}desc").text


def test_themes_svg_is_byte_stable(report):
    assert themes_chart(report) == themes_chart(report)


def test_monthly_svg_is_byte_stable(report):
    assert monthly_chart(report) == monthly_chart(report)


def test_monthly_svg_labels_the_months(report):
    text = drawn_text(monthly_chart(report))
    assert re.search(r"Apr\s+2015", text) and "Jan" in text and "Mar" in text


def test_charts_ids_do_not_clash_on_one_page(report):
    ids = [re.findall(r'\bid="([^"]+)"', chart) for chart in (themes_chart(report), monthly_chart(report))]
    assert not set(ids[0]) & set(ids[1])


@pytest.mark.parametrize("chart", [themes_chart, monthly_chart])
def test_svg_has_no_inline_style_for_the_content_security_policy(report, chart):
    svg = chart(report)
    assert "style=" not in svg and "<style" not in svg
    assert 'stroke-linejoin="round"' in svg.split(">", 1)[0] and 'fill="#' in svg


def test_svg_has_no_date_or_xml_prolog(report):
    svg = themes_chart(report)
    assert svg.startswith("<svg") and "<dc:date>" not in svg


@pytest.mark.parametrize("chart", [themes_chart, monthly_chart], ids=["themes", "monthly"])
def test_png_starts_with_the_png_signature(report, chart):
    assert chart(report, "png").startswith(PNG_SIGNATURE)


def test_suppressed_themes_are_left_out_of_the_bars(suppressed):
    text = drawn_text(themes_chart(suppressed))
    assert "Drift in care planning" not in text
    assert "Care plans/pathway plans not completed on the system in good time" in text


def test_suppressed_themes_are_named_in_the_description(suppressed):
    desc = ET.fromstring(themes_chart(suppressed)).find(f"{SVG}desc").text
    assert "Not shown, to protect children's privacy: Drift in care planning" in desc


def test_suppressed_months_still_draw_as_png(suppressed):
    assert monthly_chart(suppressed, "png").startswith(PNG_SIGNATURE)


def test_other_formats_are_refused(report):
    with pytest.raises(ValueError, match="svg or png"):
        themes_chart(report, "gif")


# --- drawn once: the rendered charts are cached by what they draw --------------------------------


def with_month(report: dict, index: int, escalations: int) -> dict:
    changed = copy.deepcopy(report)
    changed["monthly"][index]["escalations"] = escalations
    return changed


@pytest.mark.parametrize("chart", [themes_chart, monthly_chart], ids=["themes", "monthly"])
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_the_same_numbers_are_drawn_once_and_give_the_same_bytes(report, draws, chart, fmt):
    first = chart(report, fmt)
    again = chart(copy.deepcopy(report), fmt)
    assert (len(draws), again) == (1, first)


def test_different_numbers_are_drawn_again(report, draws):
    monthly_chart(report)
    changed = monthly_chart(with_month(report, 0, report["monthly"][0]["escalations"] + 5))
    assert len(draws) == 2 and changed != monthly_chart(report)


def test_a_new_period_label_is_a_new_svg(report, draws):
    relabelled = copy.deepcopy(report)
    relabelled["period"]["label"] = "Another label"
    assert monthly_chart(relabelled) != monthly_chart(report) and len(draws) == 2


def test_svg_and_png_of_the_same_numbers_are_drawn_each(report, draws):
    monthly_chart(report, "svg")
    monthly_chart(report, "png")
    assert len(draws) == 2


def test_a_new_chart_version_draws_again(report, draws, monkeypatch):
    monthly_chart(report)
    monkeypatch.setattr(charts, "CHART_VERSION", charts.CHART_VERSION + 1)
    monthly_chart(report)
    assert len(draws) == 2


def test_drawn_again_from_an_empty_cache_the_bytes_are_the_same(report, draws):
    first = themes_chart(report)
    caches[charts.CACHE].clear()
    assert themes_chart(report) == first and len(draws) == 2


def test_the_key_covers_the_rows_format_and_words():
    key = {"name": "monthly-chart", "rows": [("April 2015", 3)], "fmt": "svg", "title": "T", "desc": "D"}
    variants = [
        {**key, "rows": [("April 2015", 4)]},
        {**key, "rows": [("May 2015", 3)]},
        {**key, "rows": [("April 2015", None)]},
        {**key, "fmt": "png"},
        {**key, "name": "themes-chart"},
        {**key, "title": "U"},
        {**key, "desc": "E"},
    ]
    keys = {charts.chart_key(**key)} | {charts.chart_key(**variant) for variant in variants}
    assert len(keys) == len(variants) + 1


def test_a_png_key_ignores_the_svgs_title_and_description():
    key = {"name": "monthly-chart", "rows": [("April 2015", 3)], "fmt": "png", "title": "T", "desc": "D"}
    assert charts.chart_key(**key) == charts.chart_key(**{**key, "title": "U", "desc": "E"})
