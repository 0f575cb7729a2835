"""The DPO's answers to approval requests, carried back to the gateways (scale-out).

With one gateway, the portal and the review UI share one database. With several
(docs/scale-out.md), each node records its employees' requests in its own database,
`leitplanke merge` copies them into the central store, and the DPO answers there: a
node never sees the answer. Instead of writing into live node databases (which may be
on other hosts), the central side publishes its answers and the nodes pull them:

- `write_answers(central, FILE)` (`leitplanke merge --approvals-out FILE`) writes
  every request's state and reply into a small self-contained SQLite file (one
  table, rollback journal, written to a temporary file and renamed into place), which
  is shipped to the nodes like the outbox the other way (rsync replaces it whole).
  It holds what the portal shows a person — the pseudonym, the tool, the status, the
  reply, when — and neither the reason nor the department.
- The gateway reads it read-only for the person asking (`read_answers`,
  `leitplanke_approvals_db`), takes the answers to its own requests into its own
  database (`apply_answers`: the de-duplication of store/approvals.py and the
  employee's page then see the decision), and shows the person's requests from
  other nodes as they are.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

TABLE = "approval_answers"
_FIELDS = (
    "node",
    "node_row_id",
    "user_pseudonym",
    "service",
    "tool_name",
    "status",
    "reply",
    "ts",
    "last_ts",
    "repeats",
    "decided_at",
    "decided_by",
)


class AnswersError(Exception):
    """The answers file cannot be read (one line, no content)."""


@dataclass(frozen=True)
class Answer:
    """The central state of one request, named by the node it was asked on."""

    node: str
    node_row_id: int
    user_pseudonym: str
    service: str | None
    tool_name: str
    status: str
    reply: str | None
    ts: str
    last_ts: str
    repeats: int
    decided_at: str | None
    decided_by: str | None


def write_answers(central: sqlite3.Connection, target: Path) -> int:
    """Publish the central store's approval requests (merged ones: those that carry
    their node) as `target`; returns the number of rows. Atomic: readers see the old
    file or the new one, never a half-written one."""
    rows = central.execute(
        "select node, node_row_id, user_pseudonym, service, coalesce(tool_name, ''), "
        "coalesce(status, 'open'), reply, ts, coalesce(last_ts, ts), coalesce(repeats, 0), "
        "decided_at, decided_by from approval_requests "
        "where node is not null and node_row_id is not null order by id"
    ).fetchall()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)  # mkstemp: mode 0600, owner-only like every other file of the store
    tmp = Path(tmp_name)
    try:
        out = sqlite3.connect(tmp)
        try:
            out.execute("pragma journal_mode = delete")
            out.execute(
                f"create table {TABLE} (node text not null, node_row_id integer not null, "
                "user_pseudonym text, service text, tool_name text, status text, reply text, "
                "ts text, last_ts text, repeats integer, decided_at text, decided_by text, "
                "primary key (node, node_row_id, ts))"
            )
            out.execute(f"create index {TABLE}_person on {TABLE}(user_pseudonym)")
            placeholders = ", ".join("?" for _ in _FIELDS)
            out.executemany(f"insert or replace into {TABLE} values ({placeholders})", rows)
            out.commit()
        finally:
            out.close()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(rows)


def read_answers(path: str | Path, user_pseudonym: str) -> list[Answer]:
    """The central answers to one person's requests (read-only; a file replaced
    meanwhile is read whole, old or new)."""
    source = Path(path)
    if not source.is_file():
        raise AnswersError(f"{source}: no such file (leitplanke merge --approvals-out writes it)")
    try:
        conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise AnswersError(f"{source}: cannot open read-only ({exc})") from None
    try:
        rows = conn.execute(
            f"select {', '.join(_FIELDS)} from {TABLE} where user_pseudonym = ?",
            [user_pseudonym],
        ).fetchall()
    except sqlite3.Error as exc:
        raise AnswersError(f"{source}: not an approvals file ({exc})") from None
    finally:
        conn.close()
    return [Answer(*row) for row in rows]


def own_node(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("select node_id from node_info limit 1").fetchone()
    return str(row[0]) if row else None


def apply_answers(conn: sqlite3.Connection, answers: list[Answer]) -> int:
    """Take the DPO's newer answers to this database's own requests into it; the
    caller commits. Returns how many rows changed. An answer older than what the row
    knows (an earlier file) changes nothing. A question ("needs_info") the person has
    asked again since stays open: asking again is the answer (as in store/approvals.py,
    and as `leitplanke merge` carries it to the central store)."""
    node = own_node(conn)
    changed = 0
    for answer in answers:
        if answer.node != node or answer.decided_at is None:
            continue
        cursor = conn.execute(
            "update approval_requests set "
            "status = case when ? = 'needs_info' and coalesce(last_ts, ts) > ? then 'open' "
            "  else ? end, "
            "reply = ?, decided_at = ?, decided_by = ? "
            "where id = ? and ts = ? and node is null and coalesce(decided_at, '') < ?",
            [
                answer.status,
                answer.decided_at,
                answer.status,
                answer.reply,
                answer.decided_at,
                answer.decided_by,
                answer.node_row_id,
                answer.ts,
                answer.decided_at,
            ],
        )
        changed += cursor.rowcount
    return changed


def from_other_nodes(conn: sqlite3.Connection, answers: list[Answer]) -> list[Answer]:
    """The answers about requests this database did not record (asked on another node)."""
    node = own_node(conn)
    return [a for a in answers if a.node != node]
