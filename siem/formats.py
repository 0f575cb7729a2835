"""SIEM events as lines: JSON Lines, CEF and syslog (RFC 5424). Pure functions, no I/O."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from siem.events import (
    APP_NAME,
    FACILITIES,
    SD_ID,
    Format,
    cef_severity,
    product_version,
    signature,
    summary,
    syslog_severity,
)

# --- JSON Lines -------------------------------------------------------------------------


def to_json(event: Mapping[str, Any]) -> str:
    """One line of JSON (no newline at the end; non-ASCII kept as UTF-8)."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


# --- CEF --------------------------------------------------------------------------------


def cef_header_escape(value: object) -> str:
    """CEF header fields: backslash and pipe escaped; line breaks are not allowed there."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def cef_extension_escape(value: object) -> str:
    """CEF extension values: backslash, equals sign and line breaks escaped."""
    text = str(value).replace("\\", "\\\\").replace("=", "\\=")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")


def _epoch_ms(ts: str) -> int:
    when = datetime.fromisoformat(ts)
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return int(when.timestamp() * 1000)


def _csv(value: Iterable[Any]) -> str:
    return ",".join(str(v) for v in value)


def _counts(value: Mapping[str, int]) -> str:
    return ",".join(f"{k}:{v}" for k, v in value.items())


def _cef_extensions(event: Mapping[str, Any]) -> list[tuple[str, Any]]:
    kind = event["event_type"]
    common: list[tuple[str, Any]] = [
        ("rt", _epoch_ms(event["ts"])),
        ("externalId", event["event_id"]),
        ("cat", kind),
        ("suser", event.get("user_pseudonym")),
        ("cs1Label", "service"),
        ("cs1", event.get("service")),
        ("cs4Label", "userGroup"),
        ("cs4", event.get("user_group")),
    ]
    if kind == "decision":
        return [
            *common,
            ("act", event["enforced"]),
            ("dhost", event.get("host")),
            ("app", event.get("api")),
            ("cs2Label", "tool"),
            ("cs2", event.get("tool")),
            ("cs3Label", "toolStatus"),
            ("cs3", event.get("tool_status")),
            ("cs5Label", "dataClasses"),
            ("cs5", _csv(event["data_classes"])),
            ("cs6Label", "policyVersion"),
            ("cs6", event.get("policy_version")),
            ("cn1Label", "findingCount"),
            ("cn1", event["finding_count"]),
            ("flexString1Label", "entityTypes"),
            ("flexString1", _counts(event["entity_types"])),
            ("flexString2Label", "policyAction"),
            ("flexString2", event["action"]),
            ("reason", _csv(event["reasons"])),
            ("msg", event.get("error")),
            (
                "leitplankeValueHashes",
                _csv(f"{h['entity_type']}:{h['value_hash']}" for h in event["value_hashes"])
                if "value_hashes" in event
                else None,
            ),
        ]
    if kind == "usage":
        return [
            *common,
            ("act", event.get("kind")),
            ("dhost", event.get("host")),
            ("requestMethod", event.get("method")),
            ("in", event.get("bytes_up")),
            ("out", event.get("bytes_down")),
            ("cs2Label", "tool"),
            ("cs2", event.get("tool")),
            ("cs3Label", "toolStatus"),
            ("cs3", event.get("tool_status")),
            ("cs5Label", "heuristic"),
            ("cs5", event.get("heuristic")),
            ("cs6Label", "policyVersion"),
            ("cs6", event.get("policy_version")),
            ("cn1Label", "httpStatus"),
            ("cn1", event.get("status")),
            ("cn2Label", "unknownAi"),
            ("cn2", int(bool(event.get("unknown_ai")))),
            ("cn3Label", "intercepted"),
            ("cn3", None if event.get("intercepted") is None else int(event["intercepted"])),
        ]
    if kind == "coaching":
        return [
            *common,
            ("act", "override"),
            ("cs2Label", "tool"),
            ("cs2", event.get("tool")),
            ("cs5Label", "dataClasses"),
            ("cs5", _csv(event["data_classes"])),
            ("cs6Label", "policyVersion"),
            ("cs6", event.get("policy_version")),
            ("cn1Label", "findingCount"),
            ("cn1", event["finding_count"]),
            ("flexString1Label", "entityTypes"),
            ("flexString1", _counts(event["entity_types"])),
            ("end", _epoch_ms(event["allowed_until"]) if event.get("allowed_until") else None),
        ]
    return [
        *common,
        ("act", event.get("status")),
        ("cs2Label", "toolName"),
        ("cs2", event.get("tool_name")),
    ]


def to_cef(event: Mapping[str, Any], version: str | None = None) -> str:
    """`CEF:0|Leitplanke|Leitplanke|version|signature id|name|severity|extensions`.
    Empty fields are left out (a label only when its value is there)."""
    sig, name = signature(event)
    pairs = _cef_extensions(event)
    present = {k for k, v in pairs if v is not None and v != ""}
    extensions = []
    for key, value in pairs:
        if key.endswith("Label"):
            if key[: -len("Label")] not in present:
                continue
        elif key not in present:
            continue
        extensions.append(f"{key}={cef_extension_escape(value)}")
    header = [
        "CEF:0",
        "Leitplanke",
        "Leitplanke",
        cef_header_escape(version or product_version()),
        cef_header_escape(sig),
        cef_header_escape(name),
        str(cef_severity(event)),
    ]
    return "|".join(header) + "|" + " ".join(extensions)


# --- syslog (RFC 5424) ------------------------------------------------------------------


def sd_escape(value: object) -> str:
    """SD-PARAM values: `"`, `\\` and `]` escaped (RFC 5424 6.3.3); line breaks become
    spaces so that one message stays one line."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _sd_params(event: Mapping[str, Any]) -> list[tuple[str, Any]]:
    params: list[tuple[str, Any]] = []
    for key, value in event.items():
        if key in ("ts", "schema") or value is None or value == "" or value == []:
            continue
        if key == "value_hashes":
            value = _csv(f"{h['entity_type']}:{h['value_hash']}" for h in value)
        elif isinstance(value, bool):
            value = int(value)
        elif isinstance(value, Mapping):
            if not value:
                continue
            value = _counts(value)
        elif isinstance(value, list | tuple):
            value = _csv(value)
        params.append((key, value))
    return params


