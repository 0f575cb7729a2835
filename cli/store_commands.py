"""`leitplanke purge` and `leitplanke reidentify`: the findings store's retention and
the one deliberate way back from a pseudonym to a person."""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import click

from policy.loader import PolicyError, load_policy
from store.findings_store import FindingsStore
from store.keys import default_key_path
from store.reidentify import (
    MIN_REASON,
    ReidentifyError,
    check_request,
    load_key,
    policy_users,
    read_candidates,
)
from store.reidentify import reidentify as run_reidentify

DB_HELP = "Findings database (SQLite), as the gateway's --db."


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def open_store(db: str) -> FindingsStore:
    """The existing store (never a new, empty one); exit 2 when there is none."""
    path = Path(db)
    if not path.is_file():
        _fail(f"{db}: no such database (give the gateway's database with --db)")
    try:
        return FindingsStore(path)
    except sqlite3.DatabaseError as exc:
        _fail(f"{db}: not a Leitplanke database ({exc})")


def _retention_days(policy: str | None, days: int | None) -> int:
    if policy is not None and days is not None:
        _fail("give either --policy or --days, not both")
    if days is not None:
        return days
    try:
        return load_policy(policy).policy.privacy.retention_days
    except PolicyError as exc:
        _fail(f"invalid policy:\n{exc}")


@click.command("purge")
@click.option("--db", default="./leitplanke.db", show_default=True, help=DB_HELP)
@click.option(
    "--policy",
    type=click.Path(dir_okay=False),
    help="Take retention_days from this policy (default: the embedded default policy).",
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    help="Keep this many days instead of the policy's retention_days.",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def purge(db: str, policy: str | None, days: int | None, dry_run: bool) -> None:
    """Delete rows older than the retention period and print how many per table.

    The gateway does this daily by itself; run it after shortening retention_days
    or for a gateway that is not running. Decisions go with their findings and
    triage; usage, coaching and approval requests by their own time. The
    re-identification audit and the policy versions are kept. Exit status: 0 done,
    2 no database or an invalid policy.
    """
    retention = _retention_days(policy, days)
    store = open_store(db)
    now = datetime.now(UTC)
    try:
        counts = store.purge_by_table(retention, now=now, dry_run=dry_run)
    finally:
        store.close()
    cutoff = (now - timedelta(days=retention)).isoformat(timespec="seconds")
    width = max(len(table) for table in counts)
    for table, count in counts.items():
        click.echo(f"{table:<{width}}  {count}")
    verb = "would be deleted (dry run)" if dry_run else "deleted"
    click.echo(f"{sum(counts.values())} rows older than {retention} days (before {cutoff}) {verb}")


@click.command("reidentify")
@click.argument("pseudonym", required=False)
@click.option(
    "--reason",
    help=f"Why (at least {MIN_REASON} characters, e.g. the incident or ticket number). "
    "Required; goes into the audit.",
)
@click.option("--requested-by", help="Who asks (name or role). Required; goes into the audit.")
@click.option("--db", default="./leitplanke.db", show_default=True, help=DB_HELP)
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False),
    help="The gateway's key file (default: '<db>.key'). Never created here.",
)
@click.option(
    "--candidates",
    type=click.Path(dir_okay=False),
    help="User names to test, one per line (htpasswd 'name:hash' lines work too).",
)
@click.option(
    "--policy",
    type=click.Path(dir_okay=False),
    help="Also test the user names listed in this policy's groups.",
)
@click.option("--audit", is_flag=True, help="List the re-identification audit and exit.")
def reidentify(
    pseudonym: str | None,
    reason: str | None,
    requested_by: str | None,
    db: str,
    key_file: str | None,
    candidates: str | None,
    policy: str | None,
    audit: bool,
) -> None:
    """Find out which user a pseudonym (u-…) stands for — on the record.

    Pseudonyms are keyed one-way hashes: they cannot be decrypted. This computes
    the pseudonym of each candidate user name with the gateway's key file and
    reports the one that matches. Every attempt is written to the audit (who,
    when, why, which pseudonym, whether a candidate matched — never the name)
    before the result is printed; the name goes to standard output only.

    Exit status: 0 found, 1 no candidate matches, 2 refused (no key file, no
    database, no reason, no candidates).
    """
    if audit:
        _print_audit(db)
        return
    if not pseudonym:
        _fail("give the PSEUDONYM to re-identify (or --audit to list the audit)")
    if reason is None or requested_by is None:
        _fail("--reason and --requested-by are required: every re-identification is audited")
    try:
        check_request(pseudonym, reason, requested_by)
    except ReidentifyError as exc:
        _fail(str(exc))
    if candidates is None and policy is None:
        _fail("give --candidates FILE and/or --policy FILE: the user names to test")
    if not Path(db).is_file():
        _fail(f"{db}: no such database (the audit is written there; give it with --db)")
    try:
        key = load_key(key_file or default_key_path(db))
    except ReidentifyError as exc:
        _fail(str(exc))
    names: list[str] = []
    try:
        if candidates is not None:
            names += read_candidates(candidates)
    except ReidentifyError as exc:
        _fail(str(exc))
    if policy is not None:
        try:
            names += policy_users(load_policy(policy).policy)
        except PolicyError as exc:
            _fail(f"invalid policy:\n{exc}")
    if not names:
        _fail("no candidate user names to test")
    store = open_store(db)
    try:
        match = run_reidentify(
            store, key, pseudonym, names, requested_by=requested_by, reason=reason
        )
    except (ReidentifyError, sqlite3.Error) as exc:
        _fail(f"not re-identified, the audit could not be written: {exc}")
    finally:
        store.close()
    if match is None:
        click.echo(
            f"{pseudonym}: none of {len(set(names))} candidates matches "
            "(or the key is not the one that made the pseudonym)",
            err=True,
        )
        sys.exit(1)
    click.echo(match)


def _print_audit(db: str) -> None:
    store = open_store(db)
    try:
        rows = store.reidentify_audit()
    finally:
        store.close()
    if not rows:
        click.echo("no re-identifications on record")
        return
    for row in rows:
        found = "found" if row["found"] else "not found"
        click.echo(
            f"{row['ts']}  {row['pseudonym']}  {found:<9}  by {row['requested_by']}: "
            f"{row['reason']}"
        )
