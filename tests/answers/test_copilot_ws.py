"""Copilot WebSocket frames: the gateway's block answers in both protocols (no mitmproxy)."""

from __future__ import annotations

import json

from answers.copilot_ws import answer_text, block_frames, is_completion
from extract.copilot_ws import RS


def test_consumer_block_answer_is_message_then_done() -> None:
    frames = block_frames("copilot", "Nicht gesendet: IBAN", conversation_id="conv-1")
    events = [json.loads(f) for f in frames]
    assert [e["event"] for e in events] == ["startMessage", "appendText", "partCompleted", "done"]
    assert events[1]["text"] == "Nicht gesendet: IBAN"
    assert len({e["messageId"] for e in events}) == 1
    assert all(e["conversationId"] == "conv-1" for e in events)
    assert answer_text(list(frames)) == "Nicht gesendet: IBAN"
    assert is_completion(frames[-1]) and not is_completion(frames[1])


def test_signalr_block_answer_is_update_item_completion() -> None:
    frames = block_frames("signalr", "Nicht gesendet", invocation_id="3")
    assert all(f.endswith(RS) and f.count(RS) == 1 for f in frames)
    records = [json.loads(f[:-1]) for f in frames]
    assert [r["type"] for r in records] == [1, 2, 3]
    assert records[0]["target"] == "update"
    assert records[0]["arguments"][0]["messages"][0]["text"] == "Nicht gesendet"
    assert records[1]["invocationId"] == records[2]["invocationId"] == "3"
    assert answer_text(list(frames)) == "Nicht gesendet"
    assert is_completion(frames[-1]) and not is_completion(frames[0])
