"""Schema of the findings store. Change it only by adding a migration."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("leitplanke")


@migrations()
def m001_decisions_and_findings(db: Database) -> None:
    # One row per scanned request. No prompt text, no raw values: only what was
    # decided, why, for which service, and for whom (a pseudonym).
    db.table("decisions").create(
        {
            "id": int,
            "ts": str,  # ISO 8601, UTC
            "service": str,
            "host": str,
            "api": str,
            "tool": str,
            "tool_status": str,
            "user_pseudonym": str,
            "user_group": str,
            "action": str,
            "reasons": str,  # JSON list of reason codes
            "data_classes": str,  # JSON list
            "finding_count": int,
            "policy_version": str,
            "scan_ms": float,
            "error": str,
        },
        pk="id",
    )
    # One row per distinct detected value (entity type + keyed hash) in a decision.
    db.table("findings").create(
        {
            "id": int,
            "decision_id": int,
            "ts": str,
            "service": str,
            "tool_status": str,
            "user_pseudonym": str,
            "user_group": str,
            "data_class": str,
            "entity_type": str,
            "count": int,
            "max_score": float,
            "action": str,
            "policy_version": str,
            "masked_excerpt": str,
            "value_hash": str,
            "location": str,  # e.g. "messages[1].content:17-44" (offsets, no text)
        },
        pk="id",
        foreign_keys=[("decision_id", "decisions", "id")],
    )
    db.table("decisions").create_index(["ts"])
    db.table("findings").create_index(["decision_id"])
    db.table("findings").create_index(["ts", "data_class"])


@migrations()
def m002_enforced_action(db: Database) -> None:
    # `action` is what the policy decided; `enforced` is what the gateway did when
    # that differs (e.g. a policy "warn" enforced as a block before coaching exists).
    db.table("decisions").add_column("enforced", str)
