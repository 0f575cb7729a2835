"""`leitplanke review`: the DPO's review web UI (Datasette) over the findings store."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

from cli.errors import Refused, load_policy_or_refuse
from cli.options import config_option, db_option, lang_option, policy_option


@click.command("review")
@config_option()
@db_option("Findings database (SQLite) the gateway writes.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@lang_option("Language of titles, descriptions, column names and the dashboard.")
@click.option(
    "--password-hash-file",
    type=click.Path(exists=True, dir_okay=False),
    help="File holding the password hash of the login 'dpo' (from --hash-password); "
    "default: the environment variable LEITPLANKE_REVIEW_PASSWORD_HASH.",
)
@click.option(
    "--account",
    "accounts",
    multiple=True,
    metavar="NAME=HASHFILE",
    help="A further reviewer login (e.g. stellvertretung=/etc/leitplanke/deputy.hash, "
    "it-sicherheit=...), each with its own password hash file; repeatable.",
)
@policy_option(
    "Policy whose labels (data classes, groups, tools) the UI shows; default: the "
    "newest policy version the gateway recorded, else the embedded default."
)
@click.option(
    "--hash-password",
    "hash_password",
    is_flag=True,
    help="Read a password (prompt, or stdin when not a terminal), print its hash, exit.",
)
def review(
    db: str,
    host: str,
    port: int,
    lang: str,
    password_hash_file: str | None,
    accounts: tuple[str, ...],
    policy: str | None,
    hash_password: bool,
) -> None:
    """Start the review web UI for the data protection officer.

    Datasette with Leitplanke's canned queries: the open findings queue, finding
    detail with triage (confirmed, false positive, resolved, accepted risk, note),
    tool-approval requests, coaching justifications, a dashboard with charts, and
    CSV/JSON export. Log in as 'dpo' (more reviewers: --account); set the password
    hash first:

        leitplanke review --hash-password > dpo.hash

        leitplanke review --password-hash-file dpo.hash
    """
    from review.app import PASSWORD_HASH_ENV, build_datasette, serve

    if hash_password:
        from datasette_auth_passwords.utils import hash_password as make_hash

        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.read().strip()
        if not password:
            raise Refused("empty password")
        click.echo(make_hash(password))
        return
    if password_hash_file is None and not os.environ.get(PASSWORD_HASH_ENV):
        raise Refused(
            f"no login configured: pass --password-hash-file or set {PASSWORD_HASH_ENV} "
            "(make a hash with: leitplanke review --hash-password)"
        )
    if not Path(db).is_file():
        raise Refused(f"findings database not found: {db}")
    logins = _accounts(accounts)
    loaded = load_policy_or_refuse(policy).policy if policy else None
    ds = build_datasette(
        db, lang=lang, password_hash_file=password_hash_file, accounts=logins, policy=loaded
    )
    names = ", ".join(["dpo", *logins])
    click.echo(f"Leitplanke review UI: http://{host}:{port}/ (logins: {names})", err=True)
    serve(ds, host=host, port=port)


def _accounts(values: tuple[str, ...]) -> dict[str, str]:
    """NAME=HASHFILE pairs; a bad name or an unreadable file is refused."""
    accounts: dict[str, str] = {}
    for value in values:
        name, sep, hash_file = value.partition("=")
        if not sep or not re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", name) or name == "dpo":
            raise Refused(
                f"--account {value!r}: write NAME=HASHFILE with a lower-case name other "
                "than dpo, e.g. stellvertretung=/etc/leitplanke/deputy.hash"
            )
        if name in accounts:
            raise Refused(f"--account {name}: given twice")
        if not Path(hash_file).is_file():
            raise Refused(f"--account {name}: hash file not found: {hash_file}")
        accounts[name] = hash_file
    return accounts


if __name__ == "__main__":
    review()
