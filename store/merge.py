"""Merge the findings stores of several gateway nodes into one central store.

Scale-out runs several `leitplanke proxy` processes behind a TCP load balancer, each
with its own SQLite database. `merge_nodes` copies their rows into a central
database:

- A node database is never opened for writing: it is read through a read-only
  connection with SQLite's backup API into a private snapshot, which sees exactly
  the committed transactions (also those still in the WAL) while the gateway keeps
  writing.
- Every database has a stable random node id (`node_info`, migration m006). A
  merged row keeps the node it was recorded on in `node` and its id there in
  `node_row_id`; (node, node_row_id, ts) is unique, so merging the same rows again
  adds nothing, and a node merged again after it recorded more rows adds just those.
  Ids are assigned anew in the central store; findings point at the central id of
  their decision.
- Rows merged from a database that itself holds merged rows keep their original
  node (an "outbox" database on a node can be shipped and merged centrally).
- Pseudonyms and keyed hashes are comparable only when every node used the same
  key: a node whose key fingerprint differs from the central one (or cannot be
  determined) is refused unless forced.
- `triage` (the DPO's work on a decision) is central-only and never merged; the
  re-identification audit is merged like the events, so none of it disappears from
  the central view.
- Approval requests are the one kind of row a node changes after writing it: a
  person asking again adds to their request (store/approvals.py). Merging again
  carries that over (how often, when last, the added reason; a question the person
  answered by asking again is open again); the DPO's answers stay central, and go
  back to the nodes through store/approval_answers.py.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from store.findings_store import FindingsStore
from store.keys import KeyFileError, default_key_path, derive, load_or_create_key
from store.migrations import MERGED_TABLES, migrations

NODE_MIGRATION = "m006_node_merge"
# The DPO's work: triage (and its history) and answers to approval requests.
CENTRAL_ONLY_TABLES: tuple[str, ...] = ("triage", "triage_history", "approval_decisions")
SNAPSHOT_ALIAS = "node_snapshot"


class MergeError(Exception):
    """A node (or the central store) cannot be merged; nothing was written."""


def key_fingerprint(key: bytes) -> str:
    """A short public name of a key: equal keys, equal fingerprints; reveals nothing
    about the key (a keyed hash of a fixed purpose string)."""
    return derive(key, "key-fingerprint").hex()[:16]


def key_file_fingerprint(path: Path) -> str:
    """Fingerprint of an existing key file (never creates one)."""
    if not path.is_file():
        raise MergeError(f"{path}: no such key file")
    try:
        return key_fingerprint(load_or_create_key(path))
    except (KeyFileError, OSError) as exc:
        raise MergeError(str(exc)) from None


@dataclass
class NodeSnapshot:
    source: Path
    path: Path  # the private snapshot
    node_id: str
    hostname: str | None
    key_fingerprint: str | None  # None: unknown
    key_source: str  # where the fingerprint came from (for messages)


@dataclass
class NodeResult:
    source: Path
    node_id: str
    hostname: str | None
    inserted: dict[str, int] = field(default_factory=dict)
    already: dict[str, int] = field(default_factory=dict)  # rows merged before
    asked_again: int = 0  # merged approval requests the person has asked again since
    not_merged: dict[str, int] = field(default_factory=dict)  # central-only tables


def snapshot(source: Path, target: Path) -> None:
    """Copy a (possibly live, WAL-mode) database consistently, opening it read-only."""
    if not source.is_file():
        raise MergeError(f"{source}: no such database")
    uri = f"{source.resolve().as_uri()}?mode=ro"
    try:
        reader = sqlite3.connect(uri, uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise MergeError(f"{source}: cannot open read-only ({exc})") from None
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)  # one step: one read transaction, one consistent state
        finally:
            writer.close()
    except sqlite3.Error as exc:
        raise MergeError(f"{source}: not a readable SQLite database ({exc})") from None
    finally:
        reader.close()


def _known_migrations() -> list[str]:
    return [m.name for m in migrations.pending(Database(memory=True))]


def prepare_node(source: Path, workdir: Path, index: int) -> NodeSnapshot:
    """Snapshot one node database, check and migrate its schema, read its identity."""
    path = workdir / f"node-{index}.db"
    snapshot(source, path)
    db = Database(path)
    try:
        try:
            applied = [m.name for m in migrations.applied(db)]
        except sqlite3.DatabaseError as exc:
            raise MergeError(f"{source}: not a readable SQLite database ({exc})") from None
        known = _known_migrations()
        if not applied or not db["decisions"].exists():
            raise MergeError(f"{source}: not a Leitplanke findings database")
        newer = [name for name in applied if name not in known]
        if newer:
            raise MergeError(
                f"{source}: written by a newer Leitplanke (migrations {', '.join(newer)}); "
                "upgrade Leitplanke where you run merge first"
            )
        if NODE_MIGRATION not in applied:
            raise MergeError(
                f"{source}: written by a Leitplanke version without node ids (migration "
                f"{NODE_MIGRATION} missing). Upgrade the gateway on that node and restart it "
                "once (it migrates its database at start), then merge again"
            )
        migrations.apply(db)  # later migrations only: deterministic, on the snapshot
        info = next(iter(db["node_info"].rows), None)
        if info is None:
            raise MergeError(f"{source}: no node id in node_info")
        fingerprint, key_source = _node_fingerprint(source, info.get("key_fingerprint"))
        return NodeSnapshot(
            source, path, info["node_id"], info.get("hostname"), fingerprint, key_source
        )
    finally:
        db.close()


def _node_fingerprint(source: Path, stored: str | None) -> tuple[str | None, str]:
    key_file = default_key_path(source)
    if key_file.exists():
        return key_file_fingerprint(key_file), str(key_file)
    if stored:
        return stored, f"the fingerprint recorded in {source}"
    return None, f"no {key_file.name} next to it and no fingerprint recorded in it"


def check_keys(central_fp: str | None, nodes: Sequence[NodeSnapshot]) -> list[str]:
    """Problems that make a node's pseudonyms and hashes incomparable with the central
    ones (empty: all nodes use the central key)."""
    problems = []
    for node in nodes:
        if central_fp is None:
            problems.append(f"{node.source}: the central key is unknown")
        elif node.key_fingerprint is None:
            problems.append(f"{node.source}: key unknown ({node.key_source})")
        elif node.key_fingerprint != central_fp:
            problems.append(
                f"{node.source}: key fingerprint {node.key_fingerprint} ({node.key_source}) "
                f"differs from the central key's {central_fp}"
            )
    return problems


def merge_nodes(
    central: Path,
    nodes: Sequence[Path],
    *,
    key_file: Path | None = None,
    force: bool = False,
) -> list[NodeResult]:
    """Merge `nodes` into `central` (created if missing); all nodes are checked
    before anything is written. Raises MergeError when refusing."""
    central_key = key_file or default_key_path(central)
    central_fp: str | None = None
    if central_key.exists():
        central_fp = key_file_fingerprint(central_key)
    elif not force:
        raise MergeError(
            f"{central_key}: no key file for the central store. Copy the key file all "
            "gateways share there (mode 0600), or give it with --key-file"
        )
    if len({p.resolve() for p in nodes}) != len(nodes):
        raise MergeError("a node database is given twice")
    if any(p.resolve() == central.resolve() for p in nodes):
        raise MergeError(f"{central}: cannot merge a database into itself")
    central.parent.mkdir(parents=True, exist_ok=True)
    # The snapshots hold pseudonyms and masked excerpts: a private directory next to
    # the central store (mode 0700; the same disk that takes the merged rows).
    with tempfile.TemporaryDirectory(prefix=".leitplanke-merge-", dir=central.parent) as tmp:
        snapshots = [prepare_node(path, Path(tmp), i) for i, path in enumerate(nodes)]
        problems = check_keys(central_fp, snapshots)
        if problems and not force:
            raise MergeError(
                "refusing to merge: pseudonyms and value hashes are only comparable when "
                "every gateway uses the same key file.\n  "
                + "\n  ".join(problems)
                + "\nDistribute one key file to all gateways (docs/scale-out.md), "
                "or merge anyway with --force"
            )
        try:
            store = FindingsStore(central)
        except sqlite3.DatabaseError as exc:
            raise MergeError(f"{central}: not a Leitplanke database ({exc})") from None
        try:
            return _merge_all(store.db, snapshots, central_fp, central)
        except sqlite3.Error as exc:  # e.g. the central store locked or its disk full
            raise MergeError(
                f"{central}: merge interrupted ({exc}); each node is merged in one "
                "transaction, so run it again: it adds only what is missing"
            ) from None
        finally:
            store.close()


def _merge_all(
    db: Database, snapshots: Sequence[NodeSnapshot], central_fp: str | None, central: Path
) -> list[NodeResult]:
    db.execute("pragma busy_timeout = 30000")
    own = next(iter(db["node_info"].rows))
    if central_fp is not None and own.get("key_fingerprint") not in (None, central_fp):
        raise MergeError(
            f"{central}: was merged with key fingerprint {own['key_fingerprint']} before, "
            f"its key file now has {central_fp}; use the key the nodes share"
        )
    for node in snapshots:
        if node.node_id == own["node_id"]:
            raise MergeError(f"{node.source}: is a copy of the central store itself")
    if central_fp is not None:
        with db.atomic():
            db.table("node_info").update(own["node_id"], {"key_fingerprint": central_fp})
    return [_merge_one(db, node, own["node_id"]) for node in snapshots]


def _copy_columns(db: Database, table: str) -> list[str]:
    skip = {"id", "node", "node_row_id", "decision_id"}
    return [c for c in db[table].columns_dict if c not in skip]


def _merge_one(db: Database, node: NodeSnapshot, central_id: str) -> NodeResult:
    result = NodeResult(node.source, node.node_id, node.hostname)
    # (A bound parameter, so any path works; sqlite-utils' attach() quotes it in SQL.)
    db.execute(f"attach database ? as {SNAPSHOT_ALIAS}", [str(node.path)])
    snap = SNAPSHOT_ALIAS
    params = {"node": node.node_id, "central": central_id}
    try:
        with db.atomic():
            _merge_policy_versions(db, result)
            for table in MERGED_TABLES:
                columns = _copy_columns(db, table)
                if table == "findings":
                    sql = _findings_sql(columns)
                else:
                    names = ", ".join(columns)
                    sql = (
                        f"insert or ignore into main.{table} ({names}, node, node_row_id) "
                        f"select {names}, coalesce(node, :node), coalesce(node_row_id, id) "
                        f"from {snap}.{table} where coalesce(node, :node) != :central "
                        "order by id"
                    )
                inserted = db.execute(sql, params).rowcount
                (total,) = db.execute(f"select count(*) from {snap}.{table}").fetchone()
                result.inserted[table] = inserted
                result.already[table] = total - inserted
            result.asked_again = db.execute(_ASKED_AGAIN_SQL, params).rowcount
            for table in CENTRAL_ONLY_TABLES:
                (count,) = db.execute(f"select count(*) from {snap}.{table}").fetchone()
                if count:
                    result.not_merged[table] = count
            now = datetime.now(UTC).isoformat(timespec="milliseconds")
            known = db["merged_nodes"].count_where("node_id = ?", [node.node_id])
            record: dict[str, Any] = {
                "node_id": node.node_id,
                "hostname": node.hostname,
                "source": str(node.source.resolve()),
                "key_fingerprint": node.key_fingerprint,
                "last_merged": now,
            }
            if not known:
                record["first_merged"] = now
            db.table("merged_nodes").upsert(record, pk="node_id")
    finally:
        db.execute(f"detach database {snap}")
    return result


# A merged request the person asked again on the node (a later last_ts): take over
# the count, the time and the reason; a question of the DPO asked before that is
# answered (open again). Status, reply and decision stay the central store's.
_ASKED_AGAIN_SQL = f"""
update main.approval_requests as c set
  repeats = s.repeats,
  last_ts = s.last_ts,
  reason = s.reason,
  status = case when c.status = 'needs_info' and s.last_ts > coalesce(c.decided_at, '')
    then 'open' else c.status end
