"""`leitplanke report`: the monthly (or quarterly) management report as HTML, PDF or Markdown.

Numbers: report/data.py (which reuses store/inventory.py); wording and layout:
report/render.py with rules/report_texts.yaml and report/templates/; charts:
report/charts.py; PDF: report/pdf.py (headless Chromium).
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from cli.errors import Refused, load_policy_or_refuse
from cli.options import (
    config_option,
    db_option,
    lang_option,
    min_users_option,
    output_option,
    policy_option,
    privacy_threshold_option,
)
from report.data import (
    DEFAULT_COACHING_WINDOW_MINUTES,
    ReportError,
    build_report,
    parse_period,
    previous_month_period,
)
from report.pdf import PdfError, html_to_pdf
from report.render import (
    Lang,
    build_charts,
    build_view,
    policy_labels,
    render_html,
    render_markdown,
)
from store.inventory import (
    DEFAULT_MIN_USERS,
    DEFAULT_PRIVACY_THRESHOLD,
    InventoryError,
    open_database,
)

FORMATS = ("html", "pdf", "md")


def _write(output: str, text: str) -> None:
    if output == "-":
        click.echo(text, nl=False)
        return
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@click.command("report")
@config_option()
@db_option("Findings database the gateway writes (read only; fine while it runs).")
@click.option(
    "--period",
    metavar="YYYY-MM|YYYY-Qn",
    help="Calendar month (2026-11) or quarter (2026-Q4), UTC. Default: last month. "
    "Compared with the period of the same kind before it.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="html",
    show_default=True,
    help="html: one self-contained page (charts embedded); pdf: A4, printed with "
    "headless Chromium; md: Markdown (charts as PNG files next to --output).",
)
@lang_option("Language of the report.")
@policy_option(
    "Policy YAML: tool status (approved, tolerated, unapproved), data class and "
    "department labels, organization name. Default: status as recorded, default labels."
)
@output_option(
    "Write the report to FILE (required for pdf); - or nothing: standard output. "
    "{period} in FILE is replaced by the period (2026-11), so a timer writes one dated "
    "file per month.",
    default=None,
    short=True,
)
@privacy_threshold_option(
    DEFAULT_PRIVACY_THRESHOLD,
    "Departments with fewer distinct people are merged into 'Other'; tools with "
    "fewer are listed without figures (works council, §87 BetrVG).",
)
@min_users_option(
    DEFAULT_MIN_USERS,
    "Distinct users an unapproved or tolerated tool needs to be a candidate for approval.",
)
@click.option(
    "--coaching-window",
    type=click.IntRange(min=1),
    default=DEFAULT_COACHING_WINDOW_MINUTES,
    show_default=True,
    metavar="MINUTES",
    help="Coached stops of one person for one tool this close together are one case; "
    "a justification within this time after the last stop counts as 'proceeded'.",
)
@click.option(
    "--chromium",
    metavar="PATH",
    help="Chromium executable for pdf (default: $LEITPLANKE_CHROMIUM, else chromium on PATH).",
)
def report(
    db: str,
    period: str | None,
    fmt: str,
    lang: str,
    policy: str | None,
    output: str | None,
    privacy_threshold: int,
    min_users: int,
    coaching_window: int,
    chromium: str | None,
) -> None:
    """Management report for a month or quarter: an executive summary of AI use.

    Sections: a short summary (three key numbers); key figures (prompts checked, share
    with findings, violations, blocked / coached / redacted prompts, distinct users,
    AI tools used, open approval requests); AI usage by tool (top 10) and by
    department; violations by data class against the previous period, with a chart per
    week; candidates for approval (unapproved or tolerated tools with at least
    --min-users users); the coaching effect (coached stops, cases, proceeded with a
    justification vs abandoned). Charts: gateway actions, users per tool, violations
    per week.

    Works-council safe (§87 BetrVG): totals only — no pseudonyms, no per-person
    figures; small departments are merged, small tools shown without figures.
    """
    try:
        chosen = parse_period(period) if period else previous_month_period()
    except ReportError as exc:
        raise Refused(str(exc)) from None
    if fmt == "pdf" and (not output or output == "-"):
        raise Refused("--format pdf needs --output FILE")
    if output:
        output = output.replace("{period}", chosen.label)
    language = cast(Lang, lang)
    loaded = load_policy_or_refuse(policy) if policy is not None else None
    try:
        database = open_database(db)
    except FileNotFoundError:
        raise Refused(
            f"{db}: no such database (the gateway creates it on its first decision)"
        ) from None
    except InventoryError as exc:
        raise Refused(str(exc)) from None
    try:
        data = build_report(
            database,
            chosen,
            policy=loaded.policy if loaded else None,
            policy_version=loaded.version_id if loaded else None,
            privacy_threshold=privacy_threshold,
            min_users=min_users,
            coaching_window_minutes=coaching_window,
        )
    except (ReportError, InventoryError) as exc:
        raise Refused(str(exc)) from None
    finally:
        database.conn.close()

    labels = policy_labels(loaded.policy if loaded else None, language)
    view = build_view(data, language, labels)
    target = output or "-"
    if fmt == "md":
        links: dict[str, tuple[str, str]] = {}
        if target != "-":
            base = Path(target)
            for name, chart in build_charts(data, language, labels).items():
                image = base.with_name(f"{base.stem}-{name}.{chart.extension}")
                image.parent.mkdir(parents=True, exist_ok=True)
                image.write_bytes(chart.data)
                links[name] = (chart.title, image.name)
        _write(target, render_markdown(view, links))
        return
    html = render_html(view, build_charts(data, language, labels))
    if fmt == "html":
        _write(target, html)
        return
    try:
        written = html_to_pdf(html, target, chromium=chromium)
    except PdfError as exc:
        raise Refused(str(exc)) from None
    click.echo(f"wrote {written}", err=True)
