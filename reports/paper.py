"""Reads for the committee paper: its sections as they stand, what is flagged, and its content.

The paper for a period is its :class:`reports.models.Paper` row (or, until the service manager first
saves something, the defaults) and its sections: each saved :class:`~reports.models.PaperSection`,
or else the text drafted afresh from the report (:mod:`reports.drafting`). A saved section whose
figures no longer match the report is *stale*, and blocks issuing until it is redrafted or its
numbers are confirmed.

:func:`paper_content` returns the paper as the JSON-ready ``report["paper"]`` every renderer prints,
with every free text it holds as :class:`reports.identifiers.TextItem`, for the identifier check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from reports.drafting import SECTIONS, THEME_PREFIX, draft, paper_figures, section_heading, stale_figures
from reports.identifiers import TextItem, story_subject
from reports.models import Paper
from reports.periods import Period
from reports.selectors import report_stories


def paper_for(period: Period) -> Paper | None:
    return Paper.objects.filter(period_start=period.start, period_end=period.end).first()


def paper_or_default(period: Period) -> Paper:
    """The saved paper for ``period``, or an unsaved one with the defaults."""
    return paper_for(period) or Paper(
        period_start=period.start,
        period_end=period.end,
        meeting_name=meeting_names()[0] if meeting_names() else "",
    )


def meeting_names() -> list[str]:
    return list(settings.REPORT_MEETING_NAMES)


def paper_subject(period: Period, key: str) -> str:
    """The override subject of one text of the paper for ``period``."""
    return f"paper:{period.start.isoformat()}:{period.end.isoformat()}:{key}"


@dataclass
class SectionState:
    key: str
    heading: str
    text: str
    drafted: bool  # written from the figures, and linked to them
    saved: bool  # the service manager has saved it (else it is drafted afresh each time)
    figures: dict = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)  # "escalations: 184 when written, 187 now"
    hint: str = ""

    @property
    def is_theme(self) -> bool:
        return self.key.startswith(THEME_PREFIX)


def theme_keys(report: dict) -> list[tuple[str, str]]:
    """(section key, theme label) for each theme row of the report, in the table's order."""
    return [(f"{THEME_PREFIX}{row['code']}", row["label"]) for row in report["themes"]]


def paper_sections(paper: Paper, report: dict) -> list[SectionState]:
    """Every text section and theme commentary of the paper, in the paper's order."""
    saved = {s.key: s for s in paper.sections.all()} if paper.pk else {}
    current = paper_figures(report)
    theme_labels = {row["code"]: row["label"] for row in report["themes"]}
    states = []
    keys = [(section.key, section.drafted, section.hint) for section in SECTIONS]
    keys[3:3] = [(key, False, "") for key, _ in theme_keys(report)]  # theme commentary after the key issues
    for key, drafted, hint in keys:
        heading = section_heading(key, theme_labels)
        stored = saved.get(key)
        if stored is not None:
            stale = stale_figures(stored.figures, current) if stored.figures else []
            states.append(SectionState(key, heading, stored.text, drafted, True, stored.figures, stale, hint))
        else:
            text, figures = draft(key, report, meeting_name=paper.meeting_name)
            states.append(SectionState(key, heading, text, drafted, False, figures, [], hint))
    return states


def paper_section(paper: Paper, report: dict, key: str) -> SectionState | None:
    return next((state for state in paper_sections(paper, report) if state.key == key), None)


def paper_content(period: Period, report: dict) -> tuple[dict, list[TextItem]]:
    """The paper's content for ``report["paper"]`` and ``report["stories"]``, and every free text in
    it for the identifier check (the very strings the content holds)."""
    paper = paper_or_default(period)
    sections = paper_sections(paper, report)
    items: list[TextItem] = []

    def text(key: str, label: str, value: str) -> str:
        """``value``, recorded as a text to check."""
        items.append(TextItem(paper_subject(period, key), label, value))
        return value

    stories = []
    for number, story in enumerate(report_stories(period), start=1):
        stories.append({"number": number, "text": story.text, "what_happened_next": story.what_happened_next})
        items.append(TextItem(story_subject(story.pk), f"Case story {number}", story.text))
        items.append(
            TextItem(
                story_subject(story.pk, "next"), f"What happened next in case story {number}", story.what_happened_next
            )
        )

    content = {
        "council": settings.SERVICE_COUNCIL_NAME,
        "cover": {
            "item_number": text("item_number", "The item number", paper.item_number),
            "meeting": paper.meeting_name,
            "meeting_date": paper.meeting_date.isoformat() if paper.meeting_date else None,
            "title": text("title", "The report title", paper.title),
            "wards": text("wards", "The wards or groups affected", paper.wards),
            "from": settings.REPORT_FROM,
        },
        "sections": [
            {"key": s.key, "heading": s.heading, "text": text(s.key, f"The section '{s.heading}'", s.text)}
            for s in sections
            if not s.is_theme
        ],
        "theme_commentary": {
            s.key[len(THEME_PREFIX) :]: text(s.key, f"The {s.heading.lower()}", s.text)
            for s in sections
            if s.is_theme and s.text
        },
        "background_documents": [
            {key: row.get(key, "") for key in ("title", "held_at", "contact")} for row in paper.background_documents
        ],
        "appendices": [{"title": row.get("title", "")} for row in paper.appendices],
        "audit_trail": {
            "lead_officer": settings.REPORT_LEAD_OFFICER,
            "report_author": settings.REPORT_AUTHOR,
            "version": text("version_label", "The version", paper.version_label),
            "dated": paper.dated.isoformat() if paper.dated else None,
            "key_decision": paper.key_decision,
            "consultation": [
                {
                    "officer": row.get("officer", ""),
                    "sought": bool(row.get("sought")),
                    "included": bool(row.get("included")),
                }
                for row in paper.consultation
            ],
            "sent_to_constitutional_officer": (
                paper.sent_to_constitutional_officer.isoformat() if paper.sent_to_constitutional_officer else None
            ),
        },
    }
    text(
        "documents",
        "The background documents",
        "\n".join(" ".join(row.values()) for row in content["background_documents"]),
    )
    text("appendices", "The appendices", "\n".join(row["title"] for row in content["appendices"]))
    text(
        "consultation",
        "The consultation table",
        "\n".join(row["officer"] for row in content["audit_trail"]["consultation"]),
    )
    return {"paper": content, "stories": stories}, items


def paper_stale_sections(paper: Paper, report: dict) -> list[SectionState]:
    return [state for state in paper_sections(paper, report) if state.stale]
