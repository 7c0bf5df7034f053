"""The paper's text sections, and the sentences drafted from the figures in the seed paper's register.

Pure functions of the report dictionary (:func:`reports.selectors.report_build`, as published, so
suppressed counts are never written out). Each drafted section comes with the figures it states
(:func:`draft`); a saved section keeps them, and :func:`stale_figures` names those the records no
longer match, so the paper cannot be issued saying "184 escalations" when there are now 187.

A section's text is paragraphs separated by a blank line. A line starting with "- " is a bullet of
the paragraph above it (the paper numbers paragraphs, not bullets).

Example (the seed's paragraph 3): "During 2015-16 there were 184 recorded representations and
escalations to managers from IROs concerning 178 children. The majority of the escalations were
followed up within 24 hours, but in 9 cases the matter had to be escalated to a head of service or
an assistant director to resolve."
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.numbers import percent
from reports.stories import number_words, sensible_lower


@dataclass(frozen=True)
class Section:
    key: str
    heading: str  # as the editing pages name it
    drafted: bool  # written from the figures (and so linked to them)
    hint: str = ""


# In the paper's order. Theme commentary ("theme:<code>") sits in the themes table, between
# key_issues and drift.
SECTIONS = [
    Section("recommendations", "Recommendations", False, "What the committee is asked to do."),
    Section("background", "Background information", False, "Why the committee has this paper."),
    Section(
        "key_issues",
        "Key issues for consideration",
        True,
        "Drafted from the figures: the escalations, the children, the first responses and how many went to a "
        "head of service or above.",
    ),
    Section(
        "drift",
        "Comments and issues in relation to the escalations",
        True,
        "Drafted from the figures about drift and delay in care planning, with the reasons recorded.",
    ),
    Section("finance_legal", "Finance and legal implications", False),
    Section("community_impact", "Community impact statement", False),
]
SECTION_KEYS = {section.key: section for section in SECTIONS}
THEME_PREFIX = "theme:"


def section_heading(key: str, theme_labels: dict[str, str]) -> str:
    if key.startswith(THEME_PREFIX):
        return f"Commentary on {theme_labels.get(key[len(THEME_PREFIX) :], key[len(THEME_PREFIX) :])}"
    return SECTION_KEYS[key].heading


def is_section_key(key: str, theme_codes: set[str]) -> bool:
    return key in SECTION_KEYS or (key.startswith(THEME_PREFIX) and key[len(THEME_PREFIX) :] in theme_codes)


# --- figures -------------------------------------------------------------------------------------


def paper_figures(report: dict) -> dict:
    """Every figure a drafted sentence can state, as the published report has it (None: hidden)."""
    escalations = report["escalations"]
    within = report["first_response_within_24h"]
    drift = report["drift"]
    senior = [
        row["code"]
        for row in report["stages"]
        if row.get("head_of_service_or_above") and (row["escalations"] is None or row["escalations"] > 0)
    ]
    drift_count = drift["escalations"]
    responses = drift["responses"]
    longest = drift["max_first_response_working_days"]
    return {
        "period": report["period"]["label"],
        "complete": report["period"].get("complete", True),
        "escalations": escalations,
        "children": report["children"],
        "within_24h_majority": None if within is None or not escalations else within * 2 > escalations,
        "head_of_service_or_above": report["reached_head_of_service_or_above"],
        "senior_stages_reached": senior,
        "drift_escalations": drift_count,
        "drift_percent": None if drift_count is None or escalations is None else percent(drift_count, escalations),
        "drift_children": drift["children"],
        "drift_sibling_groups": drift["sibling_groups"],
        "drift_children_in_sibling_groups": drift["children_in_sibling_groups"],
        "drift_all_answered_within_2_days": (
            None
            if responses is None or drift_count is None
            else bool(drift_count) and responses == drift_count and longest is not None and longest <= 2
        ),
        "drift_longest_first_response_days": longest,
        "drift_reasons": [row["code"] for row in drift["reasons"] if row["escalations"] is None or row["escalations"]],
    }


FIGURE_LABELS = {
    "period": "the period",
    "complete": "whether the period has ended",
    "escalations": "escalations",
    "children": "children",
    "within_24h_majority": "whether most were followed up within 24 hours",
    "head_of_service_or_above": "escalations that went to a head of service or above",
    "senior_stages_reached": "the senior stages reached",
    "drift_escalations": "escalations about drift",
    "drift_percent": "the percentage about drift",
    "drift_children": "children escalated for drift",
    "drift_sibling_groups": "sibling groups escalated for drift",
    "drift_children_in_sibling_groups": "children in those sibling groups",
    "drift_all_answered_within_2_days": "whether every drift escalation was answered within 2 working days",
    "drift_longest_first_response_days": "the longest first response to a drift escalation",
    "drift_reasons": "the reasons for drift",
}


def stale_figures(stored: dict, current: dict) -> list[str]:
    """The figures a saved section states that the records no longer match, as readable sentences."""
    stale = []
    for key, then in stored.items():
        now = current.get(key)
        if then != now:
            stale.append(f"{FIGURE_LABELS.get(key, key)}: {_say(then)} when written, {_say(now)} now")
    return stale


def _say(value) -> str:
    if value is None:
        return "not shown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value) or "none"
    return str(value)


# --- drafting ------------------------------------------------------------------------------------


def draft(key: str, report: dict, *, meeting_name: str = "") -> tuple[str, dict]:
    """(text, figures it states) for a section; theme commentary starts empty."""
    figures = paper_figures(report)
    if key == "key_issues":
        return _key_issues(report, figures)
    if key == "drift":
        return _drift(report, figures)
    if key == "recommendations":
        meeting = sensible_lower(meeting_name or "the committee")
        meeting = meeting if meeting.startswith("the ") else f"the {meeting}"
        return f"That this report be noted by {meeting}.", {}
    if key == "background":
        return (
            f"This report sets out the representations and escalations made to managers by independent reviewing "
            f"officers (IROs) in {_period_words(report)}: how and why cases were escalated, particularly about drift "
            "or delay in care planning, and what happened next.",
            {"period": figures["period"]},
        )
    if key == "finance_legal":
        return "There are no financial or legal implications arising from this report.", {}
    if key == "community_impact":
        return (
            "The decision to note this report has been judged to have no or a very small impact on local people "
            "and communities.",
            {},
        )
    return "", {}


def _period_words(report: dict) -> str:
    """The period in words with no full date in them (the identifier check refuses full dates):
    "2015-16", "2026-27 so far", "June 2015", "January to March 2016", or "the period of this report"."""
    period = report["period"]
    start, end = dt.date.fromisoformat(period["start"]), dt.date.fromisoformat(period["end"])
    if (start.month, start.day, end.month, end.day) == (4, 1, 3, 31) and end.year == start.year + 1:
        words = f"{start.year}-{end.year % 100:02d}"
    elif start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        if (start.year, start.month) == (end.year, end.month):
            words = f"{start:%B %Y}"
        elif start.year == end.year:
            words = f"{start:%B} to {end:%B %Y}"
        else:
            words = f"{start:%B %Y} to {end:%B %Y}"
    else:
        words = "the period of this report"
    return words if period.get("complete", True) else f"{words} so far"


def _count(value: int | None, one: str, many: str) -> str:
    if value is None:
        return f"a small number of {many}"
    return f"{value} {one if value == 1 else many}"


def _key_issues(report: dict, f: dict) -> tuple[str, dict]:
    used = {key: f[key] for key in ("period", "complete", "escalations", "children")}
    escalations, children = f["escalations"], f["children"]
    if escalations == 0:
        return (
            f"There were no recorded representations or escalations to managers from IROs in {_period_words(report)}.",
            used,
        )
    verb = "there were" if f["complete"] else "there have been"
    opening = (
        f"During {_period_words(report)} {verb} "
        f"{_count(escalations, 'recorded representation or escalation', 'recorded representations and escalations')} "
        f"to managers from IROs concerning {_count(children, 'child', 'children')}."
    )
    used["within_24h_majority"] = f["within_24h_majority"]
    used["head_of_service_or_above"] = f["head_of_service_or_above"]
    used["senior_stages_reached"] = f["senior_stages_reached"]
    senior = f["head_of_service_or_above"]
    where = _senior_words(report, f["senior_stages_reached"])
    if senior == 0:
        escalated = "no case had to be escalated to a head of service or above"
    elif senior is None:
        escalated = f"in some cases the matter had to be escalated to {where} to resolve"
    else:
        cases = "case" if senior == 1 else "cases"
        escalated = f"in {senior} {cases} the matter had to be escalated to {where} to resolve"
    if f["within_24h_majority"] is True:
        second = f"The majority of the escalations were followed up within 24 hours, but {escalated}."
    elif f["within_24h_majority"] is False:
        second = f"Fewer than half of the escalations were followed up within 24 hours, and {escalated}."
    else:
        second = f"{escalated[0].upper()}{escalated[1:]}."
    return f"{opening} {second}", used


def _senior_words(report: dict, codes: list[str]) -> str:
    """ "a head of service or an assistant director": the senior stages escalations reached."""
    labels = {row["code"]: row["label"] for row in report["stages"]}
    chosen = [labels[code] for code in codes] or [
        row["label"] for row in report["stages"] if row.get("head_of_service_or_above")
    ][:1]
    if not chosen:
        return "a head of service or above"
    phrases = [_with_article(sensible_lower(label)) for label in chosen]
    return phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} or {phrases[-1]}"


def _with_article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


DRIFT_FIGURES = [
    "period",
    "complete",
    "escalations",
    "drift_escalations",
    "drift_percent",
    "drift_children",
    "drift_sibling_groups",
    "drift_children_in_sibling_groups",
    "drift_all_answered_within_2_days",
    "drift_longest_first_response_days",
    "drift_reasons",
]
DRIFT_INTRO = "IROs have a key role in scrutinising and improving care planning and challenging drift and delay."


def _drift(report: dict, f: dict) -> tuple[str, dict]:
    used = {key: f[key] for key in DRIFT_FIGURES}
    drift, escalations, period = f["drift_escalations"], f["escalations"], _period_words(report)
    if escalations == 0:
        return f"{DRIFT_INTRO} There were no escalations in {period}, so none about drift.", used
    total = _count(escalations, "representation or escalation", "representations and escalations")
    if drift == 0:
        return (
            f"{DRIFT_INTRO} None of the {total} to managers in {period} was about drift or delay in care planning.",
            used,
        )
    if drift is None:
        about = "a small number were"
    else:
        share = f" ({f['drift_percent']:.1f}%)" if f["drift_percent"] is not None else ""
        about = f"{drift}{share} {'was' if drift == 1 else 'were'}"
    paragraphs = [
        f"{DRIFT_INTRO} Out of {total} to managers in {period}, {about} directly related to IRO concern about drift "
        "or delay in care planning."
    ]
    groups, in_groups, children = (
        f["drift_sibling_groups"],
        f["drift_children_in_sibling_groups"],
        f["drift_children"],
    )
    if groups and in_groups and children:
        families = "sibling group" if groups == 1 else "sibling groups"
        paragraphs.append(
            f"The {children} children escalated for drift in care planning included {number_words(groups)} {families} "
            f"accounting for {in_groups} children."
        )
    if f["drift_all_answered_within_2_days"]:
        paragraphs.append(
            "The IRO escalations about drift were all responded to quickly by the operational managers (within 2 "
            "working days in all cases)."
        )
    elif f["drift_longest_first_response_days"] is not None:
        paragraphs.append(
            "The longest wait for a first response to an escalation about drift was "
            f"{f['drift_longest_first_response_days']:g} working days."
        )
    labels = {row["code"]: row["label"] for row in report["drift"]["reasons"]}
    reasons = [labels[code] for code in f["drift_reasons"]]
    if reasons:
        paragraphs.append(
            "There are many different reasons for drift and delay in care planning. In the cases looked at these "
            "included:\n" + "\n".join(f"- {reason}" for reason in reasons)
        )
    return "\n\n".join(paragraphs), used


# --- reading a section's text ---------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    text: str
    bullets: tuple[str, ...] = ()


def paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs of a section: blank lines between them; "- " lines are bullets of the one above."""
    found: list[Paragraph] = []
    for block in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        prose = [line for line in lines if not line.startswith("- ")]
        bullets = tuple(line[2:].strip() for line in lines if line.startswith("- "))
        if prose:
            found.append(Paragraph(" ".join(prose), bullets))
        elif found:
            previous = found.pop()
            found.append(Paragraph(previous.text, previous.bullets + bullets))
        else:
            found.append(Paragraph("", bullets))
    return found


__all__ = [
    "FIGURE_LABELS",
    "SECTIONS",
    "SECTION_KEYS",
    "THEME_PREFIX",
    "Paragraph",
    "Section",
    "draft",
    "paper_figures",
    "paragraphs",
    "stale_figures",
]