from {SNAPSHOT_ALIAS}.approval_requests as s
where c.node = coalesce(s.node, :node) and c.node_row_id = coalesce(s.node_row_id, s.id)
  and c.ts = s.ts and coalesce(s.node, :node) != :central
  and s.last_ts > coalesce(c.last_ts, c.ts)
"""


def _findings_sql(columns: list[str]) -> str:
    """Findings with their decision's central id, found by the decision's origin."""
    snap = SNAPSHOT_ALIAS
    names = ", ".join(columns)
    selected = ", ".join(f"f.{c}" for c in columns)
    return (
        f"insert or ignore into main.findings ({names}, decision_id, node, node_row_id) "
        f"select {selected}, d.id, coalesce(f.node, :node), coalesce(f.node_row_id, f.id) "
        f"from {snap}.findings f "
        f"left join {snap}.decisions sd on sd.id = f.decision_id "
        "left join main.decisions d on d.node = coalesce(sd.node, :node) "
        "and d.node_row_id = coalesce(sd.node_row_id, sd.id) and d.ts = sd.ts "
        "where coalesce(f.node, :node) != :central order by f.id"
    )


def _merge_policy_versions(db: Database, result: NodeResult) -> None:
    """One row per version across all nodes; first_seen is the earliest any node saw."""
    table = db.table("policy_versions")
    inserted = 0
    rows = list(db.query(f"select * from {SNAPSHOT_ALIAS}.policy_versions"))
    for row in rows:
        existing = list(table.rows_where("version_id = ?", [row["version_id"]]))
        if not existing:
            table.insert(row)
            inserted += 1
        elif row["first_seen"] < existing[0]["first_seen"]:
            table.update(row["version_id"], {"first_seen": row["first_seen"]})
    result.inserted["policy_versions"] = inserted
    result.already["policy_versions"] = len(rows) - inserted
