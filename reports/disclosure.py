"""Small-number suppression for Open reports: primary and secondary suppression.

Statistical disclosure control in the usual way (cell suppression):

1. **Primary.** Every count from 1 to ``threshold - 1`` is hidden. Zeros are shown.
2. **Secondary.** No hidden count may be worked out from the counts that are shown. The report's
   counts are tied together by equations (:func:`_equations`): the stages add up to the
   escalations; "head of service or above" is head of service plus assistant director plus
   director; the outcomes, the months, the first responses recorded and not recorded add up to
   the escalations; a comparison's change is this period less the last; the same count printed in
   two tables (drift escalations, no theme recorded...) is one count. A hidden count is *exposed*
   when those equations and the shown counts fix its value: by one subtraction (the total minus the
   other cells) or by any combination of equations across tables. This is checked exactly, by
   Gaussian elimination over the rationals (:func:`exposed_cells`). While a hidden count is
   exposed, the next-smallest shown cell of an equation that exposes it is hidden too (a change
   before a count, a non-zero part before a zero, a part before the total), and the check runs
   again, until nothing hidden can be worked out.
3. **Percentages** of a hidden count, or of a hidden total, are hidden.

Tables whose parts need not add up to their total (an escalation can carry several themes,
sub-themes or drift reasons, or none; children by theme overlap) are treated as adding up whenever
they do add up exactly in the data, since a reader may well assume they do and then subtract. When
they do not add up, that subtraction gives a wrong number, not the hidden one. The same goes for a
count and a part of it that a reader may take to be equal when they are: escalations and children
(one child each), a theme's escalations and its children, the escalations that reached a stage and
the responses at that stage, responses and those within target, drift escalations and their first
responses, formal escalations and those closed, closed and closed within the cap, first responses
and those within 24 hours.

Every hidden value becomes ``None``; the object that held it gets ``"suppressed": true`` and
``"suppressed_fields"``, the keys hidden in it. Hidden cells, primary or secondary, look the same
in every format, so the kind of a hidden cell reveals nothing.

Not covered: bounds (a hidden cell known to lie in a range), and figures a person types into the
paper's text, which the identifier check does not read for numbers.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field

# The comparison's current figures are the report's own: (measure code) -> cell id.
_MEASURE_CELLS = {
    "escalations": "escalations",
    "children": "children",
    "first_response_within_24h": "within_24h",
    "reached_head_of_service_or_above": "head_of_service_or_above",
    "cafcass_referrals": "cafcass",
}
_TOP_LEVEL = {
    "escalations": "escalations",
    "informal": "informal",
    "formal": "formal",
    "children": "children",
    "first_response_within_24h": "within_24h",
    "reached_head_of_service_or_above": "head_of_service_or_above",
    "cafcass_referrals": "cafcass",
    "theme_not_recorded": "no_theme",
}
_DATA_QUALITY = {
    "no_theme": "no_theme",
    "no_first_response": "no_first_response",
    "open_past_cap": "open_past_cap",
    "dates_alone": "dates_alone",
}


@dataclass(frozen=True)
class Equation:
    """``total = sum(parts)``, as ``terms``: cell -> coefficient (+1 the total, -1 each part), so that
    the sum of coefficient x value is a constant the reader is taken to know."""

    name: str
    terms: dict[str, int]
    total: str


@dataclass
class Figures:
    """The report's published counts: one cell per distinct quantity, with every place it is printed."""

    values: dict[str, int] = field(default_factory=dict)
    places: dict[str, list[tuple[dict, str]]] = field(default_factory=lambda: defaultdict(list))
    percents: list[tuple[dict, str, tuple[str, ...]]] = field(default_factory=list)
    equations: list[Equation] = field(default_factory=list)

    def add(self, cell: str, holder: dict, key: str) -> None:
        value = holder.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            return  # not published (null): nothing to protect or to work from
        if cell in self.values and self.values[cell] != value:
            cell = f"{cell}@{len(self.places)}"  # not the same quantity after all: no tie between them
        self.values[cell] = value
        self.places[cell].append((holder, key))

    def percent(self, holder: dict, key: str, *cells: str) -> None:
        if holder.get(key) is not None:
            self.percents.append((holder, key, cells))

    links: dict[str, str] = field(default_factory=dict)  # cell -> the cell it is hidden with (union-find)
    aliases: dict[str, str] = field(default_factory=dict)  # after merged(): each cell -> its merged cell

    def link(self, a: str, b: str) -> None:
        """Two counts a reader may take to be the same when they are equal: hidden together."""
        if a in self.values and b in self.values and self.values[a] == self.values[b]:
            ra, rb = self._root(a), self._root(b)
            if ra != rb:
                self.links[max(ra, rb)] = min(ra, rb)

    def _root(self, cell: str) -> str:
        while cell in self.links:
            cell = self.links[cell]
        return cell

    def merged(self) -> Figures:
        """The figures with linked cells made one cell (its places all of theirs)."""
        if not self.links:
            return self
        merged = Figures(percents=self.percents)
        for cell, value in self.values.items():
            root = self._root(cell)
            merged.values[root] = value
            merged.places[root].extend(self.places[cell])
        for eq in self.equations:
            terms = defaultdict(int)
            for cell, coefficient in eq.terms.items():
                terms[self._root(cell)] += coefficient
            terms = {cell: c for cell, c in terms.items() if c}
            if len(terms) >= 2:
                merged.equations.append(Equation(eq.name, terms, self._root(eq.total)))
        merged.aliases = {cell: self._root(cell) for cell in self.values}
        return merged

    def equation(self, name: str, total: str, parts: list[str], *, exact: bool = True) -> None:
        """``total = sum(parts)``. ``exact=False``: the parts may overlap or leave some out, so the
        equation is only used where the data happen to add up exactly."""
        parts = [part for part in parts if part in self.values]
        if total not in self.values or not parts:
            return
        terms = defaultdict(int)
        terms[total] += 1
        for part in parts:
            terms[part] -= 1
        terms = {cell: coefficient for cell, coefficient in terms.items() if coefficient}
        if not exact and sum(coefficient * self.values[cell] for cell, coefficient in terms.items()) != 0:
            return
        if len(terms) >= 2:
            self.equations.append(Equation(name, terms, total))


