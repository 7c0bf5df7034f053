"""The committee paper as an ordered list of blocks, in the seed paper's order, for Word and HTML/PDF.

    cover block (item number, classification, date, meeting; title, wards, from)
    RECOMMENDATIONS, BACKGROUND INFORMATION              numbered paragraphs
    KEY ISSUES FOR CONSIDERATION                         the drafted paragraphs, then the themes table
                                                         with a commentary box under each theme, and
                                                         the themes chart
      Comments and issues in relation to the escalations the drift section and its tables
      Brief anonymised case descriptions                 each with what happened next
    Finance / legal issues, Community impact statement
    BACKGROUND DOCUMENTS, APPENDICES, AUDIT TRAIL        tables
    Appendix 1: the figures                              every other table of the report

Paragraphs are numbered through the paper, as committee papers are. Pure functions of the report
dictionary: a report without ``report["paper"]`` (one issued before the paper existed, or
:func:`reports.selectors.report_build` alone) gets the drafted defaults.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.formats import format_date
from reports.drafting import SECTIONS, draft, paragraphs
from reports.renderers.tables import Table, classification_text, report_heading, report_tables

APPENDIX_TABLES = [
    "summary",
    "stages",
    "timeliness",
    "stage_targets",
    "outcomes",
    "monthly",
    "comparison",
    "data_quality",
]
DRIFT_TABLES = ["drift", "drift_reasons", "drift_outcomes"]
DRIFT_WATCH_TABLES = ["drift_watch", "review_participation"]  # in reports of schema 3 on
DRIFT_WATCH_INTRO = (
    "The drift watch checks every looked-after child's statutory clocks each night (reviews, social worker "
    "visits, care plans, an allocated worker and missing episodes), so that drift is found before an IRO has "
    "to escalate it. What it found in the period, and what came of it:"
)
THEMES_INTRO = (
    "The main themes of the representations made were as follows (note that some escalations were about more "
    "than one issue):"
)
ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv"]


@dataclass(frozen=True)
class Cover:
    council: str
    grid: list[tuple[str, str]]  # Item No., Classification, Date, Meeting Name
    rows: list[tuple[str, str]]  # Report title, Ward(s) or groups affected, From
    kind: str = "cover"


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1: a part of the paper (RECOMMENDATIONS); 2: within it
    kind: str = "heading"


@dataclass(frozen=True)
class Paragraph:
    number: int | None
    text: str
    bullets: tuple[str, ...] = ()
    kind: str = "paragraph"


@dataclass(frozen=True)
class Note:
    text: str
    kind: str = "note"


@dataclass(frozen=True)
class TableBlock:
    table: Table
    commentary: dict[int, str] = field(default_factory=dict)  # a theme's row index -> the box under it
    kind: str = "table"

    @property
    def rows_and_commentary(self) -> list[tuple[list, str]]:
        return [(row, self.commentary.get(i, "")) for i, row in enumerate(self.table.rows)]

    @property
    def grouped(self) -> bool:
        """Whether the rows come in groups (a theme, its sub-themes and its commentary) to keep together."""
        return bool(self.commentary) or any(row[0].level for row in self.table.rows)


@dataclass(frozen=True)
class Chart:
    name: str
    kind: str = "chart"


@dataclass(frozen=True)
class Case:
    label: str  # "(i)"
    text: str
    what_happened_next: str


@dataclass(frozen=True)
class Cases:
    number: int
    intro: str
    cases: list[Case]
    empty: str = "No case descriptions were chosen for this report."
    kind: str = "cases"


@dataclass(frozen=True)
class Grid:
    """A small table of the paper's own (background documents, appendices, consultation)."""

    caption: str
    columns: list[str]
    rows: list[list[str]]
    show_caption: bool = True  # False where the heading above already says it
    kind: str = "grid"


@dataclass(frozen=True)
class Pairs:
    """Label and value rows (the audit trail)."""

    caption: str
    rows: list[tuple[str, str]]
    kind: str = "pairs"


@dataclass(frozen=True)
class PageBreak:
    kind: str = "page_break"


def _date(value: str | None) -> str:
    return format_date(dt.date.fromisoformat(value)) if value else ""


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def default_paper(report: dict) -> dict:
    """The drafted paper, for a report that carries none."""
    return {
        "council": "",
        "cover": {
            "item_number": "",
            "meeting": "",
            "meeting_date": None,
            "title": report["title"],
            "wards": "All",
            "from": "",
        },
        "sections": [{"key": s.key, "heading": s.heading, "text": draft(s.key, report)[0]} for s in SECTIONS],
        "theme_commentary": {},
        "background_documents": [],
        "appendices": [],
        "audit_trail": {
            "lead_officer": "",
            "report_author": "",
            "version": "",
            "dated": None,
            "key_decision": False,
            "consultation": [],
            "sent_to_constitutional_officer": None,
        },
    }


