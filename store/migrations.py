"""Schema of the findings store. Change it only by adding a migration."""

from __future__ import annotations

import secrets
import socket
from datetime import UTC, datetime

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from store.review_views import FALSE_ALARM, M012_FINDINGS, m014_findings

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


@migrations()
def m003_usage(db: Database) -> None:
    # Shadow-AI discovery: one row per connection to an AI host (also tunnelled ones,
    # recorded at CONNECT) and one per intercepted HTTP request to an AI host. No
    # URLs, no content: service, host name, pseudonym, group, sizes, status.
    db.table("usage").create(
        {
            "id": int,
            "ts": str,  # ISO 8601, UTC
            "kind": str,  # "connection" | "request"
            "service": str,  # catalog id; NULL for an unknown host that looks like AI
            "host": str,
            "unknown_ai": int,  # 1: not in the catalog, flagged by the discovery heuristic
            "heuristic": str,  # why the host looks like AI (rule name), else NULL
            "intercepted": int,  # 1: decrypted and checked, 0: tunnelled untouched
            "tool": str,  # the policy's tool for the service, if any
            "tool_status": str,  # approved | tolerated | unapproved (at the time)
            "user_pseudonym": str,
            "user_group": str,
            "method": str,  # requests only
            "status": int,  # HTTP status of the answer, requests only
            "bytes_up": int,  # request body bytes as sent; NULL for tunnels (not observable)
            "bytes_down": int,  # answer body bytes; NULL for tunnels
            "policy_version": str,
        },
        pk="id",
    )
    db.table("usage").create_index(["ts"])
    db.table("usage").create_index(["service", "ts"])


@migrations()
def m004_coaching_and_approval_requests(db: Database) -> None:
    # Coaching (policy action "warn"): one row per justification an employee gave to
    # send a stopped prompt anyway. Entity types and counts only, never values; the
    # justification is free text by the employee, stored only after the checker masked
    # every finding in it as `<TYPE>`.
    db.table("coaching").create(
        {
            "id": int,
            "ts": str,  # ISO 8601, UTC: when the justification was given
            "user_pseudonym": str,
            "user_group": str,
            "service": str,
            "tool": str,
            "data_classes": str,  # JSON list: the classes the allowance covers
            "entity_types": str,  # JSON object: entity type -> count in the stopped prompt
            "justification": str,  # masked
            "allowed_until": str,  # ISO 8601, UTC: end of the allowance
            "policy_version": str,
        },
        pk="id",
    )
    # Employees asking for a tool to be approved (from the gateway's portal page);
    # free-text fields masked like the justification. Work items for the DPO.
    db.table("approval_requests").create(
        {
            "id": int,
            "ts": str,
            "user_pseudonym": str,
            "user_group": str,
            "service": str,  # catalog id when the request came from a stopped prompt
            "tool_name": str,  # masked
            "reason": str,  # masked
            "department": str,  # masked
            "status": str,  # "open"; the DPO's decision is tracked elsewhere
        },
        pk="id",
    )
    db.table("coaching").create_index(["ts"])
    db.table("approval_requests").create_index(["ts"])


@migrations()
def m005_review(db: Database) -> None:
    # The DPO's triage of a decision (one row per triaged decision; no row = open).
    db.table("triage").create(
        {
            "decision_id": int,
            "state": str,  # open | confirmed | false_positive | resolved | accepted_risk
            "note": str,  # the DPO's note, masked like every free text in this store
            "updated_at": str,  # ISO 8601, UTC
            "updated_by": str,  # the review UI's login name
        },
        pk="decision_id",
        foreign_keys=[("decision_id", "decisions", "id")],
    )
    # Every re-identification of a pseudonym: who asked, when, why (never the result).
    db.table("reidentify_audit").create(
        {
            "id": int,
            "ts": str,
            "pseudonym": str,
            "requested_by": str,
            "reason": str,
            "found": int,  # 1 if a candidate matched
        },
        pk="id",
    )
    # The policy versions decisions refer to (decisions.policy_version = version_id).
    db.table("policy_versions").create(
        {
            "version_id": str,
            "first_seen": str,
            "source": str,  # file path or "<embedded default>"
            "organization": str,
        },
        pk="version_id",
    )


