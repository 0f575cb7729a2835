"""The findings store: SQLite via sqlite-utils, schema by migrations, WAL for readers."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from store.migrations import migrations
from store.records import ApprovalRequestRecord, CoachingRecord, DecisionRecord, UsageRecord


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
        migrations.apply(self.db)

    def record(self, decision: DecisionRecord) -> int:
        with self.db.conn:
            row = self.db.table("decisions").insert(
                {
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
                    "reasons": json.dumps(list(decision.reasons)),
                    "data_classes": json.dumps(list(decision.data_classes)),
                    "finding_count": sum(f.count for f in decision.findings),
                    "policy_version": decision.policy_version,
                    "scan_ms": decision.scan_ms,
                    "error": decision.error,
                }
            )
            decision_id = int(row.last_pk or 0)
            self.db.table("findings").insert_all(
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
                }
                for f in decision.findings
            )
        return decision_id

    def record_usage(self, usage: UsageRecord) -> None:
        with self.db.conn:
            self.db.table("usage").insert(
                {
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
            )

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
                }
            )
        return int(inserted.last_pk or 0)

    def record_approval_request(self, row: ApprovalRequestRecord) -> int:
        with self.db.conn:
            inserted = self.db.table("approval_requests").insert(
                {
                    "ts": row.ts,
                    "user_pseudonym": row.user_pseudonym,
                    "user_group": row.user_group,
                    "service": row.service,
                    "tool_name": row.tool_name,
                    "reason": row.reason,
                    "department": row.department,
                    "status": row.status,
                }
            )
        return int(inserted.last_pk or 0)

    def purge(self, retention_days: int, now: datetime | None = None) -> int:
        """Delete rows older than `retention_days` (decisions with their findings and
        triage, usage, coaching, approval requests); return how many. The
        re-identification audit is kept: it names pseudonyms, never people."""
        cutoff = ((now or datetime.now(UTC)) - timedelta(days=retention_days)).isoformat(
            timespec="milliseconds"
        )
        with self.db.conn:
            for child in ("findings", "triage"):
                self.db.execute(
                    f"delete from {child} where decision_id in "
                    "(select id from decisions where ts < ?)",
                    [cutoff],
                )
            deleted = self.db.execute("delete from decisions where ts < ?", [cutoff]).rowcount
            for table in ("usage", "coaching", "approval_requests"):
                deleted += self.db.execute(f"delete from {table} where ts < ?", [cutoff]).rowcount
        return int(deleted)

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
