"""The inventory report laid out: a text table, CSV, JSON or an HTML page (the command:
cli/inventory_command.py).

The numbers come from store/inventory.py; this module only words and lays them out.
Fixed wording (German and English) lives in rules/inventory_texts.yaml, the HTML
page in cli/templates/inventory.html.j2.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import Literal

import jinja2

from policy.loader import load_policy
from policy.model import Policy
from policy.templating import template_environment
from rules import rules_yaml
from store.inventory import (
    CATALOG_FACTS,
    Inventory,
    ServiceRow,
    Trend,
    inventory_dict,
)

Lang = Literal["de", "en"]
Format = Literal["table", "csv", "json", "html"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json", "html")

# Columns of the services table (text and HTML), of unknown hosts and of candidates.
SERVICE_COLUMNS: tuple[str, ...] = (
    "service",
    "vendor",
    "category",
    "status",
    "users",
    "connections",
    "tunnelled",
    "requests",
    "prompts_checked",
    "findings",
    "blocked",
    "warned",
    "trend",
)
UNKNOWN_COLUMNS: tuple[str, ...] = (
    "host",
    "heuristics",
    "status",
    "users",
    "connections",
    "tunnelled",
    "requests",
    "first_seen",
    "last_seen",
    "trend",
)
CANDIDATE_COLUMNS: tuple[str, ...] = (
    "service",
    "vendor",
    "status",
    "users",
    "requests",
    "connections",
    "trend",
)
NUMERIC = frozenset(
    {
        "users",
        "connections",
        "tunnelled",
        "requests",
        "prompts_checked",
        "findings",
        "blocked",
        "warned",
        "bytes_up",
        "bytes_down",
        "trend",
        "previous",
        "change",
        "percent",
    }
)


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str = ""  # "num" (right-aligned), "status approved|tolerated|unapproved", "muted"


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Page:
    """Everything the text table and the HTML page show, already in one language."""

    lang: Lang
    title: str
    intro: str
    meta: tuple[str, ...]  # period, generated, group, status source, users, privacy
    empty: str | None  # the "no usage recorded" line, or None
    services: Table | None
    findings: Table | None
    candidates: Table | None
    candidates_intro: str
    unknown: Table | None
    t: dict[str, str]  # the fixed words, for headings


# --- wording ----------------------------------------------------------------------------


@cache
def texts() -> dict[str, dict[str, dict[str, str]]]:
    data: dict[str, dict[str, dict[str, str]]] = rules_yaml("inventory_texts.yaml")
    return data


class Words:
    def __init__(self, lang: Lang, labels: dict[str, str]) -> None:
        self.lang = lang
        self.labels = labels  # data class -> label in `lang`
        data = texts()
        self.words = {key: text[lang] for key, text in data["words"].items()}
        self.columns = {key: text[lang] for key, text in data["columns"].items()}
        self.status = {key: text[lang] for key, text in data["status"].items()}
        self.metrics = {key: text[lang] for key, text in data["metrics"].items()}
        self.categories = {key: text[lang] for key, text in data["categories"].items()}

    def w(self, key: str, **values: object) -> str:
        return self.words[key].format(**values)

    def label(self, data_class: str) -> str:
        return self.labels.get(data_class, data_class)

    def number(self, value: int | None) -> str:
        if value is None:
            return "—"
        text = f"{value:,}"
        return text.replace(",", ".") if self.lang == "de" else text

    def percent(self, value: float) -> str:
        text = "±0.0" if round(value, 1) == 0 else f"{value:+.1f}"
        return f"{text.replace('.', ',')} %" if self.lang == "de" else f"{text} %"

    def trend(self, trend: Trend | None) -> str:
        if trend is None:
            return "—"
        if trend.new:
            text = self.w("new")
        else:
            change = self.number(trend.change)
            text = f"+{change}" if trend.change > 0 else (change if trend.change else "±0")
            if trend.percent is not None:
                text += f" ({self.percent(trend.percent)})"
        if trend.metric != "requests":
            text += f" · {self.metrics[trend.metric]}"
        return text

    def category(self, value: str | None) -> str:
        return self.categories.get(value, value) if value else ""

    def flag(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return self.w("yes_word") if value else self.w("no_word")
        return str(value)

    def moment(self, when: datetime, end: bool = False) -> str:
        """A day when `when` is midnight UTC (as an inclusive last day when it ends a
        period), else date and time."""
        when = when.astimezone(UTC)
        if when.time() == time(0):
            return (when - timedelta(days=1) if end else when).strftime("%Y-%m-%d")
        return when.strftime("%Y-%m-%d %H:%M UTC")


def data_class_labels(policy: Policy | None, lang: Lang) -> dict[str, str]:
    """Data class -> label: the given policy's, else the embedded default policy's."""
    labels: dict[str, str] = {}
    sources = [load_policy(None).policy]
    if policy is not None:
        sources.append(policy)
    for source in sources:
        for name, data_class in source.data_classes.items():
            labels[name] = data_class.name_in(name, lang)
    return labels


# --- table and HTML ---------------------------------------------------------------------


def _cell(row: ServiceRow, column: str, words: Words, threshold: int) -> Cell:
    if column == "users" and row.withheld:
        return Cell(words.w("withheld", threshold=threshold), "num muted")
    if column == "service":
        if row.unknown_ai:
            return Cell(f"{row.name} ({words.w('unknown_mark')})")
        return Cell(row.name)
    if column == "host":
        return Cell(row.host or row.name)
    if column == "vendor":
        return Cell(row.vendor or "")
    if column == "category":
        return Cell(words.category(row.category))
    if column == "heuristics":
        return Cell(", ".join(row.heuristics))
    if column == "status":
        return Cell(words.status[row.status], f"status {row.status}")
    if column == "trend":
        return Cell(words.trend(row.trend), "num")
    if column == "findings":
        return Cell(words.number(row.findings_total), "num")
    if column in ("first_seen", "last_seen"):
        value = getattr(row, column)
        return Cell(words.moment(datetime.fromisoformat(value)) if value else "—")
    return Cell(words.number(getattr(row, column)), "num")


def _table(
    rows: tuple[ServiceRow, ...], columns: tuple[str, ...], words: Words, threshold: int
) -> Table:
    return Table(
        headers=tuple(words.columns[c] for c in columns),
        numeric=tuple(c in NUMERIC for c in columns),
        rows=tuple(tuple(_cell(r, c, words, threshold) for c in columns) for r in rows),
    )


def _findings_table(inv: Inventory, words: Words) -> Table | None:
    rows = [r for r in inv.rows if r.findings]
    if not rows or not inv.data_classes:
        return None
    return Table(
        headers=(words.columns["service"], *(words.label(c) for c in inv.data_classes)),
        numeric=(False, *(True for _ in inv.data_classes)),
        rows=tuple(
            (
                Cell(r.name),
                *(
                    Cell(words.number((r.findings or {}).get(c, 0)), "num")
                    for c in inv.data_classes
                ),
            )
            for r in rows
        ),
    )


def build_page(inv: Inventory, lang: Lang, labels: dict[str, str]) -> Page:
    """What the table and the HTML page say, in `lang`."""
    words = Words(lang, labels)
    k = inv.privacy_threshold
    meta = [
        words.w(
            "period",
            since=words.moment(inv.since),
            until=words.moment(inv.until, end=True),
            previous_since=words.moment(inv.previous_since),
            previous_until=words.moment(inv.since, end=True),
        ),
        words.w("generated", at=words.moment(inv.generated.replace(second=0, microsecond=0))),
    ]
    if inv.group is not None:
        meta.append(words.w("group", group=inv.group))
    if inv.status_source == "policy":
        meta.append(words.w("status_policy", version=inv.policy_version or "?"))
    else:
        meta.append(words.w("status_recorded"))
    if inv.users is not None:
        meta.append(words.w("users_total", users=words.number(inv.users)))
    meta.append(words.w("privacy", threshold=k))
    services, unknown = inv.services, inv.unknown_hosts
    # The catalog's categories arrive with the bigger catalog; no empty column until then.
    columns = SERVICE_COLUMNS
    if not any(r.category for r in inv.rows):
        columns = tuple(c for c in columns if c != "category")
    return Page(
        lang=lang,
        title=words.w("title"),
        intro=words.w("intro"),
        meta=tuple(meta),
        empty=words.w("no_usage") if inv.empty else None,
        services=_table(services, columns, words, k) if services else None,
        findings=_findings_table(inv, words),
        candidates=_table(inv.candidates, CANDIDATE_COLUMNS, words, k) if inv.candidates else None,
        candidates_intro=words.w("candidates_intro", min_users=inv.min_users),
        unknown=_table(unknown, UNKNOWN_COLUMNS, words, k) if unknown else None,
        t=words.words,
    )


def _text_table(table: Table) -> list[str]:
    widths = [
        max(len(h), *(len(row[i].text) for row in table.rows)) for i, h in enumerate(table.headers)
    ]

    def line(cells: list[str]) -> str:
        parts = [
            cell.rjust(width) if numeric else cell.ljust(width)
            for cell, width, numeric in zip(cells, widths, table.numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    lines = [line(list(table.headers)), line(["-" * w for w in widths])]
    lines += [line([c.text for c in row]) for row in table.rows]
    return lines


def render_table(page: Page) -> str:
    t = page.t
    lines = [page.title, "=" * len(page.title), *page.meta, ""]
    if page.empty:
        return "\n".join([*lines, page.empty, ""])
    sections: list[tuple[str, str | None, Table | None, str]] = [
        (t["services_heading"], None, page.services, t["none"]),
        (t["findings_heading"], t["findings_intro"], page.findings, ""),
        (t["candidates_heading"], page.candidates_intro, page.candidates, t["none"]),
        (t["unknown_heading"], t["unknown_intro"], page.unknown, t["none"]),
    ]
    for heading, intro, table, none in sections:
        if table is None and not none:
            continue
        lines += [heading, "-" * len(heading)]
        if intro:
            lines.append(intro)
        lines += _text_table(table) if table else [none]
        lines.append("")
    return "\n".join(lines)


def _environment() -> jinja2.Environment:
    return template_environment("cli")


def render_html(page: Page) -> str:
    return _environment().get_template("inventory.html.j2").render(page=page, t=page.t)


# --- CSV and JSON -----------------------------------------------------------------------

CSV_COLUMNS = (
    "service_id",
    "service",
    "host",
    "vendor",
    *CATALOG_FACTS,
    "status",
    "tool",
    "unknown_ai",
    "heuristics",
    "users",
    "connections",
    "tunnelled",
    "requests",
    "prompts_checked",
    "blocked",
    "warned",
    "findings",
)
CSV_TAIL = (
    "bytes_up",
    "bytes_down",
    "first_seen",
    "last_seen",
    "trend_metric",
    "previous",
    "change",
    "percent",
)


def render_csv(inv: Inventory, lang: Lang, labels: dict[str, str]) -> str:
    """Header row, then one row per service or unknown AI host. Numbers are plain integers
    (empty where withheld: fewer users than the privacy threshold), one findings column
    per data class, trend as metric, previous value, change and percent (`new` when the
    previous period had none)."""
    words = Words(lang, labels)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [words.columns[c] for c in CSV_COLUMNS]
    header += [f"{words.columns['findings']}: {words.label(c)}" for c in inv.data_classes]
    header += [words.columns[c] for c in CSV_TAIL]
    writer.writerow(header)
    for row in inv.rows:
        writer.writerow(_csv_row(row, inv, words))
    return out.getvalue()


def _csv_row(row: ServiceRow, inv: Inventory, words: Words) -> list[str]:
    def n(value: int | None) -> str:
        return "" if value is None else str(value)

    def users() -> str:
        return words.w("withheld", threshold=inv.privacy_threshold) if row.withheld else ""

    trend = row.trend
    percent = ""
    if trend is not None:
        percent = words.w("new") if trend.new else str(trend.percent)
    values = {
        "service_id": row.service or "",
        "service": row.name,
        "host": row.host or "",
        "vendor": row.vendor or "",
        **{name: words.flag(row.facts.get(name)) for name in CATALOG_FACTS},
        "category": words.category(row.category),
        "status": words.status[row.status],
        "tool": row.tool or "",
        "unknown_ai": words.flag(row.unknown_ai),
        "heuristics": ", ".join(row.heuristics),
        "users": n(row.users) if row.users is not None else users(),
        "connections": n(row.connections),
        "tunnelled": n(row.tunnelled),
        "requests": n(row.requests),
        "prompts_checked": n(row.prompts_checked),
        "blocked": n(row.blocked),
        "warned": n(row.warned),
        "findings": n(row.findings_total),
    }
    cells = [values[c] for c in CSV_COLUMNS]
    cells += ["" if row.findings is None else str(row.findings.get(c, 0)) for c in inv.data_classes]
    cells += [
        n(row.bytes_up),
        n(row.bytes_down),
        row.first_seen or "",
        row.last_seen or "",
        words.metrics[trend.metric] if trend else "",
        n(trend.previous) if trend else "",
        n(trend.change) if trend else "",
        percent,
    ]
    return cells


def render_json(inv: Inventory, lang: Lang, labels: dict[str, str]) -> str:
    data = inventory_dict(inv)
    data["lang"] = lang
    data["data_classes"] = {c: labels.get(c, c) for c in inv.data_classes}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(inv: Inventory, fmt: Format, lang: Lang, labels: dict[str, str]) -> str:
    """The report in `fmt` (table, csv, json, html) and `lang` (de, en)."""
    if fmt == "csv":
        return render_csv(inv, lang, labels)
    if fmt == "json":
        return render_json(inv, lang, labels)
    page = build_page(inv, lang, labels)
    if fmt == "html":
        return render_html(page)
    if fmt == "table":
        return render_table(page)
    raise ValueError(f"unknown format {fmt!r} ({', '.join(FORMATS)})")
