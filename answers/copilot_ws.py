"""Copilot's WebSocket frames from the gateway: the block answer in the client's own
protocol (both wire formats are described in extract/copilot_ws.py), and reading the
assistant text back out of server frames (tests, and anyone reading answers).

Pure functions, no mitmproxy.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from extract.copilot_ws import RS, Protocol, frame_text


def block_frames(
    protocol: Protocol,
    message: str,
    *,
    conversation_id: str | None = None,
    invocation_id: str | None = None,
) -> list[str]:
    """Text frames that answer a blocked prompt: one assistant message carrying
    `message`, then the protocol's completion, so the client UI stops waiting."""
    message_id = f"leitplanke-{uuid.uuid4().hex[:12]}"
    if protocol == "signalr":
        return _signalr_answer(message, message_id, conversation_id, invocation_id or "0")
    return _copilot_answer(message, message_id, conversation_id)


def _copilot_answer(message: str, message_id: str, conversation_id: str | None) -> list[str]:
    envelope: dict[str, Any] = {"messageId": message_id}
    if conversation_id is not None:
        envelope["conversationId"] = conversation_id
    events: list[dict[str, Any]] = [
        {"event": "startMessage", **envelope},
        {"event": "appendText", **envelope, "partId": "0", "text": message},
        {"event": "partCompleted", **envelope, "partId": "0"},
        {"event": "done", **envelope},
    ]
    return [json.dumps(e, ensure_ascii=False) for e in events]


def _signalr_answer(
    message: str, message_id: str, conversation_id: str | None, invocation_id: str
) -> list[str]:
    bot = {
        "text": message,
        "author": "bot",
        "messageId": message_id,
        "messageType": "Chat",
        "offense": "None",
    }
    update: dict[str, Any] = {"type": 1, "target": "update", "arguments": [{"messages": [bot]}]}
    item: dict[str, Any] = {"messages": [bot], "result": {"value": "Success", "message": message}}
    if conversation_id is not None:
        item["conversationId"] = conversation_id
    records: list[dict[str, Any]] = [
        update,
        {"type": 2, "invocationId": invocation_id, "item": item},
        {"type": 3, "invocationId": invocation_id},
    ]
    return [json.dumps(r, ensure_ascii=False) + RS for r in records]


# ---- server frames (for tests and for reading answers) -------------------------------


def answer_text(frames: list[str | bytes]) -> str:
    """The assistant text a list of server frames spells out (either protocol)."""
    out: list[str] = []
    for frame in frames:
        for record in frame_text(frame).split(RS):
            try:
                obj = json.loads(record)
            except ValueError:
                continue
            if not isinstance(obj, dict):
                continue
            if obj.get("event") == "appendText" and isinstance(obj.get("text"), str):
                out.append(obj["text"])
            elif obj.get("type") == 2:
                messages = (obj.get("item") or {}).get("messages") or []
                out.extend(m["text"] for m in messages if isinstance(m.get("text"), str))
    return "".join(out)


def is_completion(frame: str | bytes) -> bool:
    """True for the frame that ends an answer (`done`, or SignalR completion type 3)."""
    for record in frame_text(frame).split(RS):
        try:
            obj = json.loads(record)
        except ValueError:
            continue
        if isinstance(obj, dict) and (obj.get("event") == "done" or obj.get("type") == 3):
            return True
    return False