def report_figures(report: dict) -> Figures:
    """Every count the report publishes, where it is printed, and the equations between them."""
    f = Figures()
    for key, cell in _TOP_LEVEL.items():
        f.add(cell, report, key)

    theme_cells, theme_children = [], []
    for row in report["themes"]:
        code = row["code"]
        if code == "not_recorded":
            f.add("no_theme", row, "escalations")
            f.percent(row, "percent", "no_theme", "escalations")
            continue
        f.add(f"theme:{code}", row, "escalations")
        f.add(f"theme_children:{code}", row, "children")
        f.percent(row, "percent", f"theme:{code}", "escalations")
        theme_cells.append(f"theme:{code}")
        theme_children.append(f"theme_children:{code}")
        subthemes = []
        for sub in row["subthemes"]:
            f.add(f"subtheme:{code}:{sub['code']}", sub, "escalations")
            subthemes.append(f"subtheme:{code}:{sub['code']}")
        f.equation(f"sub-themes of {row['label']}", f"theme:{code}", subthemes, exact=False)
    f.equation("themes", "escalations", theme_cells + ["no_theme"], exact=False)
    f.equation("children by theme", "children", theme_children, exact=False)

    stages = report["stages"]
    for row in stages:
        f.add(f"stage:{row['code']}", row, "escalations")
    f.equation("stages", "escalations", [f"stage:{row['code']}" for row in stages])
    f.equation("formal and informal", "escalations", ["informal", "formal"])
    f.equation("formal stages", "formal", [f"stage:{row['code']}" for row in stages if row.get("formal")])
    f.equation("informal stages", "informal", [f"stage:{row['code']}" for row in stages if not row.get("formal")])
    f.equation(
        "head of service or above",
        "head_of_service_or_above",
        [f"stage:{row['code']}" for row in stages if row.get("head_of_service_or_above")],
    )

    t = report["timeliness"]
    f.add("responses_recorded", t, "first_response_recorded")
    f.add("within_24h", t, "first_response_within_24h")
    f.percent(t, "first_response_within_24h_percent", "within_24h", "escalations")
    f.add("dates_alone", t, "first_response_judged_on_dates_alone")
    f.add("closed_formal", t, "closed_formal")
    f.add("closed_within_cap", t, "closed_within_cap")
    f.percent(t, "closed_within_cap_percent", "closed_within_cap", "closed_formal")
    f.add("step_responses", t, "responses")
    target_responses = []
    for row in t["stage_targets"]:
        key = row.get("key", row["code"])
        f.add(f"target_responses:{key}", row, "responses")
        f.add(f"target_within:{key}", row, "within_target")
        f.percent(row, "percent", f"target_within:{key}", f"target_responses:{key}")
        target_responses.append(f"target_responses:{key}")
    f.equation("responses by stage", "step_responses", target_responses)

    d = report["drift"]
    f.add("theme:drift", d, "escalations")
    f.add("theme_children:drift", d, "children")
    f.add("sibling_groups", d, "sibling_groups")
    f.add("children_in_sibling_groups", d, "children_in_sibling_groups")
    f.add("drift_responses", d, "responses")
    for row in d["reasons"]:
        f.add(f"drift_reason:{row['code']}", row, "escalations")
    f.equation("drift reasons", "theme:drift", [f"drift_reason:{row['code']}" for row in d["reasons"]], exact=False)
    for row in d["outcomes"]:
        f.add(f"drift_outcome:{row['code']}", row, "escalations")
    f.equation("drift outcomes", "theme:drift", [f"drift_outcome:{row['code']}" for row in d["outcomes"]])

    for row in report["outcomes"]:
        f.add(f"outcome:{row['code']}", row, "escalations")
    f.equation("outcomes", "escalations", [f"outcome:{row['code']}" for row in report["outcomes"]])

    for row in report["monthly"]:
        f.add(f"month:{row['month']}", row, "escalations")
    f.equation("months", "escalations", [f"month:{row['month']}" for row in report["monthly"]])

    for row in report["data_quality"]:
        if row["code"] in _DATA_QUALITY:
            f.add(_DATA_QUALITY[row["code"]], row, "escalations")
    f.equation("first responses", "escalations", ["responses_recorded", "no_first_response"])

    # Counts of which one is a part of the other, and which a reader may well take to be equal when
    # they happen to be (one child per escalation; every step at a stage answered within its target):
    # when equal in the data they are one cell, hidden together.
    f.link("escalations", "children")
    for row in report["themes"]:
        if row["code"] != "not_recorded":
            f.link(f"theme:{row['code']}", f"theme_children:{row['code']}")
    for row in stages:
        keys = [r.get("key", r["code"]) for r in t["stage_targets"] if r["code"] == row["code"]]
        if len(keys) == 1:
            f.link(f"stage:{row['code']}", f"target_responses:{keys[0]}")
        else:
            f.equation(
                f"reached and answered at {row['label']}",
                f"stage:{row['code']}",
                [f"target_responses:{key}" for key in keys],
                exact=False,
            )
    for r in t["stage_targets"]:
        key = r.get("key", r["code"])
        f.link(f"target_responses:{key}", f"target_within:{key}")
    f.link("theme:drift", "drift_responses")
    f.link("formal", "closed_formal")
    f.link("closed_formal", "closed_within_cap")
    f.link("responses_recorded", "within_24h")

    for m in report["comparison"]["measures"]:
        current = _MEASURE_CELLS.get(m["code"], m["code"])  # theme:<code> is the theme's own cell
        f.add(current, m, "current")
        f.add(f"previous:{m['code']}", m, "previous")
        f.add(f"change:{m['code']}", m, "change")
        # change = current - previous, written as current = previous + change
        if f"change:{m['code']}" in f.values and f"previous:{m['code']}" in f.values:
            f.equation(f"change in {m['label']}", current, [f"previous:{m['code']}", f"change:{m['code']}"])

    if report.get("drift_watch") is not None:
        _drift_watch_figures(f, report["drift_watch"])
    return f


