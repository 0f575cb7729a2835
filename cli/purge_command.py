"""`leitplanke purge`: the findings store's retention, by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from click.core import ParameterSource

from cli.errors import Refused, load_policy_or_refuse
from cli.options import config_option, db_option, policy_option
from cli.store_access import open_store
from store.findings_store import FindingsStore


def _retention_days(
    ctx: click.Context, policy: str | None, days: int | None, store: FindingsStore
) -> tuple[int, str]:
    """(days to keep, where that number comes from): --days; the policy given or named
    in the config file; the newest policy version the gateway recorded in the store;
    the embedded default policy."""
    explicit = ctx.get_parameter_source("policy") in (
        ParameterSource.COMMANDLINE,
        ParameterSource.ENVIRONMENT,
    )
    if explicit and days is not None:
        raise Refused("give either --policy or --days, not both")
    if days is not None:
        return days, "--days"
    if policy is not None:
        return load_policy_or_refuse(policy).policy.privacy.retention_days, f"policy {policy}"
    recorded = store.recorded_retention()
    if recorded is not None:
        return recorded[1], f"policy version {recorded[0]}, the newest the gateway recorded"
    return load_policy_or_refuse(None).policy.privacy.retention_days, "the embedded default policy"


@click.command("purge")
@config_option()
@db_option()
@policy_option(
    "Take retention_days from this policy (default: the active policy — the one the "
    "config file names, else the newest version the gateway recorded in the database, "
    "else the embedded default)."
)
@click.option(
    "--days",
    type=click.IntRange(min=1),
    help="Keep this many days instead of the policy's retention_days.",
)
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
@click.pass_context
def purge(ctx: click.Context, db: str, policy: str | None, days: int | None, dry_run: bool) -> None:
    """Delete rows older than the retention period and print how many per table.

    The gateway does this daily by itself; run it after shortening retention_days
    or for a gateway that is not running. Decisions go with their findings and
    triage; usage, coaching and approval requests by their own time. The
    re-identification audit and the policy versions are kept. Exit status: 0 done,
    2 no database or an invalid policy.
    """
    store = open_store(db)
    now = datetime.now(UTC)
    try:
        retention, source = _retention_days(ctx, policy, days, store)
        counts = store.purge_by_table(retention, now=now, dry_run=dry_run)
    finally:
        store.close()
    cutoff = (now - timedelta(days=retention)).isoformat(timespec="seconds")
    width = max(len(table) for table in counts)
    for table, count in counts.items():
        click.echo(f"{table:<{width}}  {count}")
    verb = "would be deleted (dry run)" if dry_run else "deleted"
    click.echo(f"{sum(counts.values())} rows older than {retention} days (before {cutoff}) {verb}")
    click.echo(f"retention: {retention} days, from {source}", err=True)
