"""The DPO's triage of decisions: an append-only history, the current state derived.

Every change is a row in `triage_history` (who, when, from which state to which, a
note); a trigger (migration m009) keeps `triage` at the latest state for readers.
The functions take a sqlite3 connection, so the review UI (Datasette's write
connection) and the store use the same code; the caller owns the transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

TRIAGE_STATES = ("open", "confirmed", "false_positive", "resolved", "accepted_risk")
MAX_NOTE = 2000


class TriageError(ValueError):
    """An invalid state or note; nothing was written."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def current_state(conn: sqlite3.Connection, decision_id: int) -> str:
    row = conn.execute("select state from triage where decision_id = ?", [decision_id]).fetchone()
    return str(row[0]) if row and row[0] else "open"


def record_triage(
    conn: sqlite3.Connection,
    decision_ids: Iterable[int],
    to_state: str,
    note: str,
    actor: str,
    ts: str | None = None,
) -> int:
    """Add one history row per known decision (unknown ids are skipped); returns how
    many. Saving the state a decision already has still adds a row when a note is
    given (a note is a decision too); without a note it adds nothing."""
    if to_state not in TRIAGE_STATES:
        raise TriageError(f"invalid triage state {to_state!r}")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise TriageError(f"note longer than {MAX_NOTE} characters")
    when = ts or now_iso()
    written = 0
    for decision_id in decision_ids:
        if conn.execute("select 1 from decisions where id = ?", [decision_id]).fetchone() is None:
            continue
        before = current_state(conn, decision_id)
        if before == to_state and not note:
            continue
        conn.execute(
            "insert into triage_history (decision_id, ts, actor, from_state, to_state, note) "
            "values (?, ?, ?, ?, ?, ?)",
            [decision_id, when, actor, before, to_state, note],
        )
        written += 1
    return written


def triage_history(conn: sqlite3.Connection, decision_id: int) -> list[dict[str, Any]]:
    """The decision's triage changes, oldest first."""
    cursor = conn.execute(
        "select ts, actor, from_state, to_state, note from triage_history "
        "where decision_id = ? order by id",
        [decision_id],
    )
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