# The tables whose rows `leitplanke merge` copies from gateway nodes into a central
# store (store/merge.py); each gets `node` and `node_row_id` below.
MERGED_TABLES: tuple[str, ...] = (
    "decisions",
    "findings",
    "usage",
    "coaching",
    "approval_requests",
    "reidentify_audit",
)


@migrations()
def m006_node_merge(db: Database) -> None:
    # Scale-out (several gateways, one central store): every database gets its own
    # random, stable node id when it is created or first opened by this version.
    # A copy of the file keeps the id, so the central store recognises a node's
    # database however it was shipped or renamed. key_fingerprint is filled by
    # `leitplanke merge` for the database it merges into (never the key itself).
    db.table("node_info").create(
        {"node_id": str, "hostname": str, "created": str, "key_fingerprint": str},
        pk="node_id",
    )
    db.table("node_info").insert(
        {
            "node_id": "n-" + secrets.token_hex(8),
            "hostname": socket.gethostname(),
            "created": datetime.now(UTC).isoformat(timespec="milliseconds"),
        }
    )
    # Rows merged in from another node: `node` is the node id they were recorded on,
    # `node_row_id` their id there (NULL on rows this database recorded itself).
    # Ids are reused when a table is purged empty, so the timestamp is part of a
    # row's identity: (node, node_row_id, ts) is unique, and merging again adds nothing.
    for table in MERGED_TABLES:
        db.table(table).add_column("node", str)
        db.table(table).add_column("node_row_id", int)
        db.table(table).create_index(
            ["node", "node_row_id", "ts"], index_name=f"{table}_node_origin", unique=True
        )
    # The central store's record of the nodes merged into it.
    db.table("merged_nodes").create(
        {
            "node_id": str,
            "hostname": str,
            "source": str,  # the file it was last merged from
            "key_fingerprint": str,
            "first_merged": str,
            "last_merged": str,
        },
        pk="node_id",
    )


@migrations()
def m007_rollout_mode(db: Database) -> None:
    # The rollout mode the decision was taken in: monitor | coach | enforce (policy
    # `mode:`, per group `groups.<id>.mode:`). In "monitor" `action` is what the policy
    # would have done and `enforced` what happened ("log": the request passed). Rows from
    # before this migration are NULL, read as "enforce".
    db.table("decisions").add_column("mode", str)


@migrations()
def m008_finding_explanation(db: Database) -> None:
    # Why a value was flagged, as `leitplanke check --explain` shows it, without the
    # value: the recognizer, its pattern, the cue word that raised the score, the score
    # before that raise and a checksum verdict ("valid" / "invalid"). NULL on older rows.
    for column, kind in (
        ("recognizer", str),
        ("pattern_name", str),
        ("context_word", str),
        ("base_score", float),
        ("checksum", str),
    ):
        db.table("findings").add_column(column, kind)


@migrations()
def m009_triage_history(db: Database) -> None:
    # Every triage change is a row: who, when, from which state to which, with a note.
    # Nothing is overwritten; `triage` keeps only the current state for readers (a
    # trigger maintains it from this table). Rows triaged before this migration become
    # the first entry of their history.
    db.table("triage_history").create(
        {
            "id": int,
            "decision_id": int,
            "ts": str,  # ISO 8601, UTC
            "actor": str,  # the review UI's login name
            "from_state": str,
            "to_state": str,  # open | confirmed | false_positive | resolved | accepted_risk
            "note": str,  # the reviewer's note (no personal data, says the form)
        },
        pk="id",
        foreign_keys=[("decision_id", "decisions", "id")],
    )
    db.table("triage_history").create_index(["decision_id", "id"])
    db.execute(
        "insert into triage_history (decision_id, ts, actor, from_state, to_state, note) "
        "select decision_id, updated_at, updated_by, 'open', state, note from triage "
        "order by updated_at"
    )
    db.execute(
        """create trigger triage_history_current after insert on triage_history
begin
  insert or replace into triage (decision_id, state, note, updated_at, updated_by)
  values (new.decision_id, new.to_state, new.note, new.ts, new.actor);
end"""
    )


