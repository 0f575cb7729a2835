"""SIEM events (NIS2 logging): store rows and records → events, their severity and wording
(the line formats: siem/formats.py).

Pure functions, no I/O. The event model is documented in docs/siem.md. An event
carries what was decided, for which service and for which pseudonym — never prompt
text, masked excerpts, free text typed by employees, or (unless asked for) the keyed
value hashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, is_dataclass
from importlib import metadata
from typing import Any, Literal

from store.records import ApprovalRequestRecord, CoachingRecord, DecisionRecord, UsageRecord

Format = Literal["jsonl", "cef", "syslog"]
FORMATS: tuple[Format, ...] = ("jsonl", "cef", "syslog")
EventType = Literal["decision", "usage", "coaching", "approval_request"]

SCHEMA = "leitplanke.siem/1"
APP_NAME = "leitplanke"
# The SD-ID's enterprise number: 32473 is the IANA number reserved for documentation
# (RFC 5612); Leitplanke has none of its own. Receivers match on "leitplanke@32473".
SD_ID = "leitplanke@32473"

# CEF severity (0-10) of a decision by the action the gateway enforced.
CEF_SEVERITY: dict[str, int] = {"block": 7, "warn": 5, "redact": 4, "log": 2, "allow": 1}
# Syslog severity (RFC 5424: 4 warning, 5 notice, 6 informational) by the same action.
SYSLOG_SEVERITY: dict[str, int] = {"block": 4, "warn": 5, "redact": 5, "log": 6, "allow": 6}
FACILITIES: dict[str, int] = {
    "user": 1,
    "daemon": 3,
    "auth": 4,
    "authpriv": 10,
    **{f"local{n}": 16 + n for n in range(8)},
}

_DECISION_NAMES = {
    "block": "AI request blocked",
    "warn": "AI request stopped for coaching",
    "redact": "AI request redacted",
    "log": "AI request logged",
    "allow": "AI request allowed",
}


def product_version() -> str:
    try:
        return metadata.version("leitplanke")
    except metadata.PackageNotFoundError:
        return "0"


# --- the event model --------------------------------------------------------------------


def _list(value: Any) -> list[Any]:
    """A list column: JSON text in the store, a tuple in a record."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return list(json.loads(value))
    return list(value)


def _dict(value: Any) -> dict[str, int]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        return dict(json.loads(value))
    return dict(value)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _row(row: Mapping[str, Any] | object) -> dict[str, Any]:
    if is_dataclass(row) and not isinstance(row, type):
        return asdict(row)
    assert isinstance(row, Mapping)
    return dict(row)


