"""Words and lays out the report (report/data.py) as HTML or Markdown, German or English.

Fixed wording lives in rules/report_texts.yaml, the layouts in report/templates/
(the HTML page carries its own print CSS for the PDF, see report/pdf.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Literal

import jinja2

from policy.loader import load_policy
from policy.model import Policy
from policy.templating import template_environment
from report.charts import (
    ACTION_COLOURS,
    STATUS_COLOURS,
    Chart,
    ChartFormat,
    bar_chart,
    weekly_chart,
)
from report.data import OTHER, Department, ReportData
from report.queries import ACTIONS
from rules import rules_yaml
from store.inventory import ServiceRow

Lang = Literal["de", "en"]
TOP_TOOLS = 10
TOP_CANDIDATES = 5


@cache
def texts() -> dict[str, Any]:
    data: dict[str, Any] = rules_yaml("report_texts.yaml")
    return data


@dataclass(frozen=True)
class Labels:
    """Data class and group labels from the policy (the default policy's as fallback)."""

    data_classes: Mapping[str, str]
    groups: Mapping[str, str]


def policy_labels(policy: Policy | None, lang: Lang) -> Labels:
    classes: dict[str, str] = {}
    groups: dict[str, str] = {}
    sources = [load_policy(None).policy]
    if policy is not None:
        sources.append(policy)
    for source in sources:
        for name, data_class in source.data_classes.items():
            classes[name] = data_class.name_in(name, lang)
        for name, group in source.groups.items():
            groups[name] = group.label.text(lang) if group.label else name
    return Labels(classes, groups)


class Words:
    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        data = texts()
        self.words: dict[str, str] = {k: v[lang] for k, v in data["words"].items()}
        self.columns: dict[str, str] = {k: v[lang] for k, v in data["columns"].items()}
        self.status: dict[str, str] = {k: v[lang] for k, v in data["status"].items()}
        self.actions: dict[str, str] = {k: v[lang] for k, v in data["actions"].items()}
        self.months: list[str] = data["months"][lang]

    def w(self, key: str, **values: object) -> str:
        return self.words[key].format(**values)

    def number(self, value: int | None) -> str:
        if value is None:
            return "—"
        text = f"{value:,}"
        return text.replace(",", ".") if self.lang == "de" else text

    def percent(self, value: float | None, signed: bool = False) -> str:
        if value is None:
            return "—"
        text = f"{value:+.1f}" if signed else f"{value:.1f}"
        if signed and round(value, 1) == 0:
            text = "±0.0"
        return f"{text.replace('.', ',')} %" if self.lang == "de" else f"{text}%"

    def change(self, change: int, percent: float | None) -> str:
        if change == 0:
            text = "±0"
        else:
            text = f"+{self.number(change)}" if change > 0 else self.number(change)
        return f"{text} ({self.percent(percent, signed=True)})" if percent is not None else text

    def period(self, data: ReportData, previous: bool = False) -> str:
        period = data.period
        start = period.previous_start if previous else period.start
        if period.kind == "month":
            return self.w("month", month=self.months[start.month - 1], year=start.year)
        return self.w("quarter", quarter=(start.month - 1) // 3 + 1, year=start.year)

    def day(self, when: datetime) -> str:
        return when.strftime("%d.%m.%Y") if self.lang == "de" else when.strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[str, ...], ...]
    classes: tuple[str, ...] = ()  # optional CSS class per row (e.g. a status)


@dataclass(frozen=True)
class View:
    """Everything the report says, already in one language (charts excluded)."""

    lang: Lang
    title: str
    subtitle: str
    meta: tuple[str, ...]
    empty: str | None
    summary: tuple[str, ...]
    figures: tuple[Figure, ...]
    tools: Table | None
    tools_more: str
    departments: Table | None
    departments_intro: str
    violations: Table | None
    violations_intro: str
    candidates: Table | None
    candidates_intro: str
    candidates_more: str
    requests_line: str
    coaching: Table | None
    coaching_intro: str
    method: str
    t: dict[str, str]


# --- building the view ------------------------------------------------------------------


def _users(words: Words, value: int | None, threshold: int) -> str:
    return words.w("withheld", threshold=threshold) if value is None else words.number(value)


def _tool_name(words: Words, row: ServiceRow) -> str:
    return f"{row.name} ({words.w('unknown_ai')})" if row.unknown_ai else row.name


def _department_name(words: Words, labels: Labels, dept: Department) -> str:
    if dept.key != OTHER:
        return labels.groups.get(dept.key, dept.key)
    named = [g for g in dept.merged if g]
    return words.w("other_merged", count=len(named)) if len(named) > 1 else words.w("other")


def _summary(data: ReportData, words: Words, labels: Labels) -> tuple[str, ...]:
    f = data.figures
    share = f.violations / f.prompts * 100 if f.prompts else None
    lines = [
        words.w(
            "summary_prompts",
            period=words.period(data),
            prompts=words.number(f.prompts),
            violations=words.number(f.violations),
            share=words.percent(share),
            previous_label=words.period(data, previous=True),
            previous=words.number(f.previous_violations),
        ),
        words.w(
            "summary_stops",
            stopped=words.number(f.actions["block"] + f.actions["warn"]),
            redacted=words.number(f.actions["redact"]),
        ),
    ]
    c = data.coaching
    if c.cases:
        lines[-1] += " " + words.w(
            "summary_coaching", abandoned=words.number(c.abandoned), cases=words.number(c.cases)
        )
    top = next((r for r in data.candidates if r.users is not None), None)
    if top is not None:
        lines.append(
            words.w(
                "summary_candidate",
                tool=_tool_name(words, top),
                users=words.number(top.users),
                status=words.status[top.status],
            )
        )
    else:
        lines.append(words.w("summary_no_candidate"))
    return tuple(lines)


def _figures(data: ReportData, words: Words) -> tuple[Figure, ...]:
    f = data.figures
    previous = words.period(data, previous=True)
    k = data.privacy_threshold
    return (
        Figure(
            words.w("fig_prompts"),
            words.number(f.prompts),
            words.w("fig_previous", label=previous, value=words.number(f.previous_prompts)),
        ),
        Figure(
            words.w("fig_findings"),
            words.number(f.with_findings),
            words.w("fig_share", share=words.percent(f.findings_share)),
        ),
        Figure(
            words.w("fig_violations"),
            words.number(f.violations),
            words.w("fig_previous", label=previous, value=words.number(f.previous_violations)),
        ),
        Figure(words.w("fig_blocked"), words.number(f.actions["block"])),
        Figure(words.w("fig_warned"), words.number(f.actions["warn"])),
        Figure(words.w("fig_redacted"), words.number(f.actions["redact"])),
        Figure(words.w("fig_users"), _users(words, f.users, k)),
        Figure(words.w("fig_tools"), words.number(f.tools)),
        Figure(
            words.w("fig_requests"),
            words.number(data.open_requests),
            words.w("fig_new_requests", count=words.number(data.new_requests)),
        ),
    )


def _tools_table(data: ReportData, words: Words) -> Table | None:
    rows = data.tools[:TOP_TOOLS]
    if not rows:
        return None
    c = words.columns
    k = data.privacy_threshold
    return Table(
        headers=(
            c["tool"],
            c["status"],
            c["users"],
            c["connections"],
            c["requests"],
            c["prompts"],
            c["stopped"],
        ),
        numeric=(False, False, True, True, True, True, True),
        rows=tuple(
            (
                _tool_name(words, r),
                words.status[r.status],
                _users(words, r.users, k),
                words.number(r.connections),
                words.number(r.requests),
                words.number(r.prompts_checked),
                words.number(
                    None if r.blocked is None or r.warned is None else r.blocked + r.warned
                ),
            )
            for r in rows
        ),
        classes=tuple(f"status-{r.status}" for r in rows),
    )


def _departments_table(data: ReportData, words: Words, labels: Labels) -> Table | None:
    if all(d.key == OTHER and not any(d.merged) for d in data.departments):
        return None  # no department recorded at all: the row would repeat the totals
    c = words.columns
    k = data.privacy_threshold
    return Table(
        headers=(
            c["department"],
            c["users"],
            c["requests"],
            c["prompts"],
            c["violations"],
            c["stopped"],
            c["redacted"],
        ),
        numeric=(False, True, True, True, True, True, True),
        rows=tuple(
            (
                _department_name(words, labels, d),
                _users(words, d.users, k),
                words.number(d.requests),
                words.number(d.prompts),
                words.number(d.violations),
                words.number(d.stopped),
                words.number(d.redacted),
            )
            for d in data.departments
        ),
    )


def _violations_table(data: ReportData, words: Words, labels: Labels) -> Table | None:
    if not any(r.prompts or r.previous for r in data.classes):
        return None
    c = words.columns
    return Table(
        headers=(c["data_class"], c["violations"], c["values"], c["previous"], c["change"]),
        numeric=(False, True, True, True, True),
        rows=tuple(
            (
                labels.data_classes.get(r.data_class, r.data_class),
                words.number(r.prompts),
                words.number(r.values),
                words.number(r.previous),
                words.change(r.change, r.percent),
            )
            for r in data.classes
        ),
    )


def _candidates_table(data: ReportData, words: Words) -> Table | None:
    if not data.candidates:
        return None
    c = words.columns
    k = data.privacy_threshold
    rows = data.candidates[:TOP_CANDIDATES]
    return Table(
        headers=(c["tool"], c["status"], c["users"], c["requests"], c["prompts"]),
        numeric=(False, False, True, True, True),
        rows=tuple(
            (
                _tool_name(words, r),
                words.status[r.status],
                _users(words, r.users, k),
                words.number(r.requests),
                words.number(r.prompts_checked),
            )
            for r in rows
        ),
        classes=tuple(f"status-{r.status}" for r in rows),
    )


def _coaching_table(data: ReportData, words: Words) -> Table | None:
    co = data.coaching
    if not co.stops and not co.justifications and not co.justified_prompts:
        return None
    c = words.columns
    abandoned = words.number(co.abandoned)
    if co.abandoned_share is not None:
        abandoned += f" ({words.percent(co.abandoned_share)})"
    return Table(
        headers=(c["figure"], c["value"]),
        numeric=(False, True),
        rows=(
            (words.w("coach_stops"), words.number(co.stops)),
            (words.w("coach_cases"), words.number(co.cases)),
            (words.w("coach_proceeded"), words.number(co.proceeded)),
            (words.w("coach_abandoned"), abandoned),
            (words.w("coach_justifications"), words.number(co.justifications)),
            (words.w("coach_justified"), words.number(co.justified_prompts)),
        ),
    )


def build_view(data: ReportData, lang: Lang, labels: Labels) -> View:
    words = Words(lang)
    period = data.period
    meta = []
    if data.organization:
        meta.append(words.w("organization", name=data.organization))
    meta.append(
        words.w(
            "period_line",
            since=words.day(period.start),
            until=words.day(period.end - timedelta(days=1)),
            previous=words.period(data, previous=True),
        )
    )
    generated = data.generated.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    meta.append(words.w("generated", at=generated))
    if data.inventory.status_source == "policy":
        meta.append(words.w("status_policy", version=data.inventory.policy_version or "?"))
    else:
        meta.append(words.w("status_recorded"))
    more = max(0, len(data.tools) - TOP_TOOLS)
    k = data.privacy_threshold
    return View(
        lang=lang,
        title=words.w("title"),
        subtitle=words.w("subtitle", period=words.period(data)),
        meta=tuple(meta),
        empty=words.w("no_data") if data.empty else None,
        summary=_summary(data, words, labels),
        figures=_figures(data, words),
        tools=_tools_table(data, words),
        tools_more=words.w("tools_more", count=more) if more else "",
        departments=_departments_table(data, words, labels),
        departments_intro=words.w("departments_intro", threshold=k),
        violations=_violations_table(data, words, labels),
        violations_intro=words.w("violations_intro", previous=words.period(data, previous=True)),
        candidates=_candidates_table(data, words),
        candidates_intro=words.w("candidates_intro", min_users=data.min_users),
        candidates_more=words.w("tools_more", count=len(data.candidates) - TOP_CANDIDATES)
        if len(data.candidates) > TOP_CANDIDATES
        else "",
        requests_line=words.w(
            "requests_line",
            open=words.number(data.open_requests),
            new=words.number(data.new_requests),
        ),
        coaching=_coaching_table(data, words),
        coaching_intro=words.w("coaching_intro", window=data.coaching.window_minutes),
        method=words.w("method", threshold=k),
        t=words.words,
    )


# --- charts -----------------------------------------------------------------------------


def build_charts(
    data: ReportData, lang: Lang, labels: Labels, fmt: ChartFormat = "png"
) -> dict[str, Chart]:
    """weeks (violations per week by data class), tools (users per tool, top 10, rows
    below the privacy threshold left out), actions (enforced actions). Only charts with
    something to show."""
    words = Words(lang)
    charts: dict[str, Chart] = {}
    series = [
        (labels.data_classes.get(c, c), [w.counts.get(c, 0) for w in data.weeks])
        for c in (data.weeks[0].counts if data.weeks else {})
    ]
    if any(sum(values) for _, values in series):
        charts["weeks"] = weekly_chart(
            words.w("chart_weeks"),
            [words.w("week", week=w.week) for w in data.weeks],
            series,
            words.w("chart_prompts"),
            fmt,
        )
    tools = [r for r in data.tools if r.users is not None][:TOP_TOOLS]
    if tools:
        charts["tools"] = bar_chart(
            "tools",
            words.w("chart_tools"),
            [_tool_name(words, r) for r in tools],
            [r.users or 0 for r in tools],
            [STATUS_COLOURS[r.status] for r in tools],
            words.w("chart_users"),
            fmt,
        )
    if data.figures.prompts:
        charts["actions"] = bar_chart(
            "actions",
            words.w("chart_actions"),
            [words.actions[a] for a in ACTIONS],
            [data.figures.actions[a] for a in ACTIONS],
            [ACTION_COLOURS[a] for a in ACTIONS],
            words.w("chart_prompts"),
            fmt,
        )
    return charts


# --- output -----------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    return template_environment("report", {"md": _md_cell})


def _md_cell(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def render_html(view: View, charts: Mapping[str, Chart]) -> str:
    """One self-contained page (charts as data: URIs) with print CSS for A4."""
    return _environment().get_template("report.html.j2").render(v=view, t=view.t, charts=charts)


def render_markdown(view: View, chart_links: Mapping[str, tuple[str, str]] | None = None) -> str:
    """Markdown; `chart_links` maps chart name -> (title, relative image path) for charts
    written next to the Markdown file (none: a note points to the HTML/PDF version)."""
    return (
        _environment()
        .get_template("report.md.j2")
        .render(v=view, t=view.t, links=dict(chart_links or {}))
    )
