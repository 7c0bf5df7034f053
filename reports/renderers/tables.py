"""The committee report as titled tables: the one source every output format renders from.

:func:`report_tables` turns the report dictionary (:func:`reports.selectors.report_build`) into an
ordered list of :class:`Table`. Each cell carries the text to show (``display``) and the raw value
(``value``), so HTML, PDF and Word print ``display`` while Excel stores numbers as numbers, and all
of them show the same tables, cell for cell.

Display rules:

- counts and other numbers are written plainly (``184``, ``1.5``);
- percentages with one decimal and a sign: ``53.8%``; a percentage that cannot be given (no total,
  or hidden beside a suppressed count) is an en dash ``–``;
- a count or percentage hidden by small-number suppression (named in its object's
  ``"suppressed_fields"``) is ``[c]``, whether it was small itself or would have revealed one
  (:mod:`reports.disclosure`), so the two kinds cannot be told apart;
- a change on the previous period is signed: ``+3``, ``-2``, ``0``.

In every table the first column names the row and the other columns are numbers.

Pure functions of the dictionary: nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.formats import format_date

DASH = "–"  # en dash: a value that cannot be given
SUPPRESSED = "[c]"  # a value hidden to protect children's privacy (the GSS symbol for "confidential")
SUB_ROW_PREFIX = "– "  # marks a sub-theme row under its theme


@dataclass(frozen=True)
class Cell:
    display: str
    value: int | float | str | None
    kind: str = "text"  # text | month (a row label that is a month: value is its first day) | number | percent | change
    suppressed: bool = False
    level: int = 0  # 1 for a sub-row (a sub-theme under its theme)

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "month")

    @property
    def direction(self) -> str | None:
        """For a change: "up", "down" or "no change"; None when there is no change to show."""
        if self.kind != "change" or self.value is None:
            return None
        return "up" if self.value > 0 else "down" if self.value < 0 else "no change"


@dataclass(frozen=True)
class Table:
    key: str  # stable identifier, also used for chart placement and HTML ids
    title: str
    sheet: str  # Excel sheet name: unique, at most 31 characters
    columns: list[str]
    rows: list[list[Cell]]
    note: str = ""
    chart: str | None = None  # the chart shown just before this table ("themes", "monthly")

    def row_labels(self) -> list[str]:
        return [row[0].display for row in self.rows]


@dataclass(frozen=True)
class Heading:
    """What every format prints above the tables."""

    title: str
    period: str  # "2015-16 (1 April 2015 to 31 March 2016)"
    period_label: str  # "2015-16"
    classification: str  # "Classification: Open"
    notes: list[str] = field(default_factory=list)


# --- cells ---------------------------------------------------------------------------------------


def format_number(value: int | float) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return str(value)


class _Cells:
    """Makes cells for one report, which knows its suppression threshold."""

    def __init__(self, report: dict):
        self.threshold = (report.get("small_numbers") or {}).get("suppressed_below")

    def label(self, text: str, level: int = 0) -> Cell:
        return Cell(f"{SUB_ROW_PREFIX * level}{text}", text, level=level)

    def hidden(self, holder: dict, key: str) -> bool:
        """Whether ``holder[key]`` was hidden by small-number suppression."""
        if holder.get(key) is not None or not holder.get("suppressed"):
            return False
        fields = holder.get("suppressed_fields")
        return key in fields if fields is not None else True  # reports issued before the fields were named

    def count(self, holder: dict, key: str) -> Cell:
        """A count from ``holder[key]``, or ``[c]`` where it is hidden."""
        if self.hidden(holder, key):
            return Cell(SUPPRESSED, None, "number", suppressed=True)
        return self.number(holder[key])

    def number(self, value: int | float | None) -> Cell:
        return Cell(DASH if value is None else format_number(value), value, "number")

    def percent(self, value: float | None) -> Cell:
        return Cell(DASH if value is None else f"{value:.1f}%", value, "percent")

    def percent_of(self, holder: dict, key: str) -> Cell:
        if self.hidden(holder, key):
            return Cell(SUPPRESSED, None, "percent", suppressed=True)
        return self.percent(holder[key])

    def change(self, value: int | None) -> Cell:
        display = DASH if value is None else f"+{value}" if value > 0 else str(value)
        return Cell(display, value, "change")

    def change_of(self, holder: dict, key: str) -> Cell:
        if self.hidden(holder, key):
            return Cell(SUPPRESSED, None, "change", suppressed=True)
        return self.change(holder[key])

    def blank(self) -> Cell:
        """A cell with nothing to say (a measure that has no percentage)."""
        return Cell("", None, "number")


# --- the report ----------------------------------------------------------------------------------


def classification_text(report: dict) -> str:
    return f"Classification: {str(report['classification']).replace('_', ' ').capitalize()}"


def period_text(report: dict) -> str:
    period = report["period"]
    start, end = (format_date(dt.date.fromisoformat(period[key])) for key in ("start", "end"))
    span = f"{start} to {end}"
    return span if period["label"] == span else f"{period['label']} ({span})"


SUPPRESSION_NOTE = (
    "[c]: not shown, to protect children’s privacy. Counts from 1 to {last} are not shown, and nor is any "
    "count, percentage or change from which one of them could be worked out."
)


def suppression_note(report: dict) -> str:
    if not report.get("small_numbers"):
        return ""
    return SUPPRESSION_NOTE.format(last=report["small_numbers"]["suppressed_below"] - 1)


def report_heading(report: dict) -> Heading:
    notes = []
    if report.get("small_numbers"):
        notes.append(suppression_note(report))
    if not report["period"].get("complete", True):
        notes.append(
            f"{report['period']['label']} has not ended: the figures are for "
            f"{format_date(dt.date.fromisoformat(report['period']['start']))} to "
            f"{format_date(dt.date.fromisoformat(report['period']['figures_to']))}, and outcomes are as they "
            "stand so far."
        )
    return Heading(report["title"], period_text(report), report["period"]["label"], classification_text(report), notes)


def report_tables(report: dict) -> list[Table]:
    """The report's tables, in the order every format prints them."""
    c = _Cells(report)
    timeliness, drift = report["timeliness"], report["drift"]
    hours = timeliness["first_response_hours"]
    cap = timeliness["process_cap_working_days"]

    def counts(items: list[dict]) -> list[list[Cell]]:
        return [[c.label(item["label"]), c.count(item, "escalations")] for item in items]

    summary = [
        ("Escalations", "escalations"),
        ("Informal", "informal"),
        ("Formal", "formal"),
        ("Children", "children"),
        (f"First response within {hours} hours", "first_response_within_24h"),
        ("Reached head of service or above", "reached_head_of_service_or_above"),
        ("Referred to Cafcass", "cafcass_referrals"),
        ("No theme recorded", "theme_not_recorded"),
    ]
    themes = []
    for row in report["themes"]:
        themes.append(
            [
                c.label(row["label"]),
                c.count(row, "escalations"),
                c.percent_of(row, "percent"),
                # Children are not counted for escalations without a theme.
                c.number(None) if row["code"] == "not_recorded" else c.count(row, "children"),
            ]
        )
        for sub in row["subthemes"]:
            themes.append([c.label(sub["label"], level=1), c.count(sub, "escalations"), c.blank(), c.blank()])

    comparison = report["comparison"]
    tables = [
        Table(
            "summary",
            "Summary",
            "Summary",
            ["Measure", "Number"],
            [[c.label(label), c.count(report, key)] for label, key in summary],
        ),
        Table(
            "themes",
            "Themes",
            "Themes",
            ["Theme", "Escalations", "%", "Children"],
            themes,
            note=report["themes_note"],
            chart="themes",
        ),
        Table("stages", "Highest stage reached", "Stage reached", ["Stage", "Escalations"], counts(report["stages"])),
        Table(
            "timeliness",
            "Timeliness",
            "Timeliness",
            ["Measure", "Number", "%"],
            [
                [c.label("First response recorded"), c.count(timeliness, "first_response_recorded"), c.blank()],
                [
                    c.label(f"First response within {hours} hours"),
                    c.count(timeliness, "first_response_within_24h"),
                    c.percent_of(timeliness, "first_response_within_24h_percent"),
                ],
                [
                    c.label("First response judged on dates alone (no time recorded)"),
                    c.count(timeliness, "first_response_judged_on_dates_alone"),
                    c.blank(),
                ],
                [c.label("Formal escalations closed"), c.count(timeliness, "closed_formal"), c.blank()],
                [
                    c.label(f"Closed within {cap} working days"),
                    c.count(timeliness, "closed_within_cap"),
                    c.percent_of(timeliness, "closed_within_cap_percent"),
                ],
                [c.label("Responses to escalation steps"), c.count(timeliness, "responses"), c.blank()],
                [
                    c.label("Median response time (working days)"),
                    c.number(timeliness["median_response_working_days"]),
                    c.blank(),
                ],
                [
                    c.label("90th percentile response time (working days)"),
                    c.number(timeliness["p90_response_working_days"]),
                    c.blank(),
                ],
            ],
            note=(
                f"The first percentage is of all escalations; the second is of formal escalations closed. "
                f"The formal process should take no more than {cap} working days."
            ),
        ),
        Table(
            "stage_targets",
            "Responses within target, by stage",
            "Stage targets",
            ["Stage", "Target (working days)", "Responses", "Within target", "%"],
            [
                [
                    c.label(row["label"]),
                    c.number(row["target_working_days"]),
                    c.count(row, "responses"),
                    c.count(row, "within_target"),
                    c.percent_of(row, "percent"),
                ]
                for row in timeliness["stage_targets"]
            ],
        ),
        Table(
            "drift",
            "Drift in care planning",
            "Drift",
            ["Measure", "Number"],
            [
                [c.label("Escalations about drift"), c.count(drift, "escalations")],
                [c.label("Children"), c.count(drift, "children")],
                [c.label("Sibling groups (two or more children)"), c.count(drift, "sibling_groups")],
                [c.label("Children in those sibling groups"), c.count(drift, "children_in_sibling_groups")],
                [c.label("First responses recorded"), c.count(drift, "responses")],
                [
                    c.label("Median working days to first response"),
                    c.number(drift["median_first_response_working_days"]),
                ],
                [c.label("Longest working days to first response"), c.number(drift["max_first_response_working_days"])],
            ],
        ),
        Table(
            "drift_reasons",
            "Reasons for drift",
            "Drift reasons",
            ["Reason", "Escalations"],
            counts(drift["reasons"]),
            note="An escalation about drift can give more than one reason.",
        ),
        Table(
            "drift_outcomes",
            "Outcomes of escalations about drift",
            "Drift outcomes",
            ["Outcome", "Escalations"],
            counts(drift["outcomes"]),
        ),
        Table(
            "outcomes",
            "Outcomes at the end of the period" if report["period"].get("complete", True) else "Outcomes so far",
            "Outcomes",
            ["Outcome", "Escalations"],
            counts(report["outcomes"]),
        ),
        Table(
            "monthly",
            "Escalations by month",
            "Monthly trend",
            ["Month", "Escalations"],
            [
                [Cell(row["label"], dt.date.fromisoformat(f"{row['month']}-01"), "month"), c.count(row, "escalations")]
                for row in report["monthly"]
            ],
            chart="monthly",
        ),
        Table(
            "comparison",
            f"Comparison with {comparison['period']['label']}",
            "Comparison",
            [
                "Measure",
                comparison.get("current_period", report["period"])["label"],
                comparison["period"]["label"],
                "Change",
            ],
            [
                [
                    c.label(m["label"]),
                    c.count(m, "current"),
                    c.count(m, "previous") if comparison.get("available", True) else Cell("no records", None, "number"),
                    c.change_of(m, "change"),
                ]
                for m in comparison["measures"]
            ],
            note=comparison.get("note", ""),
        ),
        Table("data_quality", "Data quality", "Data quality", ["Check", "Escalations"], counts(report["data_quality"])),
    ]
    watch = report.get("drift_watch")  # reports issued before schema 3 have none
    if watch is not None and (watch["watched_from"] is not None or watch["reviews_recorded"]):
        tables += _drift_watch_tables(c, watch)
    return tables