def _drift_watch_figures(f: Figures, w: dict) -> None:
    """The drift watch's counts: flags (escalated and cleared are parts of those raised), reviews
    (judged or not, on time) and participation (adding up to the reviews held)."""
    for key in ("flags_raised", "escalated", "cleared", "escalated_and_cleared"):
        f.add(f"watch:{key}", w, key)
    for key in ("reviews_held", "reviews_judged", "reviews_on_time", "reviews_not_judged"):
        f.add(f"watch:{key}", w, key)
    f.percent(w, "reviews_on_time_percent", "watch:reviews_on_time", "watch:reviews_judged")
    codes = [f"participation:{row['code']}" for row in w["participation"]]
    for row, cell in zip(w["participation"], codes, strict=True):
        f.add(cell, row, "reviews")
        f.percent(row, "percent", cell, "watch:reviews_held")
    f.equation("participation", "watch:reviews_held", codes)
    f.equation(
        "reviews judged or not", "watch:reviews_held", ["watch:reviews_judged", "watch:reviews_not_judged"], exact=False
    )
    for part in ("escalated", "cleared"):
        f.link("watch:flags_raised", f"watch:{part}")
        f.link(f"watch:{part}", "watch:escalated_and_cleared")
    f.link("watch:reviews_judged", "watch:reviews_on_time")


# --- the check -----------------------------------------------------------------------------------


_PRIME = 2**61 - 1  # a Mersenne prime: exact elimination over GF(p) stands in for the rationals


