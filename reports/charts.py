"""Charts for the committee report, drawn with matplotlib from the report dictionary.

Two charts: escalations by theme (horizontal bars) and escalations by month (bars). Each comes as
SVG text, for HTML and the PDF, or PNG bytes, for Word. The same numbers are always in a table
next to the chart (:mod:`reports.renderers.tables`), so the chart is never the only way to read
them.

- Agg backend, and figures are made with :class:`matplotlib.figure.Figure` rather than pyplot,
  so nothing needs a display or keeps global state between requests.
- Deterministic: the SVG has a fixed ``svg.hashsalt`` and no date, so the same report always gives
  the same bytes.
- Accessible SVG: ``role="img"`` with a ``<title>`` and a ``<desc>`` that lists the numbers; every
  ``id`` is prefixed with the chart's name so two charts can sit inline in one HTML page.
- Values hidden by small-number suppression (``None``) are left out, and the description says so.
- Drawn once: a chart is a pure function of its numbers, so each rendered SVG or PNG is kept in
  Django's ``charts`` cache (settings ``CACHES``), keyed by a sha256 of exactly what the drawing
  uses (:func:`chart_key`: the chart, the format, the labels and numbers, the SVG's title and
  description, :data:`CHART_VERSION` and matplotlib's version). The same numbers again are not
  drawn again; different numbers are a different key, so nothing is ever stale.
"""

from __future__ import annotations

import io
import re
import textwrap
from html import escape

import matplotlib

from core.kept import kept, kept_key

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

# Bump when the drawing or the SVG's tidying below changes: charts cached by the old code are then
# never read again (they age out of the cache).
CHART_VERSION = 1
CACHE = "charts"  # the alias in settings.CACHES

BAR = "#1d70b8"  # GOV.UK blue
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: no system font or network needed
    "font.size": 9,
    "svg.fonttype": "none",  # text stays text: smaller files, and searchable
    "svg.hashsalt": "iro-escalations",
    "text.color": TEXT,
    "axes.edgecolor": GRID,
    "axes.labelcolor": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
}


# --- data ----------------------------------------------------------------------------------------


def _split(items: list[tuple[str, int | None]]) -> tuple[list[tuple[str, int]], list[str]]:
    """(label, value) pairs to draw, and the labels left out because their value is suppressed."""
    return [(label, n) for label, n in items if n is not None], [label for label, n in items if n is None]


def _themes_rows(report: dict) -> list[tuple[str, int | None]]:
    """What the themes chart draws: each theme's label and count (``None`` when hidden)."""
    return [(row["label"], row["escalations"]) for row in report["themes"]]


def _monthly_rows(report: dict) -> list[tuple[str, int | None]]:
    """What the monthly chart draws: each month's label ("April 2015") and count."""
    return [(row["label"], row["escalations"]) for row in report["monthly"]]


def _themes_data(report: dict):
    return _split(_themes_rows(report))


def _monthly_data(report: dict):
    return _split(_monthly_rows(report))


def _values(shown: list[tuple[str, int]]) -> str:
    return " " + "; ".join(f"{label}: {n}" for label, n in shown) + "." if shown else ""


def _left_out(report: dict, hidden: list[str]) -> str:
    if not hidden:
        return ""
    return f" Not shown, to protect children's privacy: {', '.join(hidden)}."


def themes_description(report: dict) -> tuple[str, str]:
    """The chart's title and its text description (the numbers it shows)."""
    shown, hidden = _themes_data(report)
    return (
        f"Escalations by theme, {report['period']['label']}",
        f"Horizontal bar chart of the number of escalations about each theme.{_values(shown)}"
        f"{_left_out(report, hidden)} The same numbers are in the Themes table.",
    )


def monthly_description(report: dict) -> tuple[str, str]:
    shown, hidden = _monthly_data(report)
    return (
        f"Escalations by month, {report['period']['label']}",
        f"Bar chart of the number of escalations raised each month.{_values(shown)}"
        f"{_left_out(report, hidden)} The same numbers are in the Escalations by month table.",
    )


def themes_left_out(report: dict) -> str:
    """A note for under the chart naming the themes it leaves out, or ""."""
    return _left_out(report, _themes_data(report)[1]).strip()


def monthly_left_out(report: dict) -> str:
    return _left_out(report, _monthly_data(report)[1]).strip()


# --- drawing -------------------------------------------------------------------------------------


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    fig.patch.set_facecolor("white")
    return fig


def _tidy(ax, grid_axis: str) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis=grid_axis, color=GRID, linewidth=0.5)
    ax.set_axisbelow(True)


def _draw_themes(rows: list[tuple[str, int | None]]) -> Figure:
    shown, _ = _split(rows)
    shown = shown[::-1]  # barh draws bottom-up: put the largest theme at the top
    labels = [textwrap.fill(label, 42) for label, _ in shown]
    values = [n for _, n in shown]
    fig = _figure(7, 0.28 * max(len(shown), 1) + 0.75)
    ax = fig.add_subplot()
    bars = ax.barh(range(len(values)), values, color=BAR, height=0.65)
    ax.set_yticks(range(len(values)), labels)
    ax.bar_label(bars, padding=3, fontsize=8)
    ax.set_xlabel("Escalations")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(values + [1]) * 1.12)
    ax.tick_params(axis="y", length=0)
    _tidy(ax, "x")
    return fig


