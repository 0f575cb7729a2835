from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

from checker.findings import Finding
from store.findings_store import FindingsStore
from store.migrations import migrations
from store.records import DecisionRecord, UsageRecord, finding_records
from tests.records import openai_decision

KEY = b"s" * 32
IBAN = "DE89 3704 0044 0532 0130 00"
EMAIL = "erika.mustermann@beispiel.de"


def record(findings: list[Finding], action: str = "block") -> DecisionRecord:
    return openai_decision(
        user_pseudonym="u-0123456789abcdef",
        action=action,
        scan_ms=1.5,
        findings=finding_records(KEY, findings, ["messages[0].content", "messages[1].content"]),
    )


def test_schema_comes_from_migrations(tmp_path: Path) -> None:
    store = FindingsStore(tmp_path / "f.db")
    assert {m.name for m in migrations.applied(store.db)} == {
        "m001_decisions_and_findings",
        "m002_enforced_action",
        "m003_usage",
        "m004_coaching_and_approval_requests",
        "m005_review",
        "m006_node_merge",
        "m007_rollout_mode",
        "m008_finding_explanation",
        "m009_triage_history",
        "m010_approval_workflow",
        "m011_notify_marks",
        "m012_review_views",
        "m013_policy_retention",
        "m014_coaching_links",
    }
    assert store.db.journal_mode == "wal"
    FindingsStore(tmp_path / "f.db").close()  # reopening applies nothing twice
    store.close()


def test_one_decision_row_and_aggregated_findings(tmp_path: Path) -> None:
    store = FindingsStore(tmp_path / "f.db")
    findings = [
        Finding("IBAN_CODE", "personal", 5, 32, 1.0, 0, IBAN),
        Finding("IBAN_CODE", "personal", 40, 62, 0.9, 1, IBAN.replace(" ", "")),
        Finding("EMAIL_ADDRESS", "personal", 0, 28, 0.85, 1, EMAIL),
    ]
    decision_id = store.record(record(findings))
    (decision,) = store.decisions()
    assert decision["id"] == decision_id
    assert decision["finding_count"] == 3
    assert json.loads(decision["data_classes"]) == ["personal"]
    rows = {row["entity_type"]: row for row in store.findings()}
    assert rows["IBAN_CODE"]["count"] == 2  # same value twice, one row
    assert rows["IBAN_CODE"]["max_score"] == 1.0
    assert rows["IBAN_CODE"]["masked_excerpt"] == "DE89 **** **** 3000"
    assert rows["IBAN_CODE"]["location"] == "messages[0].content:5-32"
    assert rows["EMAIL_ADDRESS"]["location"] == "messages[1].content:0-28"
    for row in rows.values():  # the ★ findings contract fields
        for column in (
            "ts",
            "service",
            "tool_status",
            "user_pseudonym",
            "user_group",
            "data_class",
            "entity_type",
            "count",
            "max_score",
            "action",
            "policy_version",
            "masked_excerpt",
            "value_hash",
        ):
            assert column in row
    store.close()


def test_no_raw_value_in_the_database_files(tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    store = FindingsStore(db)
    for _ in range(3):
        store.record(
            record(
                [
                    Finding("IBAN_CODE", "personal", 0, 27, 1.0, 0, IBAN),
                    Finding("EMAIL_ADDRESS", "personal", 30, 58, 1.0, 0, EMAIL),
                ]
            )
        )
    files = [p for p in tmp_path.iterdir() if p.name.startswith("f.db")]
    assert any(p.name.endswith("-wal") for p in files)
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}
    for path in files:
        data = path.read_bytes()
        for raw in (IBAN, IBAN.replace(" ", ""), EMAIL, "mustermann"):
            assert raw.encode() not in data, path
    store.close()


def test_a_concurrent_reader_sees_committed_rows(tmp_path: Path) -> None:
    store = FindingsStore(tmp_path / "f.db")
    store.record(record([], action="log"))
    with sqlite3.connect(tmp_path / "f.db") as reader:
        assert reader.execute("select action from decisions").fetchall() == [("log",)]
    store.close()


def test_purge_deletes_only_rows_past_retention(tmp_path: Path) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime

    store = FindingsStore(tmp_path / "f.db")
    iban = [Finding("IBAN_CODE", "personal", 0, 27, 1.0, 0, IBAN)]
    store.record(replace(record(iban), ts="2026-01-01T00:00:00.000+00:00"))
    store.record(replace(record(iban), ts="2026-11-29T00:00:00.000+00:00"))
    now = datetime(2026, 11, 30, tzinfo=UTC)
    assert store.purge(90, now=now) == 1
    assert [d["ts"][:10] for d in store.decisions()] == ["2026-11-29"]
    assert len(store.findings()) == 1
    assert store.purge(90, now=now) == 0
    store.close()


def test_usage_rows_and_their_purge(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    store = FindingsStore(tmp_path / "f.db")
    old = UsageRecord(
        "connection",
        "deepl",
        "api.deepl.com",
        False,
        "u-1",
        "vertrieb",
        ts="2026-01-01T00:00:00.000+00:00",
    )
    new = UsageRecord(
        "request",
        None,
        "chat.unknown-llm.ai",
        True,
        "u-2",
        None,
        unknown_ai=True,
        heuristic="ai-tld",
        method="POST",
        status=200,
        bytes_up=12,
        bytes_down=34,
        ts="2026-11-29T00:00:00.000+00:00",
    )
    store.record_usage(old)
    store.record_usage(new)
    rows = store.usage()
    assert [(r["kind"], r["intercepted"], r["unknown_ai"]) for r in rows] == [
        ("connection", 0, 0),
        ("request", 1, 1),
    ]
    assert rows[1]["heuristic"] == "ai-tld" and rows[1]["bytes_down"] == 34
    assert store.purge(90, now=datetime(2026, 11, 30, tzinfo=UTC)) == 1
    assert [r["host"] for r in store.usage()] == ["chat.unknown-llm.ai"]
    store.close()


def test_coaching_and_approval_rows_and_their_purge(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from store.records import ApprovalRequestRecord, CoachingRecord

    store = FindingsStore(tmp_path / "f.db")
    coaching_id = store.record_coaching(
        CoachingRecord(
            service="openai-api",
            tool="gpt",
            user_pseudonym="u-1",
            user_group="hr",
            data_classes=("personal",),
            entity_types={"IBAN_CODE": 1},
            justification="Kunde <PERSON> wartet",
            allowed_until="2026-11-29T00:15:00.000+00:00",
            policy_version="1@abc",
            ts="2026-11-29T00:00:00.000+00:00",
        )
    )
    store.record_approval_request(
        ApprovalRequestRecord(
            service="deepl",
            tool_name="DeepL",
            reason="Übersetzungen",
            department="Vertrieb",
            user_pseudonym="u-2",
            user_group=None,
            ts="2026-01-01T00:00:00.000+00:00",
        )
    )
    (row,) = store.coaching()
    assert row["id"] == coaching_id
    assert json.loads(row["data_classes"]) == ["personal"]
    assert json.loads(row["entity_types"]) == {"IBAN_CODE": 1}
    assert row["justification"] == "Kunde <PERSON> wartet"
    (request,) = store.approval_requests()
    assert (request["tool_name"], request["status"]) == ("DeepL", "open")
    assert store.purge(90, now=datetime(2026, 11, 30, tzinfo=UTC)) == 1
    assert store.approval_requests() == [] and len(store.coaching()) == 1
    store.close()