def exposed_cells(equations: list[Equation], hidden: set[str]) -> set[str]:
    """The hidden cells whose value the equations fix, given every shown cell.

    With the shown cells moved to the constant side, each equation is a linear equation in the
    hidden cells. A hidden cell is fixed exactly when its unit vector lies in the row space of those
    equations: in the reduced row echelon form, its column is a pivot whose row has no other entry.
    The elimination is done modulo a 61-bit prime: the coefficients are small integers, so the
    result is that over the rationals (a pivot vanishing modulo the prime would need a determinant
    that is a multiple of it, far beyond any of these tables).
    """
    columns = sorted({cell for eq in equations for cell in eq.terms if cell in hidden})
    if not columns:
        return set()
    index = {cell: i for i, cell in enumerate(columns)}
    rows = []
    for eq in equations:
        row = [0] * len(columns)
        for cell, coefficient in eq.terms.items():
            if cell in index:
                row[index[cell]] = (row[index[cell]] + coefficient) % _PRIME
        if any(row):
            rows.append(row)
    pivots = []  # (row, column)
    r = 0
    for c in range(len(columns)):
        pivot = next((i for i in range(r, len(rows)) if rows[i][c]), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        inverse = pow(rows[r][c], _PRIME - 2, _PRIME)
        rows[r] = [value * inverse % _PRIME for value in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c]:
                factor = rows[i][c]
                rows[i] = [(a - factor * b) % _PRIME for a, b in zip(rows[i], rows[r])]
        pivots.append((r, c))
        r += 1
        if r == len(rows):
            break
    return {columns[c] for r, c in pivots if not any(value for i, value in enumerate(rows[r]) if i != c)}


def primary_cells(figures: Figures, threshold: int) -> set[str]:
    """Counts from 1 to threshold - 1. (A change on the previous period is not a count of anything.)"""
    return {cell for cell, value in figures.values.items() if 0 < value < threshold and not cell.startswith("change:")}


def choose_hidden(figures: Figures, threshold: int) -> tuple[set[str], set[str]]:
    """(primary, secondary): the cells to hide so that none of them can be worked out.

    While a hidden cell is exposed, the shown cells of the equations it is in are tried in the usual
    order (:func:`_preference`: a change, then the smallest part, a total last), and the first whose
    hiding protects it is hidden. If none of those does (the cell is worked out through other
    tables), the shown cells of every equation that holds a hidden cell are tried, in the same order.
    If no single cell protects it, the one that leaves the fewest cells exposed is hidden, and the
    search goes on.
    """
    primary = primary_cells(figures, threshold)
    hidden = set(primary)
    equations = figures.equations
    exposed = exposed_cells(equations, hidden)
    while exposed:
        cell = min(exposed)
        chosen = None
        for group in (
            [eq for eq in equations if cell in eq.terms],
            [eq for eq in equations if hidden & eq.terms.keys()],
        ):
            candidates = sorted(
                {c for eq in group for c in eq.terms if c not in hidden},
                key=lambda c: _preference(figures, group, c),
            )
            for candidate in candidates:
                if cell not in exposed_cells(equations, hidden | {candidate}):
                    chosen = candidate
                    break
            if chosen is not None:
                break
        if chosen is None:  # no one cell protects it: hide the one that leaves the fewest exposed, and go on
            candidates = {c for eq in equations if hidden & eq.terms.keys() for c in eq.terms if c not in hidden}
            if not candidates:
                break  # every related count is hidden: what is left follows from the relations alone
            chosen = min(
                candidates,
                key=lambda c: (len(exposed_cells(equations, hidden | {c})), _preference(figures, equations, c)),
            )
        hidden.add(chosen)
        exposed = exposed_cells(equations, hidden)
    return primary, hidden - primary


def _preference(figures: Figures, equations: list[Equation], cell: str):
    """The order cells are tried in: a change first, then parts before totals, non-zero before zero,
    smallest first."""
    value = figures.values[cell]
    is_total = any(eq.total == cell and cell in eq.terms for eq in equations)
    rank = 0 if cell.startswith("change:") else 2 if is_total else 1
    return (rank, value == 0, abs(value), cell)


# --- applying it ---------------------------------------------------------------------------------


def suppress(report: dict, threshold: int) -> dict:
    """A copy of ``report`` with small counts and every count that would reveal one hidden."""
    report = copy.deepcopy(report)
    figures = report_figures(report).merged()
    primary, secondary = choose_hidden(figures, threshold)
    hidden = primary | secondary
    for cell in hidden:
        for holder, key in figures.places[cell]:
            _hide(holder, key)
    for holder, key, cells in figures.percents:
        if hidden & {figures.aliases.get(cell, cell) for cell in cells}:
            _hide(holder, key)
    report["small_numbers"] = {"suppressed_below": threshold, "method": "primary and secondary"}
    return report


def _hide(holder: dict, key: str) -> None:
    holder[key] = None
    holder["suppressed"] = True
    fields = holder.setdefault("suppressed_fields", [])
    if key not in fields:
        fields.append(key)
        fields.sort()
