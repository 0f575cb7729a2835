"""`leitplanke check` and `leitplanke policy test` in a rollout mode: `verdict` and
`expect` are the policy's action; the mode and what is enforced are added."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli

IBAN = "DE89 3704 0044 0532 0130 00"
POLICY = """\
version: 1
organization: Muster GmbH
contact: dsb@muster.example
mode: {mode}
data_classes:
  personal: {{entities: [IBAN_CODE]}}
tools:
  gpt: {{services: [openai-api]}}
on_violation: {{personal: block}}
groups:
  pilot: {{users: [p.pilot], mode: enforce}}
examples:
  - {{text: "Konto {iban}", tool: gpt, expect: block}}
  - {{text: "Konto {iban}", tool: gpt, group: pilot, expect: block}}
"""


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def write(tmp_path: Path, mode: str) -> Path:
    path = tmp_path / f"{mode}.yaml"
    path.write_text(POLICY.format(mode=mode, iban=IBAN), encoding="utf-8")
    return path


@pytest.mark.parametrize(("mode", "enforced"), [("monitor", "log"), ("coach", "warn")])
def test_check_json_keeps_the_verdict_and_adds_mode_and_enforced(
    runner: CliRunner, tmp_path: Path, mode: str, enforced: str
) -> None:
    text = tmp_path / "t.txt"
    text.write_text(f"Konto {IBAN}", encoding="utf-8")
    result = runner.invoke(
        cli, ["check", "--json", "--policy", str(write(tmp_path, mode)), str(text)]
    )
    assert result.exit_code == 0, result.output
    line = json.loads(result.output)
    assert set(line) == {"path", "verdict", "findings", "mode", "enforced"}
    assert (line["verdict"], line["mode"], line["enforced"]) == ("block", mode, enforced)
    human = runner.invoke(cli, ["check", "--policy", str(write(tmp_path, mode)), str(text)])
    assert f"BLOCK (personal) [mode {mode}: enforced as {enforced.upper()}]" in human.output


def test_check_json_is_unchanged_in_enforce(runner: CliRunner, tmp_path: Path) -> None:
    text = tmp_path / "t.txt"
    text.write_text(f"Konto {IBAN}", encoding="utf-8")
    result = runner.invoke(
        cli, ["check", "--json", "--policy", str(write(tmp_path, "enforce")), str(text)]
    )
    assert set(json.loads(result.output)) == {"path", "verdict", "findings"}


def test_policy_test_expects_the_policy_action_and_shows_the_mode(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["policy", "test", str(write(tmp_path, "monitor"))])
    assert result.exit_code == 0, result.output
    first, second = [line for line in result.output.splitlines() if " ok " in line]
    assert first.rstrip().endswith("[monitor: enforced as log]")
    assert "enforced as" not in second  # the pilot group enforces
    assert "2 passed, 0 failed" in result.output
