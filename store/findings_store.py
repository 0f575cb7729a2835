"""The findings store: SQLite via sqlite-utils, schema by migrations, WAL for readers."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from store.approval_answers import Answer, apply_answers, own_node
from store.approvals import (
    ApprovalState,
    approval_state,
    approvals_of,
    decide_approval,
    request_approval,
)
from store.migrations import migrations
from store.records import ApprovalRequestRecord, CoachingRecord, DecisionRecord, UsageRecord
from store.triage import record_triage

# The tables `purge` deletes from, children before their parents.
PURGE_TABLES: tuple[str, ...] = (
    "findings",
    "triage_history",
    "triage",
    "decisions",
    "usage",
    "coaching",
    "approval_decisions",
    "approval_requests",
)
# A request the person asked again (store/approvals.py) is as old as its last asking.
_APPROVAL_AGE = "coalesce(last_ts, ts)"
_DELETE_APPROVAL_DECISIONS = (
    "delete from approval_decisions where request_id in "
    f"(select id from approval_requests where {_APPROVAL_AGE} < ?)"
)
# The tables an export reads events from (all have an indexed `ts`).
EXPORT_TABLES: tuple[str, ...] = ("decisions", "usage", "coaching", "approval_requests")
EXPORT_BATCH = 500


class FindingsStore:
    """Not thread-safe by itself: the gateway uses it from one writer thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Pseudonyms and masked excerpts are still about people: owner-only, and
            # SQLite gives the -wal/-shm files the database file's permissions.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self.db = Database(conn)
        self.db.enable_wal()
        # In WAL mode NORMAL keeps the database consistent after a crash or power cut
        # and syncs at checkpoints instead of at every commit: the last commits before
        # a power cut may be lost, never the file. FULL made every decision wait for
        # an fsync (~70 writes/s on a VM disk instead of thousands; docs/benchmarks.md).
        self.db.execute("pragma synchronous = NORMAL")
        migrations.apply(self.db)

    def record(self, decision: DecisionRecord) -> int:
        with self.db.conn:
            return self._insert_decision(decision)

    def record_many(self, rows: Sequence[DecisionRecord | UsageRecord]) -> None:
        """Decisions and usage rows in one transaction: all or none (the gateway's writer
        thread hands over everything that queued up while it was writing)."""
        findings: list[dict[str, Any]] = []
        usage: list[dict[str, Any]] = []
        with self.db.conn:
            for row in rows:
                if isinstance(row, DecisionRecord):
                    findings += self._finding_rows(row, self._insert_decision_row(row))
                else:
                    usage.append(self._usage_row(row))
            # One statement per table for the batch, not one per decision.
            self.db.table("findings").insert_all(findings)
            self.db.table("usage").insert_all(usage)

    def _insert_decision(self, decision: DecisionRecord) -> int:
        decision_id = self._insert_decision_row(decision)
        self.db.table("findings").insert_all(self._finding_rows(decision, decision_id))
        return decision_id

    def _insert_decision_row(self, decision: DecisionRecord) -> int:
        values = self._decision_row(decision)
        # The hot path: one prepared INSERT per decision (sqlite-utils' insert() looks
        # at the table's schema on every call, 4 statements more per decision, and
        # findings need each decision's id, so the decisions of a batch cannot go in
        # one insert_all). The columns are the migrations' (checked in the tests).
        sql = "insert into decisions ({}) values ({})".format(
            ", ".join(f"[{c}]" for c in values), ", ".join("?" for _ in values)
        )  # the same text every time: sqlite3's statement cache prepares it once
        cursor = self.db.conn.execute(sql, list(values.values()))
        return int(cursor.lastrowid or 0)

    @staticmethod
    def _decision_row(decision: DecisionRecord) -> dict[str, Any]:
        return {
            "ts": decision.ts,
            "service": decision.service,
            "host": decision.host,
            "api": decision.api,
            "tool": decision.tool,
            "tool_status": decision.tool_status,
            "user_pseudonym": decision.user_pseudonym,
            "user_group": decision.user_group,
            "action": decision.action,
            "enforced": decision.enforced or decision.action,
            "mode": decision.mode,
            "reasons": json.dumps(list(decision.reasons)),
            "data_classes": json.dumps(list(decision.data_classes)),
            "finding_count": sum(f.count for f in decision.findings),
            "policy_version": decision.policy_version,
            "scan_ms": decision.scan_ms,
            "error": decision.error,
            "coaching_ref": decision.coaching_ref,
        }

    @staticmethod
    def _finding_rows(decision: DecisionRecord, decision_id: int) -> list[dict[str, Any]]:
        return [
            {
                "decision_id": decision_id,
                "ts": decision.ts,
                "service": decision.service,
                "tool_status": decision.tool_status,
                "user_pseudonym": decision.user_pseudonym,
                "user_group": decision.user_group,
                "data_class": f.data_class,
                "entity_type": f.entity_type,
                "count": f.count,
                "max_score": f.max_score,
                "action": decision.action,
                "policy_version": decision.policy_version,
                "masked_excerpt": f.masked_excerpt,
                "value_hash": f.value_hash,
                "location": f.location,
                "recognizer": f.recognizer,
                "pattern_name": f.pattern_name,
                "context_word": f.context_word,
                "base_score": f.base_score,
                "checksum": f.checksum,
            }
            for f in decision.findings
        ]

    def record_usage(self, usage: UsageRecord) -> None:
        with self.db.conn:
            self._insert_usage(usage)

    def _insert_usage(self, usage: UsageRecord) -> None:
        self.db.table("usage").insert(self._usage_row(usage))

    @staticmethod
    def _usage_row(usage: UsageRecord) -> dict[str, Any]:
        return {
            "ts": usage.ts,
            "kind": usage.kind,
            "service": usage.service,
            "host": usage.host,
            "unknown_ai": int(usage.unknown_ai),
            "heuristic": usage.heuristic,
            "intercepted": int(usage.intercepted),
            "tool": usage.tool,
            "tool_status": usage.tool_status,
            "user_pseudonym": usage.user_pseudonym,
            "user_group": usage.user_group,
            "method": usage.method,
            "status": usage.status,
            "bytes_up": usage.bytes_up,
            "bytes_down": usage.bytes_down,
            "policy_version": usage.policy_version,
        }

    def record_coaching(self, row: CoachingRecord) -> int:
        with self.db.conn:
            inserted = self.db.table("coaching").insert(
                {
                    "ts": row.ts,
                    "user_pseudonym": row.user_pseudonym,
                    "user_group": row.user_group,
                    "service": row.service,
                    "tool": row.tool,
                    "data_classes": json.dumps(list(row.data_classes)),
                    "entity_types": json.dumps(row.entity_types, sort_keys=True),
                    "justification": row.justification,
                    "allowed_until": row.allowed_until,
                    "policy_version": row.policy_version,
                    "ref": row.ref,
                }
            )
        return int(inserted.last_pk or 0)

    def record_approval_request(self, row: ApprovalRequestRecord) -> int:
        """Store an approval request (or add to the person's open one for the same
        tool, see store/approvals.py); returns the request's id."""
        return self.request_approval(row).id

    def request_approval(
        self, row: ApprovalRequestRecord, answers: Sequence[Answer] = ()
    ) -> ApprovalState:
        """Store a request (or add to the person's open one); the DPO's `answers` from
        the central store (scale-out) are taken over first, so a request the DPO has
        rejected meanwhile starts a new one."""
        with self.db.conn:
            apply_answers(self.db.conn, list(answers))
            return request_approval(self.db.conn, row)

    def approval_state(self, request_id: int) -> ApprovalState | None:
        """Status and reply of one request (what the portal shows the employee)."""
        return approval_state(self.db.conn, request_id)

    def approvals_of(
        self, user_pseudonym: str, answers: Sequence[Answer] = ()
    ) -> list[ApprovalState]:
        """One person's requests, newest first, with the DPO's central `answers` to
        them taken over first (scale-out, store/approval_answers.py)."""
        if answers:
            with self.db.conn:
                apply_answers(self.db.conn, list(answers))
        return approvals_of(self.db.conn, user_pseudonym)

    def node_id(self) -> str | None:
        return own_node(self.db.conn)

    def decide_approval(
        self, request_id: int, status: str, reply: str, actor: str
    ) -> ApprovalState:
        with self.db.conn:
            return decide_approval(self.db.conn, request_id, status, reply, actor)

    def record_triage(self, decision_ids: Sequence[int], state: str, note: str, actor: str) -> int:
        with self.db.conn:
            return record_triage(self.db.conn, decision_ids, state, note, actor)

    def purge(self, retention_days: int, now: datetime | None = None) -> int:
        """Delete rows older than `retention_days` (decisions with their findings and
        triage, usage, coaching, approval requests); return how many. The
        re-identification audit is kept: it names pseudonyms, never people."""
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=retention_days)).isoformat(
            timespec="milliseconds"
        )
        with self.db.conn:
            for child in ("findings", "triage_history", "triage"):
                self.db.execute(
                    f"delete from {child} where decision_id in "
                    "(select id from decisions where ts < ?)",
                    [cutoff],
                )
            deleted = self.db.execute("delete from decisions where ts < ?", [cutoff]).rowcount
            self.db.execute(_DELETE_APPROVAL_DECISIONS, [cutoff])
            for table in ("usage", "coaching"):
                deleted += self.db.execute(f"delete from {table} where ts < ?", [cutoff]).rowcount
            deleted += self.db.execute(
                f"delete from approval_requests where {_APPROVAL_AGE} < ?", [cutoff]
            ).rowcount
        return int(deleted)

    def purge_by_table(
        self, retention_days: int, now: datetime | None = None, dry_run: bool = False
    ) -> dict[str, int]:
        """Like `purge`, but return the rows per table (see PURGE_TABLES); with
        `dry_run` only count them. Findings and triage go with their decision."""
        cutoff = _cutoff(retention_days, now)
        old_decisions = "select id from decisions where ts < ?"
        where = {
            "findings": f"decision_id in ({old_decisions})",
            "triage_history": f"decision_id in ({old_decisions})",
            "triage": f"decision_id in ({old_decisions})",
            "approval_decisions": (
                f"request_id in (select id from approval_requests where {_APPROVAL_AGE} < ?)"
            ),
            "approval_requests": f"{_APPROVAL_AGE} < ?",
        }
        counts: dict[str, int] = {}
        with self.db.conn:
            for table in PURGE_TABLES:
                condition = where.get(table, "ts < ?")
                if dry_run:
                    (count,) = self.db.execute(
                        f"select count(*) from {table} where {condition}", [cutoff]
                    ).fetchone()
                else:
                    count = self.db.execute(
                        f"delete from {table} where {condition}", [cutoff]
                    ).rowcount
                counts[table] = int(count)
        return counts

    def record_policy_version(self, row: Mapping[str, str | int | None]) -> int:
        """Remember a policy version (version_id, first_seen, source, organization,
        retention_days); a version already known keeps its first_seen. Returns 1 if new."""
        with self.db.conn:
            cursor = self.db.execute(
                "insert or ignore into policy_versions (version_id, first_seen, source, "
                "organization, retention_days) values (?, ?, ?, ?, ?)",
                [
                    row["version_id"],
                    row["first_seen"],
                    row.get("source"),
                    row.get("organization"),
                    row.get("retention_days"),
                ],
            )
        return int(cursor.rowcount)

    def recorded_retention(self) -> tuple[str, int] | None:
        """(version_id, retention_days) of the newest recorded policy version that
        says how long it keeps rows; None when no version did."""
        found = self.db.execute(
            "select version_id, retention_days from policy_versions "
            "where retention_days is not null order by first_seen desc limit 1"
        ).fetchone()
        return (str(found[0]), int(found[1])) if found else None

    def policy_versions(self) -> list[dict[str, Any]]:
        return list(self.db.table("policy_versions").rows_where(order_by="first_seen"))

    def record_reidentify_audit(
        self,
        pseudonym: str,
        requested_by: str,
        reason: str,
        found: bool,
        ts: str | None = None,
    ) -> int:
        """One audit row per re-identification: who, when, why, which pseudonym and
        whether a candidate matched — never the identity."""
        when = ts or datetime.now(UTC).isoformat(timespec="milliseconds")
        with self.db.conn:
            inserted = self.db.table("reidentify_audit").insert(
                {
                    "ts": when,
                    "pseudonym": pseudonym,
                    "requested_by": requested_by,
                    "reason": reason,
                    "found": int(found),
                }
            )
        return int(inserted.last_pk or 0)

    def reidentify_audit(self) -> list[dict[str, Any]]:
        return list(self.db.table("reidentify_audit").rows_where(order_by="id"))

    def iter_rows(
        self, table: str, since: str | None = None, until: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Rows of one EXPORT_TABLES table with since <= ts < until (ISO 8601 UTC as
        stored), in (ts, id) order, read in batches."""
        if table not in EXPORT_TABLES:
            raise ValueError(f"unknown table {table!r}; one of {', '.join(EXPORT_TABLES)}")
        conditions, params = ["1 = 1"], []
        if since is not None:
            conditions.append("ts >= ?")
            params.append(since)
        if until is not None:
            conditions.append("ts < ?")
            params.append(until)
        last: tuple[str, int] | None = None
        while True:
            page = list(conditions)
            page_params: list[Any] = list(params)
            if last is not None:
                page.append("(ts > ? or (ts = ? and id > ?))")
                page_params += [last[0], last[0], last[1]]
            rows = list(
                self.db.query(
                    f"select * from {table} where {' and '.join(page)} "
                    f"order by ts, id limit {EXPORT_BATCH}",
                    page_params,
                )
            )
            yield from rows
            if len(rows) < EXPORT_BATCH:
                return
            last = (rows[-1]["ts"], rows[-1]["id"])

    def iter_decisions_with_findings(
        self, since: str | None = None, until: str | None = None
    ) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """Each decision row with its finding rows, in (ts, id) order."""
        batch: list[dict[str, Any]] = []
        for decision in self.iter_rows("decisions", since, until):
            batch.append(decision)
            if len(batch) >= EXPORT_BATCH:
                yield from self._with_findings(batch)
                batch = []
        yield from self._with_findings(batch)

    def _with_findings(
        self, decisions: list[dict[str, Any]]
    ) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        if not decisions:
            return
        ids = [d["id"] for d in decisions]
        by_decision: dict[int, list[dict[str, Any]]] = {}
        for row in self.db.query(
            f"select * from findings where decision_id in ({', '.join('?' * len(ids))}) "
            "order by id",
            ids,
        ):
            by_decision.setdefault(row["decision_id"], []).append(row)
        for decision in decisions:
            yield decision, by_decision.get(decision["id"], [])

    def decisions(self) -> list[dict[str, Any]]:
        return list(self.db.table("decisions").rows_where(order_by="id"))

    def findings(self) -> list[dict[str, Any]]:
        return list(self.db.table("findings").rows_where(order_by="id"))

    def usage(self) -> list[dict[str, Any]]:
        return list(self.db.table("usage").rows_where(order_by="id"))

    def coaching(self) -> list[dict[str, Any]]:
        return list(self.db.table("coaching").rows_where(order_by="id"))

    def approval_requests(self) -> list[dict[str, Any]]:
        return list(self.db.table("approval_requests").rows_where(order_by="id"))

    def close(self) -> None:
        self.db.conn.close()


def _cutoff(retention_days: int, now: datetime | None) -> str:
    when = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    return when.astimezone(UTC).isoformat(timespec="milliseconds")