def _syslog_timestamp(ts: str) -> str:
    when = datetime.fromisoformat(ts)
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _header_field(value: str, limit: int) -> str:
    """HOSTNAME/APP-NAME/MSGID: printable US-ASCII without spaces, `-` when empty."""
    text = "".join(c for c in value if 33 <= ord(c) <= 126)[:limit]
    return text or "-"


def priority(event: Mapping[str, Any], facility: str | int = "local0") -> int:
    code = FACILITIES[facility] if isinstance(facility, str) else facility
    return code * 8 + syslog_severity(event)


def to_syslog(
    event: Mapping[str, Any],
    hostname: str,
    *,
    facility: str | int = "local0",
    message: str | None = None,
    structured: bool = True,
) -> str:
    """`<PRI>1 TIMESTAMP HOST leitplanke - MSGID [leitplanke@32473 ...] MSG`.

    `message` replaces the one-line summary (e.g. a CEF line or the JSON event);
    `structured=False` sends `-` as structured data. A non-ASCII MSG starts with the
    UTF-8 BOM, as RFC 5424 asks."""
    if structured:
        params = " ".join(f'{key}="{sd_escape(value)}"' for key, value in _sd_params(event))
        sd = f"[{SD_ID} {params}]"
    else:
        sd = "-"
    msg = summary(event) if message is None else message
    msg = msg.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    if not msg.isascii():
        msg = "\ufeff" + msg
    header = " ".join(
        [
            f"<{priority(event, facility)}>1",
            _syslog_timestamp(event["ts"]),
            _header_field(hostname, 255),
            APP_NAME,
            "-",
            _header_field(str(event["event_type"]), 32),
        ]
    )
    return f"{header} {sd} {msg}"


def render(
    event: Mapping[str, Any],
    fmt: Format,
    *,
    hostname: str = "-",
    facility: str | int = "local0",
    version: str | None = None,
) -> str:
    """One event as one line (without the newline) in the export format."""
    if fmt == "jsonl":
        return to_json(event)
    if fmt == "cef":
        return to_cef(event, version)
    return to_syslog(event, hostname, facility=facility)
