"""Poe, as Foxic05/foxroute reads a send and the update socket
(providers/web/poe.py _send, _messages, _stream).

The send answer must be HTTP 2xx JSON; `errors` fail; `data.messageEdgeCreate.status`
other than "success" fails with its `statusMessage` (what the client reports); else
the message id. The socket's frames are envelopes {"messages": ["<JSON>", …]} whose
`payload.subscription_name == "messageAdded"` updates carry `data.messageAdded` with
the bot's whole text so far and its `state` ("complete" ends).
"""

from __future__ import annotations

import json
from typing import Any

from tests.answers.reference_parsers import Unreadable
from tests.answers.reference_parsers.common import Answer, ok


class SendRefused(Exception):
    """The send came back refused: the text the client reports."""


def send(answer: Answer) -> int:
    """The created message's id; SendRefused(statusMessage) when refused."""
    result = json.loads(ok(answer)) or {}
    if result.get("errors"):
        raise Unreadable(json.dumps(result["errors"])[:300])
    edge = (result.get("data") or {}).get("messageEdgeCreate") or {}
    status = edge.get("status")
    if status and status != "success":
        raise SendRefused(str(edge.get("statusMessage") or status))
    message_id = ((edge.get("message") or {}).get("node") or {}).get("messageId")
    if message_id is None:
        raise Unreadable("no message id")
    return int(message_id)


def _added(frame: str) -> list[dict[str, Any]]:
    try:
        envelope = json.loads(frame)
    except ValueError:
        return []
    found = []
    for packed in envelope.get("messages") or []:
        try:
            message = json.loads(packed)
        except ValueError:
            continue
        payload = message.get("payload") or {}
        if payload.get("subscription_name") != "messageAdded":
            continue
        added = (payload.get("data") or {}).get("messageAdded")
        if isinstance(added, dict):
            found.append(added)
    return found


def socket_text(frames: list[str], own_message_id: int | None = None) -> str:
    emitted = ""
    for frame in frames:
        for added in _added(frame):
            if added.get("messageId") == own_message_id or added.get("author") == "human":
                continue
            state = added.get("state") or ""
            if state.startswith("error"):
                raise Unreadable(state)
            whole = added.get("text") or ""
            if len(whole) > len(emitted):
                emitted = whole
            if state == "complete":
                return emitted
    raise Unreadable("no complete bot message")
