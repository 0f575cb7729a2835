"""`leitplanke policy check|test|render` on every shipped example and on broken input."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli

EXAMPLES = sorted((Path(__file__).parents[2] / "policy" / "examples").glob("*.yaml"))
BROKEN = Path(__file__).parents[1] / "policy" / "broken" / "03-unknown-service.yaml"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def test_there_are_three_example_policies() -> None:
    assert {p.name for p in EXAMPLES} >= {
        "default.de.yaml",
        "muster-gmbh.de.yaml",
        "example-engineering.en.yaml",
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_check_strict_accepts_every_example(runner: CliRunner, path: Path) -> None:
    """The shipped examples are CI-clean: every warning they mean is acknowledged."""
    result = runner.invoke(cli, ["policy", "check", "--strict", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: valid — version " in result.output
    assert " 0 warning(s)" in result.output and "warning:" not in result.output


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_shipped_example_passes_its_examples(runner: CliRunner, path: Path) -> None:
    result = runner.invoke(cli, ["policy", "test", str(path)])
    assert result.exit_code == 0, result.output
    assert " 0 failed" in result.output and "FAIL" not in result.output


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
@pytest.mark.parametrize("fmt", ["html", "md"])
def test_render_every_example(runner: CliRunner, path: Path, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"page.{fmt}"
    result = runner.invoke(cli, ["policy", "render", str(path), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert ("KI-Richtlinie" in text) or ("AI policy" in text)


def test_check_lists_warnings_and_strict_fails(runner: CliRunner, tmp_path: Path) -> None:
    default = EXAMPLES[[p.name for p in EXAMPLES].index("default.de.yaml")]
    text = default.read_text(encoding="utf-8")
    unacknowledged = tmp_path / "policy.yaml"
    unacknowledged.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("acknowledge:")),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["policy", "check", "--no-checker", str(unacknowledged)])
    assert result.exit_code == 0
    assert "warning: " in result.output
    assert (
        "kein Werkzeug ist für Personenbezogene Daten freigegeben, auch für keine Abteilung"
        in result.output
    )
    assert "[no-approved-tool:personal]" in result.output
    strict = runner.invoke(
        cli, ["policy", "check", "--no-checker", "--strict", str(unacknowledged)]
    )
    assert strict.exit_code == 1


def test_every_contract_entity_type_has_a_recognizer(runner: CliRunner) -> None:
    default = EXAMPLES[[p.name for p in EXAMPLES].index("default.de.yaml")]
    result = runner.invoke(cli, ["policy", "check", str(default)])
    assert result.exit_code == 0
    assert "is not detected by this version" not in result.output


def test_lint_names_entity_types_without_recognizer() -> None:
    from policy.lint import policy_warnings
    from policy.loader import load_policy

    loaded = load_policy(EXAMPLES[[p.name for p in EXAMPLES].index("default.de.yaml")])
    warnings = [str(w) for w in policy_warnings(loaded, detectable={"EMAIL_ADDRESS"})]
    assert any(
        "IBAN_CODE erkennt diese Version des Prüfers noch nicht" in w
        and w.endswith("[undetected-entity:IBAN_CODE]")
        for w in warnings
    )
    assert not any("EMAIL_ADDRESS erkennt" in w for w in warnings)


@pytest.mark.parametrize(
    ("settings", "warned"),
    [
        ("unreadable_files: log\n", True),
        ("unreadable_files: allow\n", True),
        ("unreadable_files: block\n", False),
        ("", False),  # the default, as_data_classes
        ("unreadable_files: log\nunscanned_files: block\n", False),  # block wins
    ],
)
def test_lint_warns_when_unreadable_files_pass(tmp_path: Path, settings: str, warned: bool) -> None:
    from policy.lint import policy_warnings
    from policy.loader import load_policy

    source = EXAMPLES[[p.name for p in EXAMPLES].index("default.de.yaml")]
    path = tmp_path / "p.yaml"
    path.write_text(source.read_text("utf-8") + settings, "utf-8")
    warnings = [str(w) for w in policy_warnings(load_policy(path))]
    assert any("[unreadable-files-pass]" in w for w in warnings) == warned


@pytest.mark.parametrize("command", ["check", "test", "render"])
def test_broken_policy_exits_2_with_location(runner: CliRunner, command: str) -> None:
    result = runner.invoke(cli, ["policy", command, str(BROKEN)])
    assert result.exit_code == 2
    assert f"error: {BROKEN}:8:20: tools.gpt.services.0: unknown service 'chat-gpt'" in (
        result.output
    )
    assert "did you mean 'chatgpt'?" in result.output


def test_failing_example_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "version: 1\norganization: O\ncontact: c@o.example\n"
        "data_classes:\n  personal: {entities: [IBAN_CODE]}\n"
        "examples:\n"
        "  - {text: 'IBAN DE89 3704 0044 0532 0130 00', service: chatgpt, expect: allow}\n"
        "  - {text: 'Hallo', service: chatgpt, expect: log}\n"
    )
    result = runner.invoke(cli, ["policy", "test", str(policy)])
    assert result.exit_code == 1
    assert "FAIL   allow  block" in result.output and "1 passed, 1 failed" in result.output
