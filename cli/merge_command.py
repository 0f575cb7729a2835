"""`leitplanke merge`: the findings stores of several gateways into one central store."""

from __future__ import annotations

from pathlib import Path

import click

from cli.errors import Refused
from store.merge import MergeError, NodeResult, merge_nodes


@click.command("merge")
@click.argument("nodes", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--into",
    "central",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The central findings database (created if missing); its key file is '<db>.key'.",
)
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The central key file, the one every gateway shares (default: '<central db>.key'). "
    "Never created here.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Merge even when a node's key fingerprint differs from the central key's or "
    "cannot be determined (its pseudonyms and value hashes are then not comparable).",
)
@click.option(
    "--approvals-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="After merging, write the DPO's answers to approval requests to FILE (replaced "
    "atomically, mode 0600), for the gateways' portals: ship it to every node and set "
    "leitplanke_approvals_db=FILE there.",
)
def merge(
    nodes: tuple[Path, ...],
    central: Path,
    key_file: Path | None,
    force: bool,
    approvals_out: Path | None,
) -> None:
    """Copy the rows of gateway databases (NODE.db ...) into one central database.

    For scale-out: several gateways behind a TCP load balancer, each with its own
    database, and one central database for review, report and export. Decisions with
    their findings, usage, coaching, approval requests, the re-identification audit
    and the policy versions are copied; the DPO's triage is central-only and never
    merged. Safe while a gateway writes: each node database is opened read-only and
    copied with SQLite's backup API first (the committed rows, including those still
    in its WAL).

    Every database has a stable node id; merged rows keep it in the 'node' column
    and their id on the node in 'node_row_id', and findings point at the central id
    of their decision. Merging again, or after a node recorded more rows, adds only
    rows not merged before: run it from cron or a systemd timer.

    Pseudonyms and value hashes are only comparable when every gateway uses the same
    key file: a node is refused when its key fingerprint ('NODE.db.key' next to it,
    or the one recorded in a database written by merge) differs from the central
    key's. A node database from a Leitplanke version without node ids is refused too
    (restart that gateway with this version once). See docs/scale-out.md.

    The DPO answers approval requests in the central store; --approvals-out FILE
    publishes the answers for the nodes, whose portals show them to the employees
    (gateway option leitplanke_approvals_db=FILE). A node's request the person asked
    again is updated here on the next merge.

    Exit status: 0 merged, 2 refused (nothing merged): missing or different key, a
    database that is unreadable, too old or too new.
    """
    if approvals_out is not None and approvals_out.resolve() in {
        p.resolve() for p in (*nodes, central)
    }:
        raise Refused(f"--approvals-out {approvals_out}: is a database being merged")
    try:
        results = merge_nodes(central, nodes, key_file=key_file, force=force)
    except MergeError as exc:
        raise Refused(str(exc)) from None
    for result in results:
        _report(result)
    if approvals_out is not None:
        _publish_answers(central, approvals_out)


def _publish_answers(central: Path, target: Path) -> None:
    import sqlite3
    from contextlib import closing

    from store.approval_answers import write_answers

    try:
        with closing(sqlite3.connect(f"{central.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            written = write_answers(conn, target)
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise Refused(f"--approvals-out {target}: cannot write ({reason})") from None
    click.echo(f"{target}: {written} approval request(s) with their answers for the gateways")


def _report(result: NodeResult) -> None:
    host = f", host {result.hostname}" if result.hostname else ""
    click.echo(f"{result.source}: node {result.node_id}{host}")
    width = max(len(table) for table in result.inserted)
    for table, count in result.inserted.items():
        click.echo(f"  {table:<{width}}  {count} new, {result.already[table]} merged before")
    if result.asked_again:
        click.echo(f"  {'':<{width}}  {result.asked_again} approval request(s) asked again")
    for table, count in result.not_merged.items():
        click.echo(f"  {table:<{width}}  {count} not merged (central-only)")
