"""SIEM events and their formats: fields, escaping, severities; no raw values."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from checker.findings import Finding
from siem import events, formats
from store.findings_store import FindingsStore
from store.records import (
    ApprovalRequestRecord,
    CoachingRecord,
    DecisionRecord,
    UsageRecord,
    finding_records,
)

KEY = b"k" * 32
IBAN = "DE89 3704 0044 0532 0130 00"
EMAIL = "erika.mustermann@beispiel.de"
NOW = datetime.now(UTC)


def iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds")


def decision(
    ts: datetime = NOW, action: str = "block", enforced: str | None = None, **kw: object
) -> DecisionRecord:
    findings = [
        Finding("IBAN_CODE", "personal", 5, 32, 1.0, 0, IBAN),
        Finding("IBAN_CODE", "personal", 40, 62, 0.9, 0, IBAN.replace(" ", "")),
        Finding("EMAIL_ADDRESS", "personal", 70, 98, 0.85, 0, EMAIL),
    ]
    fields: dict[str, object] = {
        "service": "openai-api",
        "host": "api.openai.com",
        "api": "openai_chat",
        "tool": "chatgpt-team",
        "tool_status": "unapproved",
        "user_pseudonym": "u-0123456789abcdef",
        "user_group": "vertrieb",
        "action": action,
        "enforced": enforced,
        "reasons": ("personal:not_allowed:block",),
        "data_classes": ("personal",),
        "policy_version": "3@9f2c",
        "scan_ms": 12.5,
        "findings": finding_records(KEY, findings, ["messages[0].content"]),
        "ts": iso(ts),
    }
    fields.update(kw)
    return DecisionRecord(**fields)  # type: ignore[arg-type]


def usage(ts: datetime = NOW, **kw: object) -> UsageRecord:
    fields: dict[str, object] = {
        "kind": "request",
        "service": "chatgpt",
        "host": "chatgpt.com",
        "intercepted": True,
        "user_pseudonym": "u-0123456789abcdef",
        "user_group": "vertrieb",
        "tool": "chatgpt-team",
        "tool_status": "approved",
        "method": "POST",
        "status": 200,
        "bytes_up": 14,
        "bytes_down": 7,
        "policy_version": "3@9f2c",
        "ts": iso(ts),
    }
    fields.update(kw)
    return UsageRecord(**fields)  # type: ignore[arg-type]


def coaching(ts: datetime = NOW) -> CoachingRecord:
    return CoachingRecord(
        service="openai-api",
        tool=None,
        user_pseudonym="u-0123456789abcdef",
        user_group=None,
        data_classes=("personal",),
        entity_types={"IBAN_CODE": 1},
        justification="Kunde <IBAN_CODE> hat zugestimmt",
        allowed_until=iso(ts + timedelta(minutes=10)),
        policy_version="3@9f2c",
        ts=iso(ts),
    )


def approval(ts: datetime = NOW, user: str = "u-0123456789abcdef") -> ApprovalRequestRecord:
    return ApprovalRequestRecord(
        service="perplexity",
        tool_name="Perplexity Pro",
        reason="Recherche für <PERSON>",
        department="Vertrieb",
        user_pseudonym=user,
        user_group="vertrieb",
        ts=iso(ts),
    )


def seed(path: Path, old: datetime, new: datetime) -> FindingsStore:
    """Old and new rows in every table (findings and triage with their decision)."""
    store = FindingsStore(path)
    for when in (old, new):
        decision_id = store.record(decision(when))
        store.db.table("triage").insert(
            {"decision_id": decision_id, "state": "open", "updated_at": iso(when)}
        )
        store.record(decision(when, action="warn", enforced="block", user_group=None))
        store.record_usage(usage(when))
        store.record_usage(usage(when, kind="connection", unknown_ai=True, heuristic="llm-name"))
        store.record_coaching(coaching(when))
        # Two people: one person asking again would add to their first request.
        store.record_approval_request(approval(when, user=f"u-{when:%Y%m%d%H%M%S}"))
    return store


# --- the event model --------------------------------------------------------------------


def test_decision_event_fields_and_no_values() -> None:
    event = events.decision_event(decision(enforced="block"))
    assert list(event)[:2] == ["ts", "event_id"]
    assert event["event_type"] == "decision"
    assert event["entity_types"] == {"EMAIL_ADDRESS": 1, "IBAN_CODE": 2}
    assert event["finding_count"] == 3
    assert event["data_classes"] == ["personal"]
    assert event["reasons"] == ["personal:not_allowed:block"]
    assert (event["action"], event["enforced"]) == ("block", "block")
    assert re.fullmatch(r"[0-9a-f]{32}", event["event_id"])
    text = json.dumps(event)
    assert "value_hash" not in text and "masked" not in text and "DE89" not in text
    assert "mustermann" not in text


def test_event_from_store_equals_event_from_record(tmp_path: Path) -> None:
    """Same decision live and exported: same event, same id (SIEM deduplication)."""
    record = decision(enforced=None)
    store = FindingsStore(tmp_path / "f.db")
    store.record(record)
    ((row, findings),) = list(store.iter_decisions_with_findings())
    from_store = events.decision_event(row, findings, include_hashes=True)
    from_record = events.decision_event(record, include_hashes=True)
    assert from_store == from_record
    assert from_store["enforced"] == "block"  # None in the record means "as decided"
    assert {h["entity_type"] for h in from_store["value_hashes"]} == {"IBAN_CODE", "EMAIL_ADDRESS"}
    store.close()


def test_event_ids_differ_between_decisions() -> None:
    a = events.decision_event(decision(NOW))
    b = events.decision_event(decision(NOW + timedelta(milliseconds=1)))
    assert a["event_id"] != b["event_id"]
    # include_hashes does not change the id
    assert events.decision_event(decision(NOW), include_hashes=True)["event_id"] == a["event_id"]


def test_other_events_leave_free_text_out() -> None:
    c = events.coaching_event(coaching())
    assert c["entity_types"] == {"IBAN_CODE": 1} and c["finding_count"] == 1
    assert "justification" not in c and "zugestimmt" not in json.dumps(c)
    a = events.approval_request_event(approval())
    assert a["tool_name"] == "Perplexity Pro" and "reason" not in a and "department" not in a
    u = events.usage_event(usage(unknown_ai=True))
    assert u["unknown_ai"] is True and u["intercepted"] is True


# --- CEF --------------------------------------------------------------------------------


def test_cef_escaping() -> None:
    assert formats.cef_header_escape("a|b\\c") == "a\\|b\\\\c"
    assert formats.cef_header_escape("a\nb") == "a b"
    assert formats.cef_extension_escape("a=b\\c|d\ne\rf") == "a\\=b\\\\c|d\\ne\\rf"


@pytest.mark.parametrize(
    ("enforced", "severity"), [("block", 7), ("warn", 5), ("redact", 4), ("log", 2), ("allow", 1)]
)
def test_cef_severity_by_enforced_action(enforced: str, severity: int) -> None:
    line = formats.to_cef(events.decision_event(decision(action="warn", enforced=enforced)), "1.0")
    header = line.split("|")
    assert header[:4] == ["CEF:0", "Leitplanke", "Leitplanke", "1.0"]
    assert header[4] == f"decision.{enforced}"
    assert header[6] == str(severity)


def parse_cef(line: str) -> tuple[list[str], dict[str, str]]:
    """A strict CEF reader: unescaped | splits the header, unescaped key= the extensions."""
    fields: list[str] = []
    current, i = "", 0
    while len(fields) < 7:
        ch = line[i]
        if ch == "\\":
            current += line[i + 1]
            i += 2
            continue
        if ch == "|":
            fields.append(current)
            current = ""
        else:
            current += ch
        i += 1
    rest = line[i:]
    extensions: dict[str, str] = {}
    for match in re.finditer(r"(\w+)=((?:\\.|[^\\=])*?)(?= \w+=|$)", rest):
        value = re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m[1], m[1]), match[2])
        extensions[match[1]] = value
    return fields, extensions


def test_cef_round_trip_with_hostile_values() -> None:
    nasty = "grp|a=b\\c\nd"
    event = events.decision_event(decision(user_group=nasty, error="x = y"))
    line = formats.to_cef(event, "0.1|x")
    assert "\n" not in line
    header, ext = parse_cef(line)
    assert header[3] == "0.1|x"
    assert ext["cs4Label"] == "userGroup" and ext["cs4"] == nasty
    assert ext["msg"] == "x = y"
    assert ext["act"] == "block" and ext["suser"] == "u-0123456789abcdef"
    assert ext["flexString1"] == "EMAIL_ADDRESS:1,IBAN_CODE:2"
    assert ext["cn1"] == "3" and ext["externalId"] == event["event_id"]
    assert int(ext["rt"]) == int(NOW.timestamp() * 1000)


def test_cef_leaves_out_empty_fields_and_their_labels() -> None:
    event = events.decision_event(decision(tool=None))
    _, ext = parse_cef(formats.to_cef(event, "1"))
    assert "cs2" not in ext and "cs2Label" not in ext
    assert "leitplankeValueHashes" not in ext


# --- syslog -----------------------------------------------------------------------------

SYSLOG = re.compile(
    r"^<(?P<pri>\d{1,3})>1 (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) "
    r"(?P<msgid>\S+) (?P<sd>-|\[(?:[^\]\\]|\\.)*\]) (?P<msg>.*)$"
)


def sd_params(sd: str) -> dict[str, str]:
    return {
        m[1]: re.sub(r"\\([\"\\\]])", r"\1", m[2])
        for m in re.finditer(r'(\w+)="((?:[^"\\]|\\.)*)"', sd)
    }


def test_sd_escaping() -> None:
    assert formats.sd_escape('a"b\\c]d') == 'a\\"b\\\\c\\]d'
    assert formats.sd_escape("a\nb") == "a b"


def test_syslog_rfc5424_line() -> None:
    event = events.decision_event(decision(user_group='a"b]c\\d'))
    line = formats.to_syslog(event, "gw 1.example")
    match = SYSLOG.match(line)
    assert match, line
    assert int(match["pri"]) == 16 * 8 + 4  # local0, warning (block)
    assert match["ts"].endswith("Z") and datetime.fromisoformat(
        match["ts"]
    ) == datetime.fromisoformat(event["ts"])
    assert (match["host"], match["app"], match["procid"], match["msgid"]) == (
        "gw1.example",
        "leitplanke",
        "-",
        "decision",
    )
    assert match["sd"].startswith("[leitplanke@32473 ")
    params = sd_params(match["sd"])
    assert params["user_group"] == 'a"b]c\\d'
    assert params["entity_types"] == "EMAIL_ADDRESS:1,IBAN_CODE:2"
    assert params["event_id"] == event["event_id"]
    assert "AI request blocked" in match["msg"]


def test_syslog_facility_and_severity() -> None:
    event = events.decision_event(decision(action="allow"))
    assert formats.to_syslog(event, "h", facility="local7").startswith(f"<{23 * 8 + 6}>1 ")
    assert formats.to_syslog(event, "h", facility="daemon").startswith(f"<{3 * 8 + 6}>1 ")


def test_syslog_carrying_cef_or_json() -> None:
    event = events.decision_event(decision())
    cef = formats.to_syslog(event, "h", message=formats.to_cef(event, "1"), structured=False)
    match = SYSLOG.match(cef)
    assert match and match["sd"] == "-" and match["msg"].startswith("CEF:0|Leitplanke|")
    as_json = formats.to_syslog(event, "h", message=formats.to_json(event), structured=False)
    match = SYSLOG.match(as_json)
    assert match and json.loads(match["msg"]) == event


def test_non_ascii_message_gets_the_bom() -> None:
    event = events.decision_event(decision(service="übersetzer"))
    assert "\ufeffAI request" in formats.to_syslog(event, "h")
    assert "\ufeff" not in formats.to_syslog(events.decision_event(decision()), "h")
