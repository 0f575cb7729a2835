"""`leitplanke inventory`: which AI services are used, as a table, CSV, JSON or HTML page
(laid out by cli/inventory_render.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import click

from cli.errors import Refused, load_policy_or_refuse
from cli.inventory_render import FORMATS, Format, Lang, data_class_labels, render
from cli.options import (
    config_option,
    db_option,
    lang_option,
    min_users_option,
    output_option,
    policy_option,
    privacy_threshold_option,
)
from store.inventory import (
    DEFAULT_MIN_USERS,
    DEFAULT_PRIVACY_THRESHOLD,
    InventoryError,
    open_database,
    parse_since,
    parse_until,
)
from store.inventory import inventory as build_inventory


@click.command("inventory")
@config_option()
@db_option("Findings database the gateway writes (read only; fine while it runs).")
@click.option(
    "--since",
    default="30d",
    show_default=True,
    metavar="DURATION|DATE",
    help="Start of the period: a duration back from --until (30d, 12h, 2w) or a date "
    "(2026-11-01, 00:00 UTC) or date/time (2026-11-01T08:00+01:00).",
)
@click.option(
    "--until",
    metavar="DURATION|DATE",
    help="End of the period (default: now): a date includes that whole day (UTC), a "
    "duration means that long ago (7d).",
)
@policy_option(
    "Policy YAML whose tools decide each service's status now (approved, tolerated, "
    "or unapproved when no tool lists it). Default: the status recorded at the time."
)
@click.option(
    "--group",
    metavar="GROUP",
    help="Only use by this department (a group of the policy).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table: aligned text; csv: one row per service; json: stable English keys; "
    "html: one self-contained page.",
)
@lang_option("Language of headers and labels (JSON keys are always English).")
@output_option("Write the report to FILE, or - for standard output.", short=True)
@min_users_option(
    DEFAULT_MIN_USERS,
    "Distinct users an unapproved or tolerated service needs to be listed as a "
    "candidate for approval.",
)
@privacy_threshold_option(
    DEFAULT_PRIVACY_THRESHOLD,
    "Services used by fewer distinct people are listed without any figures (1 shows all figures).",
)
def inventory(
    db: str,
    since: str,
    until: str | None,
    policy: str | None,
    group: str | None,
    fmt: str,
    lang: str,
    output: str,
    min_users: int,
    privacy_threshold: int,
) -> None:
    """Inventory of AI use: which AI services are used, by how many people, how much.

    One row per AI service from the catalog, and one per unknown host that looks like
    AI (flagged, in its own section): status (approved, tolerated, not approved),
    distinct users, connections (and how many were tunnelled unchecked), requests,
    prompts checked, findings per data class, blocked and warned prompts, bytes sent,
    first and last seen, and the trend against the previous period of equal length
    (requests; connections for services only ever tunnelled; "new" when unused before).
    Candidates for approval are unapproved or tolerated services with at least
    --min-users users, most users and requests first.

    Works-council safe (§87 BetrVG): the report only holds counts. It never names or
    lists pseudonyms and never breaks figures down by person; a service used by fewer
    than --privacy-threshold people is shown without figures, also within --group.

    JSON keys: period {since, until, previous_since}, generated, group, min_users,
    privacy_threshold, status_source (policy|recorded), policy_version, users, lang,
    data_classes {class: label}, candidates [service ids, host:NAME for unknown hosts],
    services [{service, host, name, vendor, category, hq_country, processing_region,
    eu_data_residency, status, tool, unknown_ai, heuristics, withheld, users,
    connections, tunnelled, requests, prompts_checked, blocked, warned,
    findings {class: count}, bytes_up, bytes_down, first_seen, last_seen,
    trend {metric, current, previous, change, percent, new}}]; null where withheld.

    Exit status: 0 report written, 2 bad option, invalid policy or no database.
    """
    now = datetime.now(UTC)
    try:
        start = parse_since(since)
        end = parse_until(until, now) if until else None
    except InventoryError as exc:
        raise Refused(str(exc)) from None
    loaded = load_policy_or_refuse(policy) if policy else None
    try:
        database = open_database(db)
    except FileNotFoundError:
        raise Refused(
            f"no findings database at {db} — pass the file the gateway writes with "
            "--db (leitplanke proxy --db)"
        ) from None
    except InventoryError as exc:
        raise Refused(str(exc)) from None
    try:
        report = build_inventory(
            database,
            start,
            end,
            policy=loaded.policy if loaded else None,
            policy_version=loaded.version_id if loaded else None,
            group=group,
            min_users=min_users,
            privacy_threshold=privacy_threshold,
            now=now,
        )
    except InventoryError as exc:
        raise Refused(str(exc)) from None
    finally:
        database.conn.close()
    language = cast(Lang, lang)
    labels = data_class_labels(loaded.policy if loaded else None, language)
    text = render(report, cast(Format, fmt), language, labels)
    if output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
