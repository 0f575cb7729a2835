"""Every command reads the gateway's config file: db, policy, confdir and key file come
from flag > LEITPLANKE_* > config file > default, the same way everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import cli
from store.findings_store import FindingsStore
from tests.cli.test_purge_reidentify import POLICY, counts
from tests.siem.test_siem import seed

NOW = datetime.now(UTC)
POINTS = (NOW - timedelta(days=200), NOW - timedelta(days=2))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "state" / "leitplanke.db"
    path.parent.mkdir()
    seed(path, *POINTS).close()
    return path


def write_config(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "etc" / "config.yaml"
    config.parent.mkdir(exist_ok=True)
    config.write_text(text, encoding="utf-8")
    return config


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args, env=env)
    return result.exit_code, result.output


def test_db_from_config_env_and_flag_in_that_order(db: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path, "db: ../state/leitplanke.db\n")  # relative to the file
    status, out = run(["inventory", "--config", str(config), "--format", "json"])
    assert status == 0, out
    missing = str(tmp_path / "nope.db")
    status, out = run(["inventory", "--config", str(config)], {"LEITPLANKE_DB": missing})
    assert status == 2 and "nope.db" in out  # the environment wins over the file
    status, out = run(
        ["inventory", "--config", str(config), "--db", str(db), "--format", "json"],
        {"LEITPLANKE_DB": missing},
    )
    assert status == 0, out  # the flag wins over both


@pytest.mark.parametrize(
    "command", ["inventory", "report", "export", "purge", "reidentify", "review", "pac", "ca"]
)
def test_every_command_offers_the_config_file(command: str) -> None:
    args = [command, "export", "--help"] if command == "ca" else [command, "--help"]
    status, out = run(args)
    assert status == 0 and "--config" in out and "LEITPLANKE_CONFIG" in out, out


@pytest.mark.parametrize("command", ["inventory", "report", "export", "purge", "notify"])
def test_dpo_commands_look_where_leitplanke_config_says(command: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, f"db: {tmp_path / 'elsewhere.db'}\n")
    args = {"purge": ["--dry-run"], "notify": ["--dry-run"]}.get(command, [])
    status, out = run([command, *args], {"LEITPLANKE_CONFIG": str(config)})
    assert status != 0 and "elsewhere.db" in out, out


def test_purge_keeps_what_the_configured_policy_keeps(db: Path, tmp_path: Path) -> None:
    policy = tmp_path / "etc" / "policy.yaml"
    write_config(tmp_path, f"db: {db}\npolicy: policy.yaml\n")
    policy.write_text(POLICY.replace("retention_days: 30", "retention_days: 180"), "utf-8")
    status, out = run(["purge", "--config", str(tmp_path / "etc" / "config.yaml")])
    assert status == 0, out
    assert "older than 180 days" in out and f"from policy {policy}" in out
    assert counts(db)["decisions"] == 2  # 2 days old stay, 200 days old went


def test_purge_without_a_policy_uses_the_version_the_gateway_recorded(db: Path) -> None:
    store = FindingsStore(db)
    for n, (days, when) in enumerate([(30, "2024-01-01"), (180, "2025-01-01")]):
        store.record_policy_version(
            {"version_id": f"{n}@x", "first_seen": when, "retention_days": days}
        )
    store.close()
    status, out = run(["purge", "--db", str(db), "--dry-run"])
    assert status == 0, out
    assert "older than 180 days" in out and "policy version 1@x" in out


def test_a_broken_config_file_is_one_located_line(tmp_path: Path) -> None:
    config = write_config(tmp_path, "db: [oops\n")
    status, out = run(["inventory", "--config", str(config)])
    assert status == 2 and "Traceback" not in out
    assert out.startswith(f"error: {config}:")