def _event_id(event: Mapping[str, Any], extra: object = None) -> str:
    """A digest of the event's content: the same decision exported from the store and
    sent live gets the same id, so a SIEM can deduplicate."""
    payload = json.dumps([event, extra], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _finish(event: dict[str, Any], extra: object = None) -> dict[str, Any]:
    event_id = _event_id(event, extra)
    return {"ts": event["ts"], "event_id": event_id, **event}


def decision_event(
    row: Mapping[str, Any] | DecisionRecord,
    findings: Iterable[Mapping[str, Any]] | None = None,
    *,
    include_hashes: bool = False,
) -> dict[str, Any]:
    """One event per decision: a `decisions` row with its `findings` rows, or a
    DecisionRecord (whose findings it carries)."""
    data = _row(row)
    finding_rows = [dict(f) for f in (findings if findings is not None else data["findings"])]
    entity_types: dict[str, int] = {}
    for f in finding_rows:
        entity_types[f["entity_type"]] = entity_types.get(f["entity_type"], 0) + int(f["count"])
    event: dict[str, Any] = {
        "ts": data["ts"],
        "schema": SCHEMA,
        "event_type": "decision",
        "service": data.get("service"),
        "host": data.get("host"),
        "api": data.get("api"),
        "tool": data.get("tool"),
        "tool_status": data.get("tool_status"),
        "user_pseudonym": data.get("user_pseudonym"),
        "user_group": data.get("user_group"),
        "action": data["action"],
        "enforced": data.get("enforced") or data["action"],
        "data_classes": _list(data.get("data_classes")),
        "entity_types": dict(sorted(entity_types.items())),
        "finding_count": sum(int(f["count"]) for f in finding_rows),
        "policy_version": data.get("policy_version"),
        "reasons": _list(data.get("reasons")),
        "scan_ms": data.get("scan_ms"),
        "error": data.get("error"),
    }
    hashes = sorted(
        (f["entity_type"], f["value_hash"], int(f["count"]), f.get("location"))
        for f in finding_rows
    )
    out = _finish(event, hashes)
    if include_hashes:
        out["value_hashes"] = [
            {"entity_type": entity_type, "value_hash": value_hash}
            for entity_type, value_hash, _, _ in hashes
        ]
    return out


def usage_event(row: Mapping[str, Any] | UsageRecord) -> dict[str, Any]:
    data = _row(row)
    event = {
        "ts": data["ts"],
        "schema": SCHEMA,
        "event_type": "usage",
        "kind": data.get("kind"),
        "service": data.get("service"),
        "host": data.get("host"),
        "unknown_ai": bool(data.get("unknown_ai")),
        "heuristic": data.get("heuristic"),
        "intercepted": _bool(data.get("intercepted")),
        "tool": data.get("tool"),
        "tool_status": data.get("tool_status"),
        "user_pseudonym": data.get("user_pseudonym"),
        "user_group": data.get("user_group"),
        "method": data.get("method"),
        "status": data.get("status"),
        "bytes_up": data.get("bytes_up"),
        "bytes_down": data.get("bytes_down"),
        "policy_version": data.get("policy_version"),
    }
    return _finish(event)


def coaching_event(row: Mapping[str, Any] | CoachingRecord) -> dict[str, Any]:
    """An employee sent a coached prompt anyway (the justification text stays out)."""
    data = _row(row)
    entity_types = _dict(data.get("entity_types"))
    event = {
        "ts": data["ts"],
        "schema": SCHEMA,
        "event_type": "coaching",
        "service": data.get("service"),
        "tool": data.get("tool"),
        "user_pseudonym": data.get("user_pseudonym"),
        "user_group": data.get("user_group"),
        "data_classes": _list(data.get("data_classes")),
        "entity_types": dict(sorted(entity_types.items())),
        "finding_count": sum(entity_types.values()),
        "allowed_until": data.get("allowed_until"),
        "policy_version": data.get("policy_version"),
    }
    return _finish(event)


def approval_request_event(row: Mapping[str, Any] | ApprovalRequestRecord) -> dict[str, Any]:
    """An employee asked for a tool to be approved (reason and department stay out)."""
    data = _row(row)
    event = {
        "ts": data["ts"],
        "schema": SCHEMA,
        "event_type": "approval_request",
        "service": data.get("service"),
        "tool_name": data.get("tool_name"),
        "user_pseudonym": data.get("user_pseudonym"),
        "user_group": data.get("user_group"),
        "status": data.get("status"),
    }
    return _finish(event)


def event_of(
    row: DecisionRecord | UsageRecord | CoachingRecord | ApprovalRequestRecord,
    *,
    include_hashes: bool = False,
) -> dict[str, Any]:
    """The event for a record the gateway is about to store."""
    if isinstance(row, DecisionRecord):
        return decision_event(row, include_hashes=include_hashes)
    if isinstance(row, UsageRecord):
        return usage_event(row)
    if isinstance(row, CoachingRecord):
        return coaching_event(row)
    return approval_request_event(row)


# --- severity and wording ---------------------------------------------------------------


def cef_severity(event: Mapping[str, Any]) -> int:
    kind = event["event_type"]
    if kind == "decision":
        return CEF_SEVERITY.get(str(event["enforced"]), 3)
    if kind == "coaching":
        return 5  # data the policy stops went out with a justification
    if kind == "usage":
        if event.get("unknown_ai") or event.get("tool_status") == "unapproved":
            return 3
        return 2 if event.get("tool_status") == "tolerated" else 1
    return 1  # approval request


def syslog_severity(event: Mapping[str, Any]) -> int:
    kind = event["event_type"]
    if kind == "decision":
        return SYSLOG_SEVERITY.get(str(event["enforced"]), 5)
    if kind == "coaching":
        return 5
    if kind == "usage" and (event.get("unknown_ai") or event.get("tool_status") == "unapproved"):
        return 5
    return 6


def signature(event: Mapping[str, Any]) -> tuple[str, str]:
    """(CEF Signature ID, Name): stable per kind of event."""
    kind = event["event_type"]
    if kind == "decision":
        enforced = str(event["enforced"])
        return f"decision.{enforced}", _DECISION_NAMES.get(enforced, f"AI request {enforced}")
    if kind == "usage":
        if event.get("unknown_ai"):
            return "usage.unknown_ai", "Unknown AI host used"
        return f"usage.{event.get('kind')}", f"AI service {event.get('kind')}"
    if kind == "coaching":
        return "coaching.override", "Coached AI request sent with justification"
    return "approval_request.open", "AI tool approval requested"


def summary(event: Mapping[str, Any]) -> str:
    """A one-line human text: the syslog MSG."""
    _, name = signature(event)
    parts = [name, f"service={event.get('service') or '-'}"]
    if event.get("host"):
        parts.append(f"host={event['host']}")
    parts.append(f"user={event.get('user_pseudonym') or '-'}")
    if event.get("entity_types"):
        parts.append("entities=" + ",".join(f"{k}:{v}" for k, v in event["entity_types"].items()))
    return " ".join(parts)
