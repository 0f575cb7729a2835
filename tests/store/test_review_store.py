"""Triage history, approval workflow and finding explanations in the findings store."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.findings import Finding
from policy.model import Tool
from rules.strict_yaml import load_yaml
from store.approvals import ApprovalError, approval_history, policy_snippet
from store.findings_store import FindingsStore
from store.records import ApprovalRequestRecord, DecisionRecord, finding_records
from store.triage import TriageError, triage_history
from tests.records import openai_decision

KEY = b"k" * 32


def decision(findings: tuple[Finding, ...] = ()) -> DecisionRecord:
    return openai_decision(
        user_group="vertrieb",
        findings=finding_records(KEY, findings, ["messages[0].content"]),
    )


def request(service: str | None, tool: str = "ChatGPT", user: str = "u-1") -> ApprovalRequestRecord:
    return ApprovalRequestRecord(
        service=service,
        tool_name=tool,
        reason="Angebote schreiben",
        department="Vertrieb",
        user_pseudonym=user,
        user_group="vertrieb",
    )


@pytest.fixture
def store(tmp_path: Path) -> FindingsStore:
    return FindingsStore(tmp_path / "f.db")


def test_explanation_is_stored_without_the_value(store: FindingsStore) -> None:
    iban = "DE89370400440532013000"
    explanation = {
        "recognizer": "IbanRecognizer",
        "pattern_name": "IBAN (strong)",
        "pattern": "[A-Z]{2}...",
        "original_score": 0.5,
        "context_word": "iban",
        "context_improvement": 0.35,
        "checksum": "valid",
    }
    weaker = Finding("IBAN_CODE", "personal", 0, 22, 0.6, 0, iban)
    best = Finding("IBAN_CODE", "personal", 30, 52, 0.95, 0, iban, explanation)
    store.record(decision((weaker, best)))
    (row,) = store.findings()
    assert row["recognizer"] == "IbanRecognizer"
    assert row["pattern_name"] == "IBAN (strong)"
    assert row["context_word"] == "iban"
    assert row["base_score"] == 0.5 and row["max_score"] == 0.95
    assert row["checksum"] == "valid"
    assert iban not in repr(row)


def test_triage_keeps_every_change(store: FindingsStore) -> None:
    decision_id = store.record(decision())
    assert store.record_triage([decision_id], "accepted_risk", "Kunde hat zugestimmt", "dpo") == 1
    # Saving the same state again without a note changes nothing; with a note it is a row.
    assert store.record_triage([decision_id], "accepted_risk", "", "dpo") == 0
    assert store.record_triage([decision_id], "confirmed", "", "stellvertretung") == 1
    history = triage_history(store.db.conn, decision_id)
    assert [(h["from_state"], h["to_state"], h["actor"]) for h in history] == [
        ("open", "accepted_risk", "dpo"),
        ("accepted_risk", "confirmed", "stellvertretung"),
    ]
    assert history[0]["note"] == "Kunde hat zugestimmt"
    (current,) = store.db.query("select state, updated_by from triage")
    assert current == {"state": "confirmed", "updated_by": "stellvertretung"}


def test_triage_rejects_unknown_states_and_skips_unknown_decisions(store: FindingsStore) -> None:
    decision_id = store.record(decision())
    with pytest.raises(TriageError):
        store.record_triage([decision_id], "deleted", "", "dpo")
    assert store.record_triage([decision_id, 999], "resolved", "", "dpo") == 1


def test_purge_removes_triage_history_with_its_decision(store: FindingsStore) -> None:
    decision_id = store.record(decision())
    store.record_triage([decision_id], "resolved", "", "dpo")
    counts = store.purge_by_table(1, dry_run=True)
    assert counts["triage_history"] == 0
    store.db.execute("update decisions set ts = '2000-01-01T00:00:00.000+00:00'")
    assert store.purge_by_table(1)["triage_history"] == 1


def test_approval_requests_are_deduplicated_per_service_and_person(store: FindingsStore) -> None:
    first = store.record_approval_request(request("openai-api"))
    again = store.record_approval_request(request("openai-api", tool="chatgpt plus"))
    other_person = store.record_approval_request(request("openai-api", user="u-2"))
    free_text = store.record_approval_request(request(None, tool="Eigenes Tool"))
    free_text_again = store.record_approval_request(request(None, tool=" eigenes tool "))
    assert first == again and first != other_person
    assert free_text == free_text_again and free_text != first
    state = store.approval_state(first)
    assert state is not None and state.asked == 2 and state.status == "open"
    assert [s.id for s in store.approvals_of("u-1")] == sorted([first, free_text], reverse=True)


def test_approval_workflow_and_reply(store: FindingsStore) -> None:
    request_id = store.record_approval_request(request("openai-api"))
    store.decide_approval(request_id, "needs_info", "Wofür genau?", "dpo")
    # Asking again after "needs info" reopens the same request.
    assert store.record_approval_request(request("openai-api")) == request_id
    assert (state := store.approval_state(request_id)) is not None and state.status == "open"
    state = store.decide_approval(request_id, "approved", "Freigegeben ab 1. April", "dpo")
    assert state.status == "approved" and state.reply == "Freigegeben ab 1. April"
    history = approval_history(store.db.conn, request_id)
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("open", "needs_info"),
        ("open", "approved"),
    ]
    with pytest.raises(ApprovalError):
        store.decide_approval(request_id, "maybe", "", "dpo")
    with pytest.raises(ApprovalError):
        store.decide_approval(999, "approved", "", "dpo")
    # After a rejection, asking again starts a new request.
    store.decide_approval(request_id, "rejected", "Doch nicht", "dpo")
    assert store.record_approval_request(request("openai-api")) != request_id


def test_policy_snippet_is_a_valid_tool_entry(store: FindingsStore) -> None:
    request_id = store.record_approval_request(request("openai-api"))
    state = store.decide_approval(request_id, "approved", "ok", "dpo")
    snippet = policy_snippet(state, "OpenAI API")
    tools = load_yaml(snippet)["tools"]
    assert list(tools) == ["openai-api"]
    assert Tool.model_validate(tools["openai-api"]).status == "approved"
    unknown = store.record_approval_request(request(None, tool="Eigenes Tool"))
    unknown_state = store.approval_state(unknown)
    assert unknown_state is not None
    assert "nicht im KI-Dienste-Katalog" in policy_snippet(unknown_state)
