"""`leitplanke reidentify`: the one deliberate way back from a pseudonym to a person,
on the record."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from cli.errors import Refused, load_policy_or_refuse
from cli.locations import key_file_of
from cli.options import config_option, db_option, policy_option
from cli.store_access import open_store
from store.reidentify import (
    MIN_REASON,
    ReidentifyError,
    check_request,
    load_key,
    policy_users,
    read_candidates,
)
from store.reidentify import reidentify as run_reidentify


@click.command("reidentify")
@config_option()
@click.argument("pseudonym", required=False)
@click.option(
    "--reason",
    help=f"Why (at least {MIN_REASON} characters, e.g. the incident or ticket number). "
    "Required; goes into the audit.",
)
@click.option("--requested-by", help="Who asks (name or role). Required; goes into the audit.")
@db_option()
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False),
    help="The gateway's key file (default: 'set: leitplanke_key_file' of the config "
    "file, else '<db>.key'). Never created here.",
)
@click.option(
    "--candidates",
    type=click.Path(dir_okay=False),
    help="User names to test, one per line (htpasswd 'name:hash' lines work too).",
)
@policy_option("Also test the user names listed in this policy's groups.")
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
        raise Refused("give the PSEUDONYM to re-identify (or --audit to list the audit)")
    if reason is None or requested_by is None:
        raise Refused(
            "--reason and --requested-by are required: every re-identification is audited"
        )
    try:
        check_request(pseudonym, reason, requested_by)
    except ReidentifyError as exc:
        raise Refused(str(exc)) from None
    if candidates is None and policy is None:
        raise Refused("give --candidates FILE and/or --policy FILE: the user names to test")
    if not Path(db).is_file():
        raise Refused(f"{db}: no such database (the audit is written there; give it with --db)")
    try:
        key = load_key(key_file or key_file_of(click.get_current_context(), db))
    except ReidentifyError as exc:
        raise Refused(str(exc)) from None
    names: list[str] = []
    try:
        if candidates is not None:
            names += read_candidates(candidates)
    except ReidentifyError as exc:
        raise Refused(str(exc)) from None
    if policy is not None:
        names += policy_users(load_policy_or_refuse(policy).policy)
    if not names:
        raise Refused("no candidate user names to test")
    store = open_store(db)
    try:
        match = run_reidentify(
            store, key, pseudonym, names, requested_by=requested_by, reason=reason
        )
    except (ReidentifyError, sqlite3.Error) as exc:
        raise Refused(f"not re-identified, the audit could not be written: {exc}") from None
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
