"""`leitplanke notify`: mail the DPO about new special-category and secret findings and
new approval requests (counts and links only), at most once per interval."""

from __future__ import annotations

import click

from cli.errors import Refused, load_policy_or_refuse
from cli.options import config_option, db_option, policy_option


@click.command("notify")
@config_option()
@db_option("Findings database the gateway writes.")
@policy_option(
    "Policy: which data classes count as special categories or secrets, and their "
    "labels. Default: HEALTH_DATA and SECRET findings."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the mail instead of sending it; marks nothing as sent.",
)
def notify(db: str, policy: str | None, dry_run: bool) -> None:
    """Send the DPO one batched e-mail about what is new since the last one.

    The mail settings are the notify: section of the gateway's config file (--config):
    smtp (host, port, starttls, ssl, user, password_file, ca_file, timeout_s), from,
    to, review_url, every_minutes, lang.

    New findings of special categories (Art. 9) and secrets, and new tool-approval
    requests: types, counts, tools and links into the review UI, never values,
    excerpts or pseudonyms. Run it from a timer (deploy/systemd/leitplanke-notify.timer);
    a run within every_minutes of the last mail sends nothing and keeps the rows for
    the next one.
    """
    from pathlib import Path

    from cli.locations import config_file_path, gateway_config
    from cli.proxy_config import DEFAULT_CONFIG
    from notify.config import NotifyConfigError, load_notify
    from notify.run import NotifyError, run_notify

    if not Path(db).is_file():
        raise Refused(f"findings database not found: {db}")
    ctx = click.get_current_context()
    config, path = gateway_config(ctx), config_file_path(ctx)
    if config is None or path is None:
        raise Refused(
            f"no config file: {DEFAULT_CONFIG} does not exist — give the gateway's config "
            "file with --config (its notify: section holds the mail settings)"
        )
    try:
        loaded = load_notify(config.notify, str(path), path.parent)
    except NotifyConfigError as exc:
        raise Refused(str(exc)) from None
    rules = load_policy_or_refuse(policy).policy if policy else None
    try:
        outcome = run_notify(db, loaded, rules, dry_run=dry_run)
    except NotifyError as exc:
        click.echo(f"leitplanke notify: {exc}", err=True)
        raise SystemExit(1) from None
    if outcome.status == "dry_run" and outcome.message is not None:
        click.echo(outcome.message.as_string())
    click.echo(f"leitplanke notify: {outcome.status} ({outcome.items} items)", err=True)


if __name__ == "__main__":
    notify()
