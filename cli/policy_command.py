"""`leitplanke policy check|test|render`: the policy file as IT and the DPO work with it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from cli.errors import load_policy_or_refuse
from cli.options import lang_option
from policy.loader import LoadedPolicy
from policy.model import Lang

if TYPE_CHECKING:
    from checker.scan import Scanner


def _scanner(loaded: LoadedPolicy) -> Scanner:
    # Imported here: Presidio and spaCy take seconds, `--help` should not.
    from checker.config import ScanConfig
    from checker.scan import Scanner

    return Scanner(ScanConfig.from_policy(loaded.policy))


@click.group("policy")
def policy_group() -> None:
    """Check, test and render a policy file (the one-page YAML)."""


@policy_group.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when there are warnings the policy does not acknowledge (for CI).",
)
@click.option(
    "--no-checker",
    is_flag=True,
    help="Skip asking the checker which entity types it can detect (faster).",
)
def check_command(file: str, strict: bool, no_checker: bool) -> None:
    """Validate FILE: errors name file:line:column, what is wrong and a fix.

    Exits 2 on errors. Warnings (valid but probably unintended, e.g. "no tool is
    approved for personal data") are listed in the policy's language, each with an
    id in brackets, and exit 0, or 1 with --strict. A warning the policy means is
    acknowledged by its id (or kind) under `acknowledge:` in the policy, e.g.
    `acknowledge: [no-approved-tool:special]`; --strict then no longer counts it,
    and an acknowledged id that no longer occurs is a warning itself.
    """
    from policy.lint import lint

    loaded = load_policy_or_refuse(file)
    detectable = None
    if not no_checker:
        scanner = _scanner(loaded)
        detectable = set(scanner.analyzer.get_supported_entities(scanner.config.languages[0]))
    result = lint(loaded, detectable)
    for warning in result.warnings:
        click.echo(f"warning: {warning}")
    ids = ", ".join(w.id for w in result.acknowledged)
    acknowledged = f", {len(result.acknowledged)} acknowledged ({ids})" if ids else ""
    policy = loaded.policy
    click.echo(
        f"{file}: valid — version {loaded.version_id}, {len(policy.data_classes)} data classes, "
        f"{len(policy.tools)} tools, {len(policy.groups)} groups, {len(policy.examples)} examples, "
        f"{len(result.warnings)} warning(s){acknowledged}"
    )
    sys.exit(1 if strict and result.warnings else 0)


@policy_group.command("test")
@click.argument("file", type=click.Path(dir_okay=False))
def test_command(file: str) -> None:
    """Run FILE's `examples:` with the real checker and print a table.

    Each example (text, tool or service, group, expect) is scanned and decided as
    the gateway would. `expect` is the action the policy decides, also for a group
    in rollout mode monitor or coach (what is enforced instead is shown after the
    row). Exits 1 if any example gets another action than expected, 2 if the policy
    is invalid.
    """
    from pipeline.examples import run_examples

    loaded = load_policy_or_refuse(file)
    if not loaded.policy.examples:
        click.echo(f"{file}: no examples: to run")
        return
    results = run_examples(loaded.policy, _scanner(loaded))
    click.echo(
        f"{'#':>3}  {'result':<6} {'expect':<6} {'got':<6} {'target':<28} {'group':<10} found"
    )
    for r in results:
        target = r.example.tool or r.example.service or ""
        found = ",".join(sorted({f.entity_type for f in r.findings})) or "-"
        # `expect` is the policy's action; a rollout mode only changes what is enforced.
        mode = r.decision.mode
        enforced = f"  [{mode}: enforced as {r.decision.effective}]" if mode != "enforce" else ""
        click.echo(
            f"{r.index + 1:>3}  {'ok' if r.passed else 'FAIL':<6} {r.example.expect:<6} "
            f"{r.decision.action:<6} {target:<28} {r.example.group or '-':<10} {found}{enforced}"
        )
    failed = [r for r in results if not r.passed]
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


@policy_group.command("render")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    default="html",
    show_default=True,
    help="HTML (prints on one A4 page) or Markdown.",
)
@lang_option("Language of the page (default: the policy's language).", default=None)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to this file instead of standard output.",
)
def render_command(file: str, fmt: str, lang: str | None, output: str | None) -> None:
    """Render FILE as the one-page guideline employees read ("KI-Richtlinie").

    The page is generated from the same YAML the gateway enforces: approved tools and
    what may go into them, what never goes into AI tools, department exceptions, whom
    to ask and how to request a new tool.
    """
    from policy.render import Format, render

    loaded = load_policy_or_refuse(file)
    text = render(
        loaded.policy,
        cast(Format, fmt),
        cast(Lang, lang or loaded.policy.language),
        loaded.version_id,
    )
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text)
