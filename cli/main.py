"""The `leitplanke` command line. Each command's --help is its documentation; each
command lives in its own module (cli/<name>_command.py), registered here."""

from __future__ import annotations

import click

from cli.bench_command import bench_command
from cli.ca_command import ca
from cli.check_command import check
from cli.doctor_command import doctor
from cli.eval_command import eval_command
from cli.export_command import export
from cli.inventory_command import inventory
from cli.merge_command import merge
from cli.notify_command import notify
from cli.pac_command import pac
from cli.policy_command import policy_group
from cli.proxy_command import proxy
from cli.purge_command import purge
from cli.reidentify_command import reidentify
from cli.report_command import report
from cli.review_command import review


@click.group()
@click.version_option(package_name="leitplanke")
def cli() -> None:
    """Leitplanke — an AI-governance gateway: guardrails, not bans.

    Keeps personal data, health data and secrets out of AI tools that are not
    approved for them, as the one-page YAML policy says.
    """


for command in (
    check,
    proxy,
    policy_group,
    bench_command,
    eval_command,
    ca,
    doctor,
    inventory,
    merge,
    notify,
    pac,
    purge,
    reidentify,
    export,
    review,
    report,
):
    cli.add_command(command)

if __name__ == "__main__":
    cli()
