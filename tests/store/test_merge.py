"""`leitplanke merge` on real SQLite files: id collisions, idempotence, incremental
merges, live WAL databases, key fingerprints and old node databases."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from cli.main import cli
from store.findings_store import FindingsStore
from store.merge import MergeError, key_fingerprint, merge_nodes
from store.migrations import migrations
from store.records import (
    ApprovalRequestRecord,
    CoachingRecord,
    DecisionRecord,
    FindingRecord,
    UsageRecord,
)

KEY = "ab" * 32
OTHER_KEY = "cd" * 32


def write_key(db: Path, key: str = KEY) -> Path:
    path = db.with_name(db.name + ".key")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return path


def decision(tag: str, hashes: list[str], ts: str | None = None) -> DecisionRecord:
    findings = tuple(
        FindingRecord("personal", "IBAN_CODE", 1, 1.0, "DE89 **** 3000", h, "messages[0]")
        for h in hashes
    )
    record = DecisionRecord(
        service=f"svc-{tag}",
        host="api.openai.com",
        api="openai_chat",
        tool=None,
        tool_status="unapproved",
        user_pseudonym=f"u-{tag}",
        user_group=None,
        action="block" if hashes else "log",
        reasons=(),
        data_classes=("personal",) if hashes else (),
        policy_version="1@abc",
        findings=findings,
    )
    return dataclasses.replace(record, ts=ts) if ts else record


def node(path: Path, tag: str, decisions: int = 2, key: str = KEY) -> FindingsStore:
    """A node database with `decisions` decisions (two findings each), usage,
    coaching, an approval request, a policy version, triage and an audit row."""
    write_key(path, key)
    store = FindingsStore(path)
    for i in range(decisions):
        store.record(decision(tag, [f"{tag}-{i}-a", f"{tag}-{i}-b"]))
    store.record_usage(
        UsageRecord(
            kind="request",
            service="openai-api",
            host="api.openai.com",
            intercepted=True,
            user_pseudonym=f"u-{tag}",
            user_group=None,
        )
    )
    store.record_coaching(
        CoachingRecord(
            service="deepl",
            tool="deepl",
            user_pseudonym=f"u-{tag}",
            user_group=None,
            data_classes=("personal",),
            entity_types={"IBAN_CODE": 1},
            justification="<IBAN_CODE> ok",
            allowed_until="2030-01-01T00:00:00.000+00:00",
        )
    )
    store.record_approval_request(
        ApprovalRequestRecord(
            user_pseudonym=f"u-{tag}",
            user_group=None,
            service="deepl",
            tool_name="DeepL",
            reason="Übersetzung",
            department="Vertrieb",
            status="open",
        )
    )
    store.record_policy_version(
        {
            "version_id": "1@abc",
            "first_seen": f"2025-01-0{1 if tag == 'b' else 2}T00:00:00",
            "source": f"/etc/{tag}.yaml",
            "organization": "Muster",
        }
    )
    store.db.table("triage").insert({"decision_id": 1, "state": "confirmed"})
    store.record_reidentify_audit(f"u-{tag}", "dpo", f"ticket {tag}", True)
    return store


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def count(db: Path, table: str) -> int:
    return int(rows(db, f"select count(*) from {table}")[0][0])


def node_id(db: Path) -> str:
    return str(rows(db, "select node_id from node_info")[0][0])


@pytest.fixture
def two_nodes(tmp_path: Path) -> tuple[Path, Path, Path]:
    a, b = tmp_path / "a" / "leitplanke.db", tmp_path / "b" / "leitplanke.db"
    a.parent.mkdir()
    b.parent.mkdir()
    node(a, "a").close()
    node(b, "b").close()
    central = tmp_path / "central" / "central.db"
    central.parent.mkdir()
    write_key(central)
    return a, b, central


def test_colliding_ids_keep_their_links(two_nodes: tuple[Path, Path, Path]) -> None:
    a, b, central = two_nodes
    assert rows(a, "select id from decisions") == rows(b, "select id from decisions")
    merge_nodes(central, [a, b])
    assert count(central, "decisions") == 4
    assert count(central, "findings") == 8
    # Every finding points at the central decision of its own node and row.
    linked = rows(
        central,
        "select f.value_hash, d.service, f.node, d.node, d.node_row_id from findings f "
        "join decisions d on d.id = f.decision_id order by f.value_hash",
    )
    assert len(linked) == 8
    for value_hash, service, f_node, d_node, d_row in linked:
        tag, i = str(value_hash).split("-")[:2]
        assert service == f"svc-{tag}"
        assert f_node == d_node == node_id(a if tag == "a" else b)
        assert d_row == int(i) + 1
    for table in ("usage", "coaching", "approval_requests", "reidentify_audit"):
        assert count(central, table) == 2, table
        assert {r[0] for r in rows(central, f"select node from {table}")} == {
            node_id(a),
            node_id(b),
        }
    assert count(central, "triage") == 0  # central-only
    # One policy version, first seen as early as any node saw it.
    assert rows(central, "select version_id, first_seen from policy_versions") == [
        ("1@abc", "2025-01-01T00:00:00")
    ]
    assert {r[0] for r in rows(central, "select node_id from merged_nodes")} == {
        node_id(a),
        node_id(b),
    }


def test_merging_twice_adds_nothing(two_nodes: tuple[Path, Path, Path]) -> None:
    a, b, central = two_nodes
    merge_nodes(central, [a, b])
    snapshot = {
        t: rows(central, f"select * from {t} order by id") for t in ("decisions", "findings")
    }
    again = merge_nodes(central, [b, a])
    assert all(n == 0 for result in again for n in result.inserted.values())
    assert again[0].already["findings"] == 4
    assert {t: rows(central, f"select * from {t} order by id") for t in snapshot} == snapshot


def test_incremental_merge_adds_only_new_rows(two_nodes: tuple[Path, Path, Path]) -> None:
    a, b, central = two_nodes
    merge_nodes(central, [a, b])
    store = FindingsStore(a)
    store.record(decision("a", ["a-2-a"]))
    store.close()
    (result,) = merge_nodes(central, [a])
    assert result.inserted["decisions"] == 1
    assert result.inserted["findings"] == 1
    assert result.already["decisions"] == 2
    assert count(central, "decisions") == 5
    assert rows(
        central,
        "select d.node_row_id from findings f join decisions d on d.id = f.decision_id "
        "where f.value_hash = 'a-2-a'",
    ) == [(3,)]


def test_ids_reused_after_a_full_purge_are_new_rows(two_nodes: tuple[Path, Path, Path]) -> None:
    a, _, central = two_nodes
    merge_nodes(central, [a])
    store = FindingsStore(a)
    later = datetime.now(UTC) + timedelta(days=1)
    store.purge(0, now=later)  # everything goes; SQLite then hands out id 1 again
    new_id = store.record(decision("a", ["a-new"], ts=later.isoformat(timespec="milliseconds")))
    store.close()
    assert new_id == 1
    (result,) = merge_nodes(central, [a])
    assert result.inserted["decisions"] == 1
    assert count(central, "decisions") == 3  # nothing lost centrally by the node's purge
    assert rows(
        central,
        "select d.node_row_id, d.ts > '2000' from findings f "
        "join decisions d on d.id = f.decision_id where f.value_hash = 'a-new'",
    ) == [(1, 1)]


def test_live_wal_database_is_read_consistently(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    store = node(db, "a", decisions=3)  # stays open: rows still in the WAL
    store.db.execute("pragma wal_autocheckpoint = 0")
    store.record(decision("a", ["a-wal"]))
    assert (tmp_path / "live.db-wal").stat().st_size > 0
    central = tmp_path / "central.db"
    write_key(central)
    try:
        merge_nodes(central, [db])
        assert count(central, "decisions") == 4
        assert rows(central, "select count(*) from findings where value_hash = 'a-wal'") == [(1,)]
        store.record(decision("a", ["a-wal-2"]))  # the gateway keeps writing
    finally:
        store.close()
    merge_nodes(central, [db])
    assert count(central, "decisions") == 5


def test_key_mismatch_is_refused_unless_forced(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    node(a, "a").close()
    node(b, "b", key=OTHER_KEY).close()
    central = tmp_path / "central.db"
    write_key(central)
    runner = CliRunner()
    result = runner.invoke(cli, ["merge", "--into", str(central), str(a), str(b)])
    assert result.exit_code == 2
    assert "differs from the central key" in result.output
    assert str(b) in result.output
    assert not central.exists()  # all nodes are checked before anything is written
    forced = runner.invoke(cli, ["merge", "--force", "--into", str(central), str(a), str(b)])
    assert forced.exit_code == 0, forced.output
    assert count(central, "decisions") == 4
    fingerprints = dict(rows(central, "select node_id, key_fingerprint from merged_nodes"))
    assert fingerprints[node_id(b)] == key_fingerprint(bytes.fromhex(OTHER_KEY))


def test_missing_central_key_is_refused(tmp_path: Path) -> None:
    a = tmp_path / "a.db"
    node(a, "a").close()
    result = CliRunner().invoke(cli, ["merge", "--into", str(tmp_path / "c.db"), str(a)])
    assert result.exit_code == 2
    assert "no key file for the central store" in result.output


def test_node_without_key_file_is_refused(tmp_path: Path) -> None:
    a = tmp_path / "a.db"
    node(a, "a").close()
    (tmp_path / "a.db.key").unlink()  # a snapshot shipped without anything else
    central = tmp_path / "central.db"
    write_key(central)
    with pytest.raises(MergeError, match="key unknown"):
        merge_nodes(central, [a])


def test_outbox_keeps_the_origin_node(tmp_path: Path) -> None:
    """On the node: merge into an outbox (with the node's key); ship it; merge the
    outbox centrally. Rows keep their origin, so merging the node directly too adds
    nothing, and the outbox carries the key fingerprint without its key file."""
    a = tmp_path / "node" / "leitplanke.db"
    a.parent.mkdir()
    node(a, "a").close()
    outbox = tmp_path / "node" / "outbox.db"
    merge_nodes(outbox, [a], key_file=a.with_name("leitplanke.db.key"))
    shipped = tmp_path / "central" / "nodes" / "gw1.db"
    shipped.parent.mkdir(parents=True)
    shipped.write_bytes(outbox.read_bytes())
    central = tmp_path / "central" / "central.db"
    write_key(central)
    (result,) = merge_nodes(central, [shipped])
    assert result.inserted["decisions"] == 2
    assert {r[0] for r in rows(central, "select node from decisions")} == {node_id(a)}
    (direct,) = merge_nodes(central, [a])
    assert direct.inserted["decisions"] == 0


def test_old_node_database_is_refused_clearly(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    write_key(old)
    db = Database(old)
    migrations.apply(db, stop_before="m006_node_merge")
    db.close()
    central = tmp_path / "central.db"
    write_key(central)
    result = CliRunner().invoke(cli, ["merge", "--into", str(central), str(old)])
    assert result.exit_code == 2
    assert "m006_node_merge missing" in result.output
    assert "restart" in result.output


def test_old_central_database_is_migrated(tmp_path: Path) -> None:
    a = tmp_path / "a.db"
    node(a, "a").close()
    central = tmp_path / "central.db"
    write_key(central)
    db = Database(central)
    migrations.apply(db, stop_before="m006_node_merge")
    db.close()
    merge_nodes(central, [a])
    assert count(central, "decisions") == 2


def test_not_a_leitplanke_database_and_self_merge_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    Database(other).table("t").insert({"x": 1})
    write_key(other)
    central = tmp_path / "central.db"
    write_key(central)
    with pytest.raises(MergeError, match="not a Leitplanke findings database"):
        merge_nodes(central, [other])
    node(central, "c").close()
    copy = tmp_path / "copy.db"
    copy.write_bytes(central.read_bytes())
    write_key(copy)
    with pytest.raises(MergeError, match="copy of the central store"):
        merge_nodes(central, [copy])
    with pytest.raises(MergeError, match="into itself"):
        merge_nodes(central, [central])


def test_cli_reports_counts(two_nodes: tuple[Path, Path, Path]) -> None:
    a, b, central = two_nodes
    result = CliRunner().invoke(cli, ["merge", "--into", str(central), str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert f"node {node_id(a)}" in result.output
    assert "findings" in result.output and "4 new, 0 merged before" in result.output
    assert "triage" in result.output and "not merged (central-only)" in result.output
