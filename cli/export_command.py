"""`leitplanke export`: the findings store as SIEM events (JSON Lines, CEF, syslog)."""

from __future__ import annotations

import heapq
import os
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

import click

from cli.errors import Refused
from cli.options import config_option, db_option
from cli.store_access import open_store
from siem.events import (
    FACILITIES,
    FORMATS,
    Format,
    approval_request_event,
    coaching_event,
    decision_event,
    product_version,
    usage_event,
)
from siem.formats import render
from store.findings_store import EXPORT_TABLES, FindingsStore
from store.inventory import InventoryError, parse_since, parse_until

DEFAULT_TABLES = "decisions,coaching,approval_requests"


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def _period(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    now = datetime.now(UTC)
    try:
        end = parse_until(until, now) if until else None
        start = None
        if since:
            value = parse_since(since)
            start = (end or now) - value if not isinstance(value, datetime) else value
    except InventoryError as exc:
        raise Refused(str(exc)) from None
    return (_iso(start) if start else None, _iso(end) if end else None)


def _tables(text: str) -> list[str]:
    tables = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in tables if t not in EXPORT_TABLES]
    if unknown or not tables:
        raise Refused(
            f"--tables: unknown table(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {','.join(EXPORT_TABLES)}"
        )
    return list(dict.fromkeys(tables))


def events(
    store: FindingsStore,
    tables: list[str],
    since: str | None = None,
    until: str | None = None,
    include_hashes: bool = False,
) -> Iterator[dict[str, Any]]:
    """The events of the chosen tables, merged in time order."""
    streams: list[Iterator[dict[str, Any]]] = []
    for table in tables:
        if table == "decisions":
            streams.append(
                decision_event(row, findings, include_hashes=include_hashes)
                for row, findings in store.iter_decisions_with_findings(since, until)
            )
        elif table == "usage":
            streams.append(usage_event(row) for row in store.iter_rows("usage", since, until))
        elif table == "coaching":
            streams.append(coaching_event(r) for r in store.iter_rows("coaching", since, until))
        else:
            streams.append(
                approval_request_event(r)
                for r in store.iter_rows("approval_requests", since, until)
            )
    return heapq.merge(*streams, key=lambda event: str(event["ts"]))


def _open_output(output: str) -> IO[str]:
    # Pseudonyms are still about people: a new file is owner-only, like the store.
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return open(fd, "w", encoding="utf-8", newline="\n")


@click.command("export")
@config_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON event per line; cef: one CEF line per event; syslog: one "
    "RFC 5424 message per line.",
)
@db_option("Findings database (SQLite).")
@click.option(
    "--since",
    metavar="WHEN",
    help="From this time: a date/time (2026-11-01, 2026-11-01T08:00; UTC unless an "
    "offset is given) or a duration back from --until/now (30d, 12h, 2w).",
)
@click.option(
    "--until",
    metavar="WHEN",
    help="Up to (not including) this time; a date means the end of that day.",
)
@click.option(
    "--tables",
    default=DEFAULT_TABLES,
    show_default=True,
    help=f"Comma-separated, from {','.join(EXPORT_TABLES)}.",
)
@click.option(
    "--include-hashes",
    is_flag=True,
    help="Add the keyed value hashes of a decision's findings (same value, same hash; "
    "lets a SIEM correlate without the values). Off by default.",
)
@click.option(
    "--hostname",
    default=socket.gethostname(),
    show_default="this host's name",
    help="HOSTNAME of syslog messages.",
)
@click.option(
    "--facility",
    type=click.Choice(list(FACILITIES)),
    default="local0",
    show_default=True,
    help="Syslog facility.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="Write to FILE (default: stdout)."
)
def export(
    fmt: str,
    db: str,
    since: str | None,
    until: str | None,
    tables: str,
    include_hashes: bool,
    hostname: str,
    facility: str,
    output: str | None,
) -> None:
    """Export decisions (and optionally usage, coaching, approval requests) as SIEM
    events, oldest first — for NIS2 logging or a one-off import into a SIEM.

    Events carry service, host, tool, pseudonym, group, action, data classes,
    entity-type counts and policy version; never prompt text, masked excerpts or
    free text. The fields are documented in docs/siem.md. For a live feed use the
    gateway's leitplanke_siem option. Exit status: 0 written, 2 no database or a
    bad option.
    """
    chosen = _tables(tables)
    start, end = _period(since, until)
    store = open_store(db)
    version = product_version()
    out: IO[str] = _open_output(output) if output else sys.stdout
    count = 0
    try:
        for event in events(store, chosen, start, end, include_hashes):
            line = render(
                event, cast(Format, fmt), hostname=hostname, facility=facility, version=version
            )
            out.write(line + "\n")
            count += 1
    finally:
        store.close()
        if output:
            out.close()
    if output:
        click.echo(f"{count} events written to {Path(output)}", err=True)
