"""`leitplanke check`: scan files against the policy, as the gateway would (the scan
itself: cli/check.py, imported when the command runs, so that --help stays quick)."""

from __future__ import annotations

import sys

import click

from cli.errors import load_policy_or_refuse
from cli.options import json_option, policy_option


@click.command("check")
@click.argument("paths", nargs=-1, required=True)
@json_option("One JSON object per input and line: path, verdict, findings.")
@policy_option()
@click.option(
    "--service",
    metavar="ID",
    help="Decide as for this catalog service (e.g. openai-api), including "
    "tool approval; default: data rules only.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Show for each finding the recognizer, the pattern, the context word that raised "
    "the score and the checksum result (JSON: an 'explanation' object per finding).",
)
def check(
    paths: tuple[str, ...], as_json: bool, policy: str | None, service: str | None, explain: bool
) -> None:
    """Scan files (PATH, or - for stdin) for personal data, health data and secrets.

    Prints the verdict the policy gives (allow, log, warn, redact, block) and each
    finding's entity type, data class, character offsets and score — never the
    detected values themselves (the human-readable output shows them masked).
    Exit status: 0 checked, 2 an input could not be read or the policy is invalid.
    """
    from cli.check import run_check

    sys.exit(run_check(load_policy_or_refuse(policy), paths, as_json, service, explain))
