"""Data for the review UI's own pages: a finding (decision) and an approval request.

Datasette has no page for one row of a view, so these are plugin routes; the data
comes from the same tables the views read, through Datasette's read connections.
No value hashes leave this module: repeated values are counted by them, never shown.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from review.labels import Labels, _json
from review.views import ALL, QUEUE
from store.approvals import ApprovalState, approval_history, approval_state, policy_snippet
from store.triage import triage_history

FALSE_ALARM_PREFIXES = ("fehlalarm", "false alarm", "false positive")


@dataclass
class FindingPage:
    decision: dict[str, Any]
    findings: list[dict[str, Any]]
    state: str
    history: list[dict[str, Any]]
    repeated: list[dict[str, Any]]
    justification: str | None
    policy_source: str | None
    in_queue: bool
    previous_id: int | None = None
    next_id: int | None = None
    next_open_id: int | None = None
    rules: list[str] = field(default_factory=list)


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _one(conn: sqlite3.Connection, sql: str, params: list[Any] | dict[str, Any]) -> Any:
    row = conn.execute(sql, params).fetchone()
    return row[0] if row else None


def finding_page(conn: sqlite3.Connection, decision_id: int) -> FindingPage | None:
    decisions = _rows(conn, "select * from decisions where id = ?", [decision_id])
    if not decisions:
        return None
    d = decisions[0]
    findings = _rows(
        conn,
        "select id, entity_type, data_class, count, max_score, masked_excerpt, location, "
        "recognizer, pattern_name, context_word, base_score, checksum, value_hash "
        "from findings where decision_id = ? order by id",
        [decision_id],
    )
    repeated = []
    for f in findings:
        digest = f.pop("value_hash")
        if not digest:
            continue
        seen = _rows(
            conn,
            "select coalesce(sum(f.count), 0) as times, count(distinct f.decision_id) as decisions,"
            " count(distinct coalesce(d.tool, d.service)) as tools "
            "from findings f join decisions d on d.id = f.decision_id "
            "where f.value_hash = ? and f.entity_type = ?",
            [digest, f["entity_type"]],
        )[0]
        if seen["decisions"] > 1:
            repeated.append({"entity_type": f["entity_type"], **seen})
    reasons = _json(d.get("reasons")) or []
    justification = None
    if d.get("coaching_ref"):
        # Linked (m014): the justification given on this decision's coaching link, or
        # the one whose allowance let it through.
        justification = _one(
            conn,
            "select justification from coaching where ref = ? order by id limit 1",
            [d["coaching_ref"]],
        )
    elif "justified" in reasons:  # rows from before the link: matched by time
        justification = _one(
            conn,
            "select justification from coaching where user_pseudonym = ? and service = ? "
            "and ts <= ? and ? <= allowed_until order by ts desc limit 1",
            [d["user_pseudonym"], d["service"], d["ts"], d["ts"]],
        )
    elif "coached" in reasons:
        justification = _one(
            conn,
            "select justification from coaching where user_pseudonym = ? and service = ? "
            "and ts >= ? order by ts limit 1",
            [d["user_pseudonym"], d["service"], d["ts"]],
        )
    source = _one(
        conn, "select source from policy_versions where version_id = ?", [d["policy_version"]]
    )
    in_queue = _one(conn, f"select 1 from {QUEUE} where id = ?", [decision_id]) is not None
    listing = QUEUE if in_queue else ALL
    newer = "(ts > :ts or (ts = :ts and id > :id))"
    older = "(ts < :ts or (ts = :ts and id < :id))"
    params = {"ts": d["ts"], "id": decision_id}
    page = FindingPage(
        decision=d,
        findings=findings,
        state=_one(conn, "select state from triage where decision_id = ?", [decision_id]) or "open",
        history=triage_history(conn, decision_id),
        repeated=repeated,
        justification=justification,
        policy_source=source,
        in_queue=in_queue,
    )
    page.previous_id = _one(
        conn, f"select id from {listing} where {newer} order by ts, id limit 1", params
    )
    page.next_id = _one(
        conn, f"select id from {listing} where {older} order by ts desc, id desc limit 1", params
    )
    page.next_open_id = _one(
        conn,
        f"select id from {QUEUE} where id != :id and {older} order by ts desc, id desc limit 1",
        params,
    ) or _one(
        conn, f"select id from {QUEUE} where id != :id order by ts desc, id desc limit 1", params
    )
    return page


def false_alarm_hint(justification: str | None) -> bool:
    """Employees are asked (FAQ) to start a justification with "Fehlalarm:"."""
    if not justification:
        return False
    return justification.strip().casefold().startswith(FALSE_ALARM_PREFIXES)


@dataclass
class ApprovalPage:
    request: dict[str, Any]
    state: ApprovalState
    history: list[dict[str, Any]]
    snippet: str | None


def approval_page(conn: sqlite3.Connection, request_id: int, labels: Labels) -> ApprovalPage | None:
    state = approval_state(conn, request_id)
    if state is None:
        return None
    request = _rows(
        conn,
        "select id, ts, user_group, service, tool_name, department, reason "
        "from approval_requests where id = ?",
        [request_id],
    )[0]
    snippet = None
    if state.status == "approved":
        listed = None
        if labels.policy is not None and state.service:
            found = labels.policy.tool_for_service(state.service)
            listed = found[0] if found else None
        snippet = policy_snippet(state, labels.service(state.service) or None, listed)
    return ApprovalPage(request, state, approval_history(conn, request_id), snippet)
