"""Tool approval requests as a workflow: the portal asks, the DPO answers.

States: open -> approved | rejected | needs_info (and back to open when the person
asks again after "needs_info"). A request names a catalog service; `tool_name` is
the (masked) free text, the only name for a tool the catalog does not know. The same
person asking again for the same service (or, without one, the same free-text name)
while a request is open, needs information or is approved adds to that request
(`repeats`, `last_ts`) instead of a new row; after a rejection a new request starts.

The portal's API (few calls, each takes a sqlite3 connection; the caller commits):
- `request_approval(conn, record)` -> ApprovalState (created or the existing one)
- `approval_state(conn, request_id)` -> ApprovalState | None (status and reply)
- `approvals_of(conn, user_pseudonym)` -> the person's requests, newest first
The review UI: `decide_approval(...)`, `approval_history(...)`, `policy_snippet(...)`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import yaml

from store.records import ApprovalRequestRecord
from store.triage import now_iso

STATUSES = ("open", "approved", "rejected", "needs_info")
DECIDED = ("approved", "rejected", "needs_info")
MAX_REPLY = 2000


class ApprovalError(ValueError):
    """An invalid status, reply or request id; nothing was written."""


@dataclass(frozen=True)
class ApprovalState:
    """What the employee may see of their request (no other person's data)."""

    id: int
    service: str | None
    tool_name: str
    status: str
    reply: str | None
    ts: str  # first asked
    last_ts: str  # last asked
    asked: int  # how often the person asked
    decided_at: str | None

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "needs_info")


_COLUMNS = "id, service, tool_name, status, reply, ts, last_ts, repeats, decided_at"


def _state(row: sqlite3.Row | tuple[Any, ...]) -> ApprovalState:
    id_, service, tool_name, status, reply, ts, last_ts, repeats, decided_at = row
    return ApprovalState(
        id=int(id_),
        service=service,
        tool_name=tool_name or "",
        status=status or "open",
        reply=reply,
        ts=ts,
        last_ts=last_ts or ts,
        asked=1 + int(repeats or 0),
        decided_at=decided_at,
    )


def approval_state(conn: sqlite3.Connection, request_id: int) -> ApprovalState | None:
    row = conn.execute(
        f"select {_COLUMNS} from approval_requests where id = ?", [request_id]
    ).fetchone()
    return _state(row) if row else None


def approvals_of(conn: sqlite3.Connection, user_pseudonym: str) -> list[ApprovalState]:
    rows = conn.execute(
        f"select {_COLUMNS} from approval_requests where user_pseudonym = ? "
        "order by coalesce(last_ts, ts) desc, id desc",
        [user_pseudonym],
    ).fetchall()
    return [_state(r) for r in rows]


def _existing(conn: sqlite3.Connection, record: ApprovalRequestRecord) -> int | None:
    same_tool = (
        "service = ?" if record.service else "service is null and lower(trim(tool_name)) = ?"
    )
    key = record.service or record.tool_name.strip().lower()
    row = conn.execute(
        f"select id from approval_requests where user_pseudonym = ? and {same_tool} "
        "and coalesce(status, 'open') in ('open', 'needs_info', 'approved') "
        "order by id desc limit 1",
        [record.user_pseudonym, key],
    ).fetchone()
    return int(row[0]) if row else None


def request_approval(conn: sqlite3.Connection, record: ApprovalRequestRecord) -> ApprovalState:
    """Store a request, or add to the person's existing one for the same tool."""
    existing = _existing(conn, record)
    if existing is None:
        cursor = conn.execute(
            "insert into approval_requests (ts, last_ts, user_pseudonym, user_group, service,"
            " tool_name, reason, department, status, repeats) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            [
                record.ts,
                record.ts,
                record.user_pseudonym,
                record.user_group,
                record.service,
                record.tool_name,
                record.reason,
                record.department,
                record.status if record.status in STATUSES else "open",
            ],
        )
        state = approval_state(conn, int(cursor.lastrowid or 0))
    else:
        # Asking again: counted; a new reason is added below the old one; after
        # "needs_info" the request is open again (the person answered by asking).
        conn.execute(
            "update approval_requests set repeats = coalesce(repeats, 0) + 1, last_ts = ?, "
            "reason = case when ? = '' or instr(coalesce(reason, ''), ?) > 0 then reason "
            "  else coalesce(reason || char(10) || '— ', '') || ? end, "
            "status = case when status = 'needs_info' then 'open' else status end "
            "where id = ?",
            [record.ts, record.reason, record.reason, record.reason, existing],
        )
        state = approval_state(conn, existing)
    assert state is not None
    return state


def decide_approval(
    conn: sqlite3.Connection,
    request_id: int,
    to_status: str,
    reply: str,
    actor: str,
    ts: str | None = None,
) -> ApprovalState:
    """The DPO's answer: a new status and a reply for the employee (history kept)."""
    if to_status not in STATUSES:
        raise ApprovalError(f"invalid status {to_status!r}")
    reply = (reply or "").strip()
    if len(reply) > MAX_REPLY:
        raise ApprovalError(f"reply longer than {MAX_REPLY} characters")
    before = approval_state(conn, request_id)
    if before is None:
        raise ApprovalError(f"unknown approval request {request_id}")
    when = ts or now_iso()
    conn.execute(
        "insert into approval_decisions (request_id, ts, actor, from_status, to_status, reply)"
        " values (?, ?, ?, ?, ?, ?)",
        [request_id, when, actor, before.status, to_status, reply],
    )
    conn.execute(
        "update approval_requests set status = ?, reply = ?, decided_at = ?, decided_by = ? "
        "where id = ?",
        [to_status, reply or None, when, actor, request_id],
    )
    after = approval_state(conn, request_id)
    assert after is not None
    return after


def approval_history(conn: sqlite3.Connection, request_id: int) -> list[dict[str, Any]]:
    cursor = conn.execute(
        "select ts, actor, from_status, to_status, reply from approval_decisions "
        "where request_id = ? order by id",
        [request_id],
    )
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def policy_snippet(
    state: ApprovalState,
    service_name: str | None = None,
    listed_as: str | None = None,
) -> str:
    """The YAML to add to the policy for an approved request (a `tools:` entry).

    `listed_as`: the policy's tool id when the service is already listed (tolerated
    or unapproved): then the snippet changes that entry's status. Without a catalog
    service there is nothing the policy could name yet: the snippet says so."""
    header = f"# Freigabe-Antrag Nr. {state.id} ({state.status})\n"
    if not state.service:
        return (
            header + f"# '{state.tool_name}' ist nicht im KI-Dienste-Katalog: zuerst den Dienst\n"
            "# in rules/ aufnehmen lassen, dann hier unter tools: eintragen.\n"
        )
    tool_id = listed_as or state.service
    entry: dict[str, Any] = {
        "name": service_name or state.tool_name or state.service,
        "services": [state.service],
        "status": "approved",
        "allowed": [],
    }
    if listed_as:
        entry = {"status": "approved"}
        header += f"# Der Dienst steht schon als Tool '{listed_as}' in der Richtlinie:\n"
        header += "# dort den Status ändern.\n"
    body = yaml.safe_dump(
        {"tools": {tool_id: entry}}, allow_unicode=True, sort_keys=False, default_flow_style=None
    )
    hint = "# allowed: die Datenklassen, die dieses Tool erhalten darf, z. B. [personal]\n"
    return header + ("" if listed_as else hint) + body
