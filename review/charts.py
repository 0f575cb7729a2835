"""Server-side charts for the review dashboard: matplotlib, rendered to inline SVG.

No JavaScript and nothing from a CDN: the gateway runs offline, so the charts are
plain SVG inside the HTML page.
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

_COLORS = ("#1f5f8b", "#d9822b", "#3c8d5a", "#b8433f", "#7a5aa6", "#8c6d31", "#5f6b73")


def iso_week(ts: str) -> str:
    """`2025-W07` for an ISO 8601 timestamp (the ISO week, Monday to Sunday)."""
    year, week, _ = datetime.fromisoformat(ts.replace("Z", "+00:00")).isocalendar()
    return f"{year}-W{week:02d}"


def _svg(fig: Figure) -> str:
    # Figure without pyplot: no global state, no GUI backend. Text stays text.
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "leitplanke"}):
        fig.savefig(
            buffer,
            format="svg",
            bbox_inches="tight",
            metadata={"Creator": None, "Date": None, "Format": None, "Type": None},
        )
    text = buffer.getvalue()
    # Inline in HTML: drop the XML prolog and DOCTYPE, keep the <svg> element.
    return text[text.index("<svg") :]


def _figure() -> tuple[Figure, Axes]:
    fig = Figure(figsize=(7.0, 3.2), dpi=96)
    ax = fig.subplots()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def stacked_weeks(rows: Iterable[tuple[str, str, int]], ylabel: str, xlabel: str) -> str | None:
    """Stacked bars: (timestamp, series, amount) rows summed per ISO week and series."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for ts, series, amount in rows:
        table[iso_week(ts)][series or "?"] += amount
    if not table:
        return None
    weeks = sorted(table)
    series_names = sorted({s for counts in table.values() for s in counts})
    fig, ax = _figure()
    bottom = [0] * len(weeks)
    for i, name in enumerate(series_names):
        heights = [table[w][name] for w in weeks]
        ax.bar(weeks, heights, bottom=bottom, label=name, color=_COLORS[i % len(_COLORS)])
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(series_names) > 1 or series_names != ["?"]:
        ax.legend(frameon=False, fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
    return _svg(fig)


def week_table(rows: Iterable[tuple[str, str, int]]) -> list[list[Any]]:
    """The numbers of `stacked_weeks` as a table: a header row of series names, then
    one row per week (for screen readers and anyone who prefers numbers)."""
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for ts, series, amount in rows:
        table[iso_week(ts)][series or ""] += amount
    if not table:
        return []
    names = sorted({s for counts in table.values() for s in counts})
    return [["", *names]] + [[week, *(table[week][n] for n in names)] for week in sorted(table)]


def horizontal_bars(
    counts: Mapping[str, int] | Sequence[tuple[str, int]], xlabel: str
) -> str | None:
    """Horizontal bars, largest on top."""
    items = list(counts.items()) if isinstance(counts, Mapping) else list(counts)
    items = [(label or "?", n) for label, n in items if n]
    if not items:
        return None
    items.sort(key=lambda item: (-item[1], item[0]))
    labels = [label for label, _ in reversed(items)]
    values = [n for _, n in reversed(items)]
    fig, ax = _figure()
    ax.barh(labels, values, color=_COLORS[0])
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for y, value in enumerate(values):
        ax.annotate(str(value), (value, y), xytext=(3, 0), textcoords="offset points", va="center")
    return _svg(fig)


def svg_ids_unique(svg: str, prefix: str) -> str:
    """Prefix the ids matplotlib writes so several inline SVGs on one page do not clash."""
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', svg)
    return re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
