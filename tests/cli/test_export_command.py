"""`leitplanke export` against a seeded database: every format, periods, no raw values."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.export_command import export
from tests.siem.test_siem import EMAIL, IBAN, SYSLOG, parse_cef, sd_params, seed

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=40)
NEW = NOW - timedelta(days=2)
# Per point in time: 2 decisions, 2 usage rows, 1 coaching, 1 approval request.
DEFAULT_PER_POINT = 4  # decisions + coaching + approval request


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "leitplanke.db"
    seed(path, OLD, NEW).close()
    return path


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, db: Path, *args: str) -> list[str]:
    result = runner.invoke(export, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_jsonl_parses_and_is_in_time_order(runner: CliRunner, db: Path) -> None:
    events = [json.loads(line) for line in run(runner, db)]
    assert len(events) == 2 * DEFAULT_PER_POINT
    assert [e["ts"] for e in events] == sorted(e["ts"] for e in events)
    kinds = sorted({e["event_type"] for e in events})
    assert kinds == ["approval_request", "coaching", "decision"]
    decision = next(e for e in events if e["event_type"] == "decision")
    assert decision["entity_types"] == {"EMAIL_ADDRESS": 1, "IBAN_CODE": 2}
    assert decision["user_pseudonym"] == "u-0123456789abcdef"
    assert len({e["event_id"] for e in events}) == len(events)


def test_tables_and_period(runner: CliRunner, db: Path) -> None:
    usage = [json.loads(x) for x in run(runner, db, "--tables", "usage", "--since", "7d")]
    assert len(usage) == 2 and {e["event_type"] for e in usage} == {"usage"}
    assert any(e["unknown_ai"] for e in usage)
    old = run(runner, db, "--until", (NOW - timedelta(days=30)).date().isoformat())
    assert len(old) == DEFAULT_PER_POINT
    since = (NOW - timedelta(days=10)).isoformat()
    assert len(run(runner, db, "--since", since, "--tables", "decisions")) == 2
    everything = run(runner, db, "--tables", "decisions,usage,coaching,approval_requests")
    assert len(everything) == 2 * (DEFAULT_PER_POINT + 2)


def test_cef_one_line_per_event(runner: CliRunner, db: Path) -> None:
    lines = run(runner, db, "--format", "cef", "--tables", "decisions,usage")
    assert len(lines) == 2 * 4
    for line in lines:
        header, ext = parse_cef(line)
        assert header[:3] == ["CEF:0", "Leitplanke", "Leitplanke"]
        assert ext["cat"] in ("decision", "usage") and "externalId" in ext
    severities = sorted(parse_cef(line)[0][6] for line in lines if "|decision." in line)
    assert severities == ["7", "7", "7", "7"]  # block, and warn enforced as block


def test_syslog_lines(runner: CliRunner, db: Path) -> None:
    lines = run(runner, db, "--format", "syslog", "--hostname", "gw1", "--facility", "local3")
    assert len(lines) == 2 * DEFAULT_PER_POINT
    for line in lines:
        match = SYSLOG.match(line)
        assert match, line
        assert int(match["pri"]) // 8 == 19 and match["host"] == "gw1"
        assert sd_params(match["sd"])["event_id"]


def test_output_file_is_owner_only(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    result = runner.invoke(export, ["--db", str(db), "--output", str(out)])
    assert result.exit_code == 0
    assert f"{2 * DEFAULT_PER_POINT} events written" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(out.read_text().splitlines()) == 2 * DEFAULT_PER_POINT


@pytest.mark.parametrize("fmt", ["jsonl", "cef", "syslog"])
def test_no_value_no_excerpt_and_no_hash_leaves(runner: CliRunner, db: Path, fmt: str) -> None:
    """Byte level: the raw IBAN and e-mail (written through the real record path, which
    keeps only masked excerpts), the masked excerpts, free text and (by default) the
    keyed value hashes appear nowhere in an export."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        excerpts = [r[0] for r in conn.execute("select masked_excerpt from findings")]
        hashes = [r[0] for r in conn.execute("select value_hash from findings")]
    assert excerpts and all(excerpts) and all(hashes)
    tables = "decisions,usage,coaching,approval_requests"
    data = "\n".join(run(runner, db, "--format", fmt, "--tables", tables)).encode()
    for raw in (IBAN, IBAN.replace(" ", ""), EMAIL, "3704 0044", "mustermann"):
        assert raw.encode() not in data
    for secret in [*excerpts, *hashes, "zugestimmt", "Recherche"]:
        assert secret.encode() not in data
    with_hashes = "\n".join(run(runner, db, "--format", fmt, "--include-hashes")).encode()
    assert all(h.encode() in with_hashes for h in hashes)
    assert IBAN.replace(" ", "").encode() not in with_hashes


def test_missing_database_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    result = runner.invoke(export, ["--db", str(missing)])
    assert result.exit_code == 2 and "no such database" in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize(
    "args", [["--tables", "decisions,secrets"], ["--since", "yesterday"], ["--format", "xml"]]
)
def test_bad_options_exit_2(runner: CliRunner, db: Path, args: list[str]) -> None:
    assert runner.invoke(export, ["--db", str(db), *args]).exit_code == 2
