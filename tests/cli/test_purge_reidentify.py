"""`leitplanke purge` and `leitplanke reidentify` on real SQLite files."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.purge_command import purge
from cli.reidentify_command import reidentify
from store.findings_store import FindingsStore
from store.keys import pseudonym
from tests.siem.test_siem import seed

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=100)
NEW = NOW - timedelta(days=2)
KEY = bytes(range(32))
OTHER = bytes(range(1, 33))
REASON = "INC-4711: customer data sent to an unapproved tool"
POLICY = """\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
data_classes:
  personal: {label: {de: Personenbezogene Daten}, entities: [EMAIL_ADDRESS]}
on_violation: {personal: block}
privacy: {retention_days: 30}
groups:
  vertrieb: {label: {de: Vertrieb}, users: [k.schmidt, a.meier]}
"""
TABLES = (
    "findings",
    "triage_history",
    "triage",
    "decisions",
    "usage",
    "coaching",
    "approval_decisions",
    "approval_requests",
)
# Per point in time the seed writes 2 decisions with 2 finding rows each (IBAN, email),
# 1 triage row, 2 usage rows, 1 coaching row and 1 approval request.
PER_POINT = {
    "findings": 4,
    "triage_history": 0,  # the seed writes the current triage only
    "triage": 1,
    "decisions": 2,
    "usage": 2,
    "coaching": 1,
    "approval_decisions": 0,
    "approval_requests": 1,
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "leitplanke.db"
    seed(path, OLD, NEW).close()
    return path


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


def printed(output: str) -> dict[str, int]:
    rows = (line.split() for line in output.splitlines())
    return {row[0]: int(row[1]) for row in rows if len(row) == 2}


# --- purge ------------------------------------------------------------------------------


def test_purge_with_days_deletes_old_rows_in_every_table(runner: CliRunner, db: Path) -> None:
    assert counts(db) == {t: 2 * n for t, n in PER_POINT.items()}
    result = runner.invoke(purge, ["--db", str(db), "--days", "90"])
    assert result.exit_code == 0, result.output
    assert printed(result.output) == PER_POINT
    assert f"{sum(PER_POINT.values())} rows older than 90 days" in result.output
    assert counts(db) == PER_POINT  # the new rows stay
    again = runner.invoke(purge, ["--db", str(db), "--days", "90"])
    assert printed(again.output) == dict.fromkeys(PER_POINT, 0)


def test_purge_keeps_audit_and_policy_versions(runner: CliRunner, db: Path) -> None:
    store = FindingsStore(db)
    old = OLD.isoformat(timespec="milliseconds")
    store.record_reidentify_audit("u-0123456789abcdef", "DSB", REASON, True, ts=old)
    store.record_policy_version({"version_id": "1@a", "first_seen": old, "source": "p.yaml"})
    store.close()
    assert runner.invoke(purge, ["--db", str(db), "--days", "1"]).exit_code == 0
    assert counts(db) == dict.fromkeys(TABLES, 0)
    store = FindingsStore(db)
    assert len(store.reidentify_audit()) == 1 and len(store.policy_versions()) == 1
    store.close()


def test_purge_dry_run_counts_and_deletes_nothing(runner: CliRunner, db: Path) -> None:
    before = counts(db)
    result = runner.invoke(purge, ["--db", str(db), "--days", "1", "--dry-run"])
    assert result.exit_code == 0
    assert printed(result.output) == {t: 2 * n for t, n in PER_POINT.items()}
    assert "would be deleted (dry run)" in result.output
    assert counts(db) == before


def test_purge_takes_retention_days_from_the_policy(
    runner: CliRunner, db: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    result = runner.invoke(purge, ["--db", str(db), "--policy", str(policy)])
    assert result.exit_code == 0, result.output
    assert "older than 30 days" in result.output
    assert counts(db) == PER_POINT


def test_purge_defaults_to_the_embedded_policy(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(purge, ["--db", str(db), "--dry-run"])
    assert result.exit_code == 0 and "older than 90 days" in result.output


def test_purge_without_database_exits_2_and_creates_none(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    result = runner.invoke(purge, ["--db", str(missing), "--days", "30"])
    assert result.exit_code == 2
    assert "no such database" in result.output
    assert not missing.exists()


def test_purge_refuses_policy_and_days_together(
    runner: CliRunner, db: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    result = runner.invoke(purge, ["--db", str(db), "--days", "3", "--policy", str(policy)])
    assert result.exit_code == 2 and "not both" in result.output


def test_purge_with_invalid_policy_exits_2(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: [", "utf-8")
    assert runner.invoke(purge, ["--db", str(db), "--policy", str(policy)]).exit_code == 2


# --- reidentify -------------------------------------------------------------------------


@pytest.fixture
def gateway(tmp_path: Path) -> Path:
    """A database with its key file, as the gateway leaves them."""
    db = tmp_path / "leitplanke.db"
    FindingsStore(db).close()
    key = tmp_path / "leitplanke.db.key"
    key.write_text(KEY.hex() + "\n")
    key.chmod(0o600)
    return db


def candidates(tmp_path: Path) -> Path:
    path = tmp_path / "htpasswd"
    path.write_text("a.meier:$apr1$x$y\nk.schmidt:$apr1$x$z\nb.braun:$apr1$x$w\n")
    return path


def ask(runner: CliRunner, db: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(
        reidentify,
        ["--db", str(db), "--reason", REASON, "--requested-by", "DSB Müller", *extra],
    )
    return result.exit_code, result.stdout, result.stderr


def audit(db: Path) -> list[tuple[str, str, str, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select pseudonym, requested_by, reason, found from reidentify_audit order by id"
        ).fetchall()


def test_reidentify_with_candidates_file(runner: CliRunner, gateway: Path, tmp_path: Path) -> None:
    target = pseudonym(KEY, "k.schmidt")
    code, out, _ = ask(runner, gateway, target, "--candidates", str(candidates(tmp_path)))
    assert (code, out) == (0, "k.schmidt\n")
    assert audit(gateway) == [(target, "DSB Müller", REASON, 1)]
    assert b"k.schmidt" not in gateway.read_bytes()  # the audit never names the person


def test_reidentify_with_policy_groups(runner: CliRunner, gateway: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    code, out, _ = ask(runner, gateway, pseudonym(KEY, "a.meier"), "--policy", str(policy))
    assert (code, out) == (0, "a.meier\n")


def test_reidentify_with_another_key_matches_nothing(
    runner: CliRunner, gateway: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.key"
    other.write_text(OTHER.hex())
    other.chmod(0o600)
    target = pseudonym(KEY, "k.schmidt")
    code, out, err = ask(
        runner, gateway, target, "--candidates", str(candidates(tmp_path)), "--key-file", str(other)
    )
    assert code == 1 and out == ""
    assert "none of 3 candidates matches" in err
    assert audit(gateway) == [(target, "DSB Müller", REASON, 0)]


def test_reidentify_without_key_exits_2_and_creates_no_key(
    runner: CliRunner, gateway: Path, tmp_path: Path
) -> None:
    key = tmp_path / "leitplanke.db.key"
    key.unlink()
    target = pseudonym(KEY, "k.schmidt")
    code, out, err = ask(runner, gateway, target, "--candidates", str(candidates(tmp_path)))
    assert code == 2 and out == "" and "no key file" in err
    assert not key.exists()
    assert audit(gateway) == []


@pytest.mark.parametrize(
    "args",
    [
        ["--requested-by", "DSB"],  # no reason
        ["--reason", "too short", "--requested-by", "DSB"],
        ["--reason", REASON],  # no requester
    ],
)
def test_reidentify_needs_reason_and_requester(
    runner: CliRunner, gateway: Path, tmp_path: Path, args: list[str]
) -> None:
    result = runner.invoke(
        reidentify,
        [
            "--db",
            str(gateway),
            pseudonym(KEY, "k.schmidt"),
            "--candidates",
            str(candidates(tmp_path)),
            *args,
        ],
    )
    assert result.exit_code == 2 and result.stdout == ""
    assert audit(gateway) == []


def test_reidentify_needs_candidates_and_a_database(
    runner: CliRunner, gateway: Path, tmp_path: Path
) -> None:
    code, _, err = ask(runner, gateway, pseudonym(KEY, "k.schmidt"))
    assert code == 2 and "--candidates" in err
    missing = tmp_path / "missing.db"
    code, _, err = ask(
        runner, missing, pseudonym(KEY, "x"), "--candidates", str(candidates(tmp_path))
    )
    assert code == 2 and "no such database" in err and not missing.exists()


def test_reidentify_audit_lists_rows(runner: CliRunner, gateway: Path, tmp_path: Path) -> None:
    result = runner.invoke(reidentify, ["--db", str(gateway), "--audit"])
    assert result.exit_code == 0 and "no re-identifications" in result.output
    target = pseudonym(KEY, "k.schmidt")
    ask(runner, gateway, target, "--candidates", str(candidates(tmp_path)))
    result = runner.invoke(reidentify, ["--db", str(gateway), "--audit"])
    assert result.exit_code == 0
    (line,) = result.output.splitlines()
    assert target in line and "found" in line and "DSB Müller" in line and REASON in line
    assert "k.schmidt" not in result.output