def _month_tick(label: str, first: bool) -> str:
    month, year = label.split()[0], label.split()[-1]
    return f"{month[:3]}\n{year}" if first or month == "January" else month[:3]


def _draw_monthly(months: list[tuple[str, int | None]]) -> Figure:
    fig = _figure(7, 2.8)
    ax = fig.add_subplot()
    positions = [i for i, (_, n) in enumerate(months) if n is not None]
    values = [months[i][1] for i in positions]
    bars = ax.bar(positions, values, color=BAR, width=0.65)
    ax.bar_label(bars, padding=2, fontsize=8)
    ax.set_xticks(range(len(months)), [_month_tick(label, i == 0) for i, (label, _) in enumerate(months)])
    ax.set_xlim(-0.6, len(months) - 0.4)
    ax.set_ylabel("Escalations")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(values + [1]) * 1.15)
    ax.tick_params(axis="x", length=0)
    _tidy(ax, "y")
    return fig


# --- output --------------------------------------------------------------------------------------


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(out, format="png", dpi=200, metadata={"Software": None})
    return out.getvalue()


def _declarations(css: str) -> str:
    """``fill: #fff; stroke: none`` as ``fill="#fff" stroke="none"``."""
    pairs = (d.split(":", 1) for d in css.split(";") if d.strip())
    return " ".join(f'{name.strip()}="{value.strip()}"' for name, value in pairs)


def _presentation_attributes(svg: str) -> str:
    """matplotlib's inline styles as SVG presentation attributes, which draw the same, so the chart
    needs no inline style under the pages' Content-Security-Policy. Its one stylesheet rule
    (``*{stroke-linejoin: round; stroke-linecap: butt}``) goes on the root, whence both inherit."""
    rule = re.search(r'\s*<style type="text/css">\*\{(.*?)\}</style>', svg, flags=re.DOTALL)
    if rule:
        svg = svg[: rule.start()] + svg[rule.end() :]
        svg = svg.replace("<svg", f"<svg {_declarations(rule.group(1))}", 1)
    return re.sub(r'style="([^"]*)"', lambda m: _declarations(m.group(1)), svg)


def _svg(fig: Figure, name: str, title: str, desc: str) -> str:
    out = io.StringIO()
    with matplotlib.rc_context({**STYLE, "svg.hashsalt": f"iro-escalations-{name}"}):
        fig.savefig(out, format="svg", metadata={"Date": None})
    svg = out.getvalue()
    svg = svg[svg.index("<svg") :]  # no XML declaration or DOCTYPE: the text can go inline in HTML
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)  # matplotlib's credits
    svg = svg.replace("font-family: 'DejaVu Sans'", "font-family: 'DejaVu Sans', Arial, sans-serif")
    svg = _presentation_attributes(svg)
    # Unique ids, so several charts can share one HTML page.
    svg = re.sub(r'\bid="', f'id="{name}-', svg)
    svg = svg.replace("url(#", f"url(#{name}-").replace('href="#', f'href="#{name}-')
    accessible = (
        f'<svg role="img" aria-labelledby="{name}-title {name}-desc"'
        f"{svg[4 : svg.index('>') + 1]}"
        f'<title id="{name}-title">{escape(title)}</title><desc id="{name}-desc">{escape(desc)}</desc>'
    )
    return accessible + svg[svg.index(">") + 1 :]


def chart_key(*, name: str, rows: list[tuple[str, int | None]], fmt: str, title: str, desc: str) -> str:
    """The cache key of a chart: a sha256 of exactly what drawing it uses. The PNG has no title or
    description (Word gives the picture its own), so they are not part of its key."""
    drawn = {
        "version": CHART_VERSION,
        "matplotlib": matplotlib.__version__,
        "name": name,
        "fmt": fmt,
        "rows": [[label, n] for label, n in rows],
    }
    if fmt == "svg":
        drawn |= {"title": title, "desc": desc}
    return kept_key("chart", drawn)


def _render(name: str, rows: list[tuple[str, int | None]], draw, title: str, desc: str, fmt: str):
    if fmt not in ("svg", "png"):
        raise ValueError(f"Charts come as svg or png, not {fmt!r}.")

    def make():
        with matplotlib.rc_context(STYLE):  # the style must hold while drawing, too
            fig = draw(rows)
        return _png(fig) if fmt == "png" else _svg(fig, name, title, desc)

    return kept(CACHE, chart_key(name=name, rows=rows, fmt=fmt, title=title, desc=desc), make)


def themes_chart(report: dict, fmt: str = "svg") -> str | bytes:
    """Escalations by theme: SVG text, or PNG bytes."""
    return _render("themes-chart", _themes_rows(report), _draw_themes, *themes_description(report), fmt)


def monthly_chart(report: dict, fmt: str = "svg") -> str | bytes:
    """Escalations by month: SVG text, or PNG bytes."""
    return _render("monthly-chart", _monthly_rows(report), _draw_monthly, *monthly_description(report), fmt)


# name: (draw, describe -> (title, description), note of what is left out)
CHARTS = {
    "themes": (themes_chart, themes_description, themes_left_out),
    "monthly": (monthly_chart, monthly_description, monthly_left_out),
}
