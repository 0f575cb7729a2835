"""The CLI: `leitplanke check` contract and documented commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cli.main import cli
from cli.proxy import mitmdump_args

IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def test_check_json_contract(runner: CliRunner, tmp_path: Path) -> None:
    dirty = tmp_path / "rechnung.txt"
    dirty.write_text(f"Grüße! Bitte überweisen auf {IBAN}.", encoding="utf-8")
    clean = tmp_path / "clean.txt"
    clean.write_text("Die Sonne scheint.", encoding="utf-8")
    result = runner.invoke(cli, ["check", "--json", str(dirty), str(clean)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2  # one JSON object per input, per line, in order
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"path", "verdict", "findings"}
    assert first["path"] == str(dirty) and first["verdict"] == "block"
    (finding,) = first["findings"]
    assert set(finding) == {"entity_type", "data_class", "start", "end", "score"}
    assert finding["entity_type"] == "IBAN_CODE" and finding["data_class"] == "personal"
    text = dirty.read_text(encoding="utf-8")
    assert text[finding["start"] : finding["end"]] == IBAN  # character offsets, not bytes
    assert isinstance(finding["score"], float)
    assert second == {"path": str(clean), "verdict": "allow", "findings": []}
    assert "3704" not in result.output


def test_check_reads_stdin(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "--json", "-"], input=f"IBAN: {IBAN}\n")
    assert json.loads(result.output)["path"] == "-"
    assert json.loads(result.output)["verdict"] == "block"


def test_check_human_output_masks_values(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["check", "-"], input=f"IBAN: {IBAN}\n")
    assert "BLOCK" in result.output and "DE89 **** **** 3000" in result.output
    assert "3704" not in result.output


def test_check_with_policy_and_service(runner: CliRunner, tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\norganization: O\ncontact: c@o.example\n"
        "data_classes:\n  personal: {entities: [IBAN_CODE]}\n"
        "tools:\n  gpt: {services: [openai-api], allowed: [personal]}\n"
    )
    args = ["check", "--json", "--policy", str(policy), "--service", "openai-api", "-"]
    result = runner.invoke(cli, args, input=IBAN)
    assert json.loads(result.output)["verdict"] == "allow"


def test_check_unreadable_input_keeps_order_and_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["check", "--json", str(tmp_path / "missing.txt"), "-"], input="")
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [line["path"] for line in lines] == [str(tmp_path / "missing.txt"), "-"]
    assert lines[0]["verdict"] == "block" and "error" in lines[0]


def test_check_invalid_policy_names_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text("version: 1\norganization: O\ncontact: c\ndata_classes: {}\ntool: {}\n")
    result = runner.invoke(cli, ["check", "--policy", str(policy), "-"], input="x")
    assert result.exit_code == 2
    assert f"{policy}:5:1: unknown key 'tool'" in result.output
    assert "did you mean 'tools'?" in result.output


def test_every_command_is_documented() -> None:
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        assert command.help and len(command.help) > 40, f"{name} has no --help text"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts} undocumented"


def test_every_command_is_in_the_readme_command_list() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    listed = readme.split("## Commands", 1)[1].split("```", 2)[1]
    assert isinstance(cli, click.Group)
    for name, command in cli.commands.items():
        subcommands = getattr(command, "commands", {}) or {"": command}
        for sub in subcommands:
            assert f"leitplanke {name} {sub}".strip() in listed, f"README lacks {name} {sub}"


def test_proxy_flags_map_to_mitmproxy_options() -> None:
    args = mitmdump_args(
        policy="p.yaml",
        db="x.db",
        listen_host="127.0.0.1",
        listen_port=9000,
        confdir="/tmp/c",
        sets=("map_remote=|a|b", "map_remote=|c|d"),
    )
    assert args[:4] == ["--listen-host", "127.0.0.1", "--listen-port", "9000"]
    sets = [args[i + 1] for i, a in enumerate(args) if a == "--set"]
    assert "connection_strategy=lazy" in sets and "flow_detail=0" in sets
    assert {"leitplanke_db=x.db", "leitplanke_policy=p.yaml", "confdir=/tmp/c"} <= set(sets)
    assert sets[-2:] == ["map_remote=|a|b", "map_remote=|c|d"]


def test_user_set_overrides_our_default() -> None:
    args = mitmdump_args(
        policy=None,
        db="x.db",
        listen_host="h",
        listen_port=1,
        confdir=None,
        sets=("connection_strategy=eager",),
    )
    sets = [args[i + 1] for i, a in enumerate(args) if a == "--set"]
    assert sets.count("connection_strategy=eager") == 1
    assert "connection_strategy=lazy" not in sets


def test_console_script_help() -> None:
    exe = Path(sys.executable).parent / "leitplanke"
    out = subprocess.run([str(exe), "proxy", "--help"], capture_output=True, text=True, check=True)
    for flag in ("--policy", "--db", "--listen-host", "--listen-port", "--confdir", "--set"):
        assert flag in out.stdout


def test_check_explain_shows_recognizer_pattern_context_and_checksum(runner: CliRunner) -> None:
    text = f"Bitte überweisen Sie auf das Konto IBAN {IBAN}."
    human = runner.invoke(cli, ["check", "--explain", "-"], input=text)
    assert "recognizer=IbanRecognizer" in human.output
    assert "checksum valid" in human.output and "3704" not in human.output
    data = json.loads(runner.invoke(cli, ["check", "--json", "--explain", "-"], input=text).output)
    (finding,) = data["findings"]
    exp = finding["explanation"]
    assert exp["recognizer"] == "IbanRecognizer" and exp["checksum"] == "valid"
    assert set(exp) >= {"pattern_name", "pattern", "original_score", "context_word"}
    tax = runner.invoke(cli, ["check", "--json", "--explain", "-"], input="Steuer-ID: 47036892816")
    (tax_finding,) = json.loads(tax.output)["findings"]
    assert tax_finding["explanation"]["context_word"] is not None


def test_check_json_without_explain_keeps_the_contract_keys(runner: CliRunner) -> None:
    data = json.loads(runner.invoke(cli, ["check", "--json", "-"], input=f"IBAN {IBAN}").output)
    assert set(data["findings"][0]) == {"entity_type", "data_class", "start", "end", "score"}
