"""The report's charts: matplotlib (Agg, no display), PNG or SVG, as data: URIs.

Deterministic: no timestamps or software versions in the files, fixed colours, fixed
sizes, the bundled DejaVu font. Inputs are already worded (labels in the report's
language), so this module knows nothing about languages or the store.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

ChartFormat = Literal["png", "svg"]

# Data classes in order of appearance; the rest of the palette for statuses/actions.
SERIES_COLOURS = ("#1f5fa8", "#d9822b", "#8e44ad", "#2e8b57", "#c0392b", "#7f8c8d", "#b7950b")
STATUS_COLOURS = {"approved": "#2e8b57", "tolerated": "#d9822b", "unapproved": "#c0392b"}
ACTION_COLOURS = {
    "allow": "#9bbf8a",
    "log": "#8fa9c9",
    "warn": "#e0a040",
    "redact": "#8e44ad",
    "block": "#c0392b",
}
WIDTH_IN = 7.0  # fits A4 portrait with 15 mm margins
DPI = 150
_STYLE: Any = {  # matplotlib types keys as a Literal of every rcParam
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "svg.hashsalt": "leitplanke-report",
    "svg.fonttype": "path",
}


@dataclass(frozen=True)
class Chart:
    name: str  # file-name friendly: weeks, tools, actions
    title: str
    mime: str
    data: bytes

    @property
    def uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    @property
    def extension(self) -> str:
        return "svg" if self.mime == "image/svg+xml" else "png"


def _save(fig: Figure, name: str, title: str, fmt: ChartFormat) -> Chart:
    buffer = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        return Chart(name, title, "image/svg+xml", buffer.getvalue())
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return Chart(name, title, "image/png", buffer.getvalue())


def _figure(height_in: float) -> Figure:
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    return fig


def weekly_chart(
    title: str,
    weeks: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    y_label: str,
    fmt: ChartFormat = "png",
) -> Chart:
    """Stacked bars: one bar per week, one segment per data class."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure(2.1)
        ax = fig.add_subplot()
        bottom = [0] * len(weeks)
        for index, (label, values) in enumerate(series):
            ax.bar(
                list(weeks),
                list(values),
                bottom=bottom,
                label=label,
                color=SERIES_COLOURS[index % len(SERIES_COLOURS)],
                width=0.6,
            )
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_title(title, loc="left")
        ax.set_ylabel(y_label)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if series:
            ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _save(fig, "weeks", title, fmt)


def bar_chart(
    name: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    colours: Sequence[str],
    x_label: str,
    fmt: ChartFormat = "png",
) -> Chart:
    """Horizontal bars, first label on top, each bar labelled with its value."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure(0.5 + 0.24 * max(len(labels), 3))
        ax = fig.add_subplot()
        positions = list(range(len(labels)))[::-1]
        bars = ax.barh(positions, list(values), color=list(colours), height=0.65)
        ax.set_yticks(positions, list(labels))
        ax.bar_label(bars, padding=3, fontsize=7)
        ax.set_title(title, loc="left")
        ax.set_xlabel(x_label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(x=0.12)
        return _save(fig, name, title, fmt)