@migrations()
def m010_approval_workflow(db: Database) -> None:
    # Approval requests become a workflow: open -> approved | rejected | needs_info,
    # with a reply the employee reads on the portal. A request names a catalog service
    # (tool_name is the free text for unknown tools); the same person asking again for
    # the same service adds to `repeats` instead of a new row.
    table = db.table("approval_requests")
    table.add_column("last_ts", str)  # the latest time the person asked
    table.add_column("repeats", int)  # how often they asked again (NULL: never)
    table.add_column("reply", str)  # the DPO's answer, shown to the employee
    table.add_column("decided_at", str)
    table.add_column("decided_by", str)
    table.create_index(["user_pseudonym", "service"], index_name="approval_requests_person")
    # Every state change of a request (nothing overwritten).
    db.table("approval_decisions").create(
        {
            "id": int,
            "request_id": int,
            "ts": str,
            "actor": str,
            "from_status": str,
            "to_status": str,
            "reply": str,
        },
        pk="id",
        foreign_keys=[("request_id", "approval_requests", "id")],
    )
    db.table("approval_decisions").create_index(["request_id", "id"])


@migrations()
def m011_notify_marks(db: Database) -> None:
    # `leitplanke notify`: what was already announced (the highest decision and approval
    # request ids) and when the last mail went out, per channel.
    db.table("notify_marks").create(
        {
            "channel": str,
            "last_decision_id": int,
            "last_request_id": int,
            "last_sent": str,  # ISO 8601, UTC
        },
        pk="channel",
    )


@migrations()
def m012_review_views(db: Database) -> None:
    db.create_view("alle_findings", M012_FINDINGS)
    # The work queue: untriaged findings the policy did not allow (a class the tool
    # allows, e.g. an HR exception, is history, not work).
    db.create_view(
        "offene_findings",
        "select * from alle_findings where state = 'open' and allowed_by_policy = 0",
    )
    db.create_view(
        "freigabe_anfragen",
        """select
  a.id as id,
  a.ts as ts,
  coalesce(a.last_ts, a.ts) as last_ts,
  a.service as service,
  a.tool_name as tool_name,
  a.user_group as user_group,
  a.department as department,
  a.reason as reason,
  coalesce(a.status, 'open') as status,
  1 + coalesce(a.repeats, 0) as asked,
  a.reply as reply,
  a.decided_by as decided_by,
  a.decided_at as decided_at
from approval_requests a""",
    )
    db.create_view(
        "coaching_begruendungen",
        """select
  c.id as id,
  c.ts as ts,
  c.user_group as user_group,
  c.service as service,
  c.tool as tool,
  c.data_classes as data_classes,
  c.entity_types as entity_counts,
  c.justification as justification,
  c.allowed_until as allowed_until
from coaching c""",
    )


@migrations()
def m013_policy_retention(db: Database) -> None:
    # `leitplanke purge` without --policy keeps what the policy in force keeps: the
    # retention of the newest version the gateway recorded (older rows: unknown).
    db.table("policy_versions").add_column("retention_days", int)


@migrations()
def m014_coaching_links(db: Database) -> None:
    # Coaching justifications linked to their decisions: every coaching link gets a
    # random reference (not the secret token); the decision it stopped and the
    # decisions its allowance let through carry it in `coaching_ref`, the justification
    # in `ref`. Both survive `leitplanke merge` (ordinary columns), unlike row ids.
    db.table("decisions").add_column("coaching_ref", str)
    db.table("coaching").add_column("ref", str)
    db.execute(
        "create index decisions_coaching_ref on decisions(coaching_ref) "
        "where coaching_ref is not null"
    )
    db.execute("create index coaching_ref on coaching(ref) where ref is not null")
    # The views of m012 again, with the link (views cannot be altered in SQLite).
    for view in ("offene_findings", "alle_findings", "coaching_begruendungen"):
        db.execute(f"drop view if exists {view}")
    db.create_view("alle_findings", m014_findings())
    db.create_view(
        "offene_findings",
        "select * from alle_findings where state = 'open' and allowed_by_policy = 0",
    )
    db.create_view(
        "coaching_begruendungen",
        f"""select
  c.id as id,
  c.ts as ts,
  c.user_group as user_group,
  c.service as service,
  c.tool as tool,
  c.data_classes as data_classes,
  c.entity_types as entity_counts,
  c.justification as justification,
  coalesce({FALSE_ALARM.format("c.justification")}, 0) as false_alarm,
  (select min(d.id) from decisions d where c.ref is not null and d.coaching_ref = c.ref)
    as decision_id,
  c.allowed_until as allowed_until
from coaching c""",
    )