class _Numbers:
    def __init__(self):
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def paper_blocks(report: dict) -> list:
    """The whole paper, in order."""
    paper = report.get("paper") or default_paper(report)
    sections = {s["key"]: s["text"] for s in paper["sections"]}
    tables = {t.key: t for t in report_tables(report)}
    heading = report_heading(report)
    numbers = _Numbers()
    cover = paper["cover"]
    trail = paper["audit_trail"]
    period = report["period"]["label"]

    def section(key: str) -> list:
        return [Paragraph(numbers.next(), p.text, p.bullets) for p in paragraphs(sections.get(key, ""))]

    blocks: list = [
        Cover(
            paper.get("council", ""),
            [
                ("Item No.", cover["item_number"]),
                ("Classification", classification_text(report).removeprefix("Classification: ")),
                ("Date", _date(cover["meeting_date"])),
                ("Meeting Name", cover["meeting"]),
            ],
            [
                ("Report title", f"{cover['title']}: {period}"),
                ("Ward(s) or groups affected", cover["wards"]),
                ("From", cover["from"]),
            ],
        ),
        *[Note(note) for note in heading.notes],
        Heading("Recommendations", 1),
        *section("recommendations"),
        Heading("Background information", 1),
        *section("background"),
        Heading("Key issues for consideration", 1),
        Heading(f"{period} representations / escalations", 2),
        *section("key_issues"),
        Paragraph(numbers.next(), THEMES_INTRO),
        TableBlock(tables["themes"], _theme_commentary(report, paper["theme_commentary"])),
        Chart("themes"),
        Heading("Comments and issues in relation to the escalations", 2),
        *section("drift"),
        *[TableBlock(tables[key]) for key in DRIFT_TABLES],
        *_drift_watch_blocks(tables, numbers),
        Heading("Brief anonymised case descriptions", 2),
        Cases(
            numbers.next(),
            "Brief anonymised case descriptions:",
            [
                Case(f"({ROMAN[i] if i < len(ROMAN) else i + 1})", story["text"], story.get("what_happened_next", ""))
                for i, story in enumerate(report["stories"])
            ],
        ),
        Heading("Finance / legal issues", 2),
        *section("finance_legal"),
        Heading("Community impact statement", 2),
        *section("community_impact"),
        Heading("Background documents", 1),
        Grid(
            "Background documents",
            ["Background Papers", "Held At", "Contact"],
            [[d["title"], d["held_at"], d["contact"]] for d in paper["background_documents"]] or [["None", "", ""]],
            show_caption=False,
        ),
        Heading("Appendices", 1),
        Grid(
            "Appendices",
            ["No.", "Title"],
            [["Appendix 1", f"The figures: IRO escalations, {period}"]]
            + [[f"Appendix {i}", a["title"]] for i, a in enumerate(paper["appendices"], start=2)],
            show_caption=False,
        ),
        Heading("Audit trail", 1),
        Pairs(
            "Audit trail",
            [
                ("Lead Officer", trail["lead_officer"]),
                ("Report Author", trail["report_author"]),
                ("Version", trail["version"]),
                ("Dated", _date(trail["dated"])),
                ("Key Decision?", _yes_no(trail["key_decision"])),
            ],
        ),
        Grid(
            "Consultation with other officers / directorates / cabinet member",
            ["Officer Title", "Comments Sought", "Comments included"],
            [[c["officer"], _yes_no(c["sought"]), _yes_no(c["included"])] for c in trail["consultation"]]
            or [["None", "", ""]],
        ),
        Pairs(
            "Final report",
            [("Date final report sent to Constitutional Officer", _date(trail["sent_to_constitutional_officer"]))],
        ),
        PageBreak(),
        Heading(f"Appendix 1: the figures, {heading.period}", 1),
    ]
    for key in APPENDIX_TABLES:
        if tables[key].chart:
            blocks.append(Chart(tables[key].chart))
        blocks.append(TableBlock(tables[key]))
    return blocks


def _drift_watch_blocks(tables: dict[str, Table], numbers) -> list:
    if "drift_watch" not in tables:
        return []
    return [
        Heading("The drift watch", 2),
        Paragraph(numbers.next(), DRIFT_WATCH_INTRO),
        *[TableBlock(tables[key]) for key in DRIFT_WATCH_TABLES if key in tables],
    ]


def _theme_commentary(report: dict, commentary: dict[str, str]) -> dict[int, str]:
    """Commentary by the index of its theme's row in the themes table (sub-theme rows come after it)."""
    found, index = {}, 0
    for row in report["themes"]:
        if commentary.get(row["code"]):
            found[index] = commentary[row["code"]]
        index += 1 + len(row["subthemes"])
    return found