REVIEW_TIMESCALES = (
    "Reviews are judged by the statutory timescales: the first within 20 working days of coming into care, "
    "the second no more than three months after it, and each later one no more than six months after the last."
)


def drift_watch_note(watch: dict) -> str:
    """What the drift watch's figures cover, in words."""
    if watch["watched_from"] is None:
        flags = "The drift watch had not run, so no flags are counted."
    elif watch["flags_raised"] is None:
        flags = "The drift watch began after this period ended, so no flags are counted."
    else:
        since = format_date(dt.date.fromisoformat(watch["watched_from"]))
        flags = (
            f"A flag is a statutory clock found past its due date (the drift watch has looked since {since}); "
            "it is counted in the period it was first found, and escalated or cleared by the period's end."
        )
    reviews = (
        REVIEW_TIMESCALES if watch["reviews_recorded"] else "No SSDA903 reviews were imported, so none are counted."
    )
    return f"{flags} {reviews}"


def _drift_watch_tables(c: _Cells, watch: dict) -> list[Table]:
    """The drift watch's table, and the participation table once the 903's reviews are in."""
    tables = [
        Table(
            "drift_watch",
            "The drift watch: statutory clocks",
            "Drift watch",
            ["Measure", "Number", "%"],
            [
                [c.label("Flags raised"), c.count(watch, "flags_raised"), c.blank()],
                [c.label("Escalated"), c.count(watch, "escalated"), c.blank()],
                [c.label("Cleared"), c.count(watch, "cleared"), c.blank()],
                [
                    c.label("Median working days from escalation to clearing"),
                    c.number(watch["median_working_days_to_clear"]),
                    c.blank(),
                ],
                [c.label("Reviews held"), c.count(watch, "reviews_held"), c.blank()],
                [c.label("Reviews judged against the timescales"), c.count(watch, "reviews_judged"), c.blank()],
                [
                    c.label("Reviews held on time"),
                    c.count(watch, "reviews_on_time"),
                    c.percent_of(watch, "reviews_on_time_percent"),
                ],
                [
                    c.label("Reviews not judged (the records start part-way through a period of care)"),
                    c.count(watch, "reviews_not_judged"),
                    c.blank(),
                ],
            ],
            note=drift_watch_note(watch),
        ),
        Table(
            "review_participation",
            "Children’s participation in their reviews",
            "Review participation",
            ["Participation", "Reviews", "%"],
            [
                [c.label(f"{row['code']}: {row['label']}"), c.count(row, "reviews"), c.percent_of(row, "percent")]
                for row in watch["participation"]
            ],
            note="Percentages are of the reviews held in the period.",
        ),
    ]
    return tables if watch["participation"] else tables[:1]
