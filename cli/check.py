"""`leitplanke check`: scan files against the policy, as the gateway would."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from checker.config import ScanConfig
from checker.findings import Finding
from checker.masking import mask
from checker.scan import Scanner
from policy.decide import decide
from policy.loader import LoadedPolicy


def read_input(path: str) -> str:
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(path, "rb") as handle:
            data = handle.read()
    # Offsets are character offsets into the UTF-8 text; undecodable bytes become
    # U+FFFD rather than aborting the check.
    return data.decode("utf-8", errors="replace")


def run_check(
    loaded: LoadedPolicy,
    paths: tuple[str, ...],
    as_json: bool,
    service: str | None,
    explain: bool = False,
) -> int:
    scanner = Scanner(ScanConfig.from_policy(loaded.policy))
    status = 0
    for path in paths:
        try:
            text = read_input(path)
        except OSError as exc:
            click.echo(f"{path}: cannot read: {exc.strerror}", err=True)
            status = 2
            if as_json:
                # Keep one line per input, in order; an unchecked input is not "clean".
                click.echo(
                    json.dumps(
                        {
                            "path": path,
                            "verdict": "block",
                            "findings": [],
                            "error": f"cannot read: {exc.strerror}",
                        }
                    )
                )
            continue
        findings = scanner.scan_text(text)
        decision = decide(loaded.policy, service, None, findings)
        if as_json:
            # `verdict` is what the policy as written decides, in every rollout mode;
            # outside "enforce" the mode and what the gateway does with it are added.
            result: dict[str, Any] = {
                "path": path,
                "verdict": decision.action,
                "findings": [_json_finding(f, explain) for f in findings],
            }
            if decision.mode != "enforce":
                result |= {"mode": decision.mode, "enforced": decision.effective}
            click.echo(json.dumps(result, ensure_ascii=False))
            continue
        mode = ""
        if decision.mode != "enforce":
            mode = f" [mode {decision.mode}: enforced as {decision.effective.upper()}]"
        click.echo(
            f"{path}: {decision.action.upper()}"
            + (f" ({', '.join(decision.data_classes)})" if decision.data_classes else "")
            + mode
        )
        for f in findings:
            click.echo(
                f"  {f.start:>6}-{f.end:<6} {f.entity_type:<16} {f.data_class:<12} "
                f"{f.score:.2f}  {mask(f.entity_type, f.value)}"
            )
            if explain and f.explanation:
                click.echo(f"         {describe_explanation(f.explanation)}")
    return status


def _json_finding(finding: Finding, explain: bool) -> dict[str, Any]:
    data = finding.to_contract()
    if explain:
        data["explanation"] = finding.explanation
    return data


def describe_explanation(exp: dict[str, Any]) -> str:
    """One line for the DPO: who found it, by which pattern, what raised the score."""
    parts = [f"recognizer={exp['recognizer']}"]
    if exp.get("pattern_name"):
        parts.append(f"pattern={exp['pattern_name']!r}")
    parts.append(f"base score={exp['original_score']:.2f}")
    if exp.get("context_word"):
        parts.append(f"context {exp['context_word']!r} +{exp['context_improvement']:.2f}")
    if exp.get("checksum"):
        parts.append(f"checksum {exp['checksum']}")
    return ", ".join(parts)
