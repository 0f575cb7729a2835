"""Copilot's WebSocket frames: find the prompt in a client frame (the block answer in
the same protocol: answers/copilot_ws.py).

Pure functions, no mitmproxy. Two wire formats share the `copilot-ws` extractor id:

Copilot consumer (copilot.microsoft.com, `/c/api/chat?api-version=2`), one JSON object
per text frame:

    client → {"event": "send", "conversationId": "…", "mode": "chat",
              "content": [{"type": "text", "text": "…"}]}
    server ← {"event": "received", …}, {"event": "startMessage", "messageId": "…"},
             {"event": "appendText", "messageId": "…", "partId": "0", "text": "…"} (many),
             {"event": "partCompleted", "messageId": "…", "partId": "0"},
             {"event": "done", "messageId": "…"}

Bing Chat / Microsoft 365 Copilot (SignalR JSON hub protocol; substrate.office.com),
JSON records each terminated by the record separator 0x1E, several per frame allowed:

    client → {"protocol": "json", "version": 1}␞   (handshake), {"type": 6}␞ (ping),
             {"type": 4, "target": "chat", "invocationId": "0", "arguments": [
                 {"message": {"author": "user", "text": "…"},
                  "previousMessages": [{"author": "user", "description": "…"}], …}]}␞
    server ← {"type": 1, "target": "update", "arguments": [{"messages": [{"text": …}]}]}␞,
             {"type": 2, "invocationId": "0", "item": {"messages": […], "result": {…}}}␞,
             {"type": 3, "invocationId": "0"}␞

Both shapes are reconstructed from public descriptions of the web clients and
observed traffic as we knew it, not from a vendor specification: fields this module
does not read are ignored, and a frame that does not look like a prompt passes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from extract.model import TextPart
from extract.path import ROOT, Path

RS = "\x1e"  # SignalR record separator

Protocol = Literal["copilot", "signalr"]
API = "copilot_ws"


@dataclass(frozen=True)
class ClientFrame:
    """A client frame that carries prompt text."""

    protocol: Protocol
    parts: tuple[TextPart, ...]  # e.g. at send.content[0].text
    conversation_id: str | None = None
    invocation_id: str | None = None  # SignalR: the invocation the answer belongs to
    unparsed: bool = False  # not the expected JSON; the whole frame is one part


def frame_text(data: str | bytes) -> str:
    return data if isinstance(data, str) else data.decode("utf-8", errors="replace")


def guess_protocol(data: str | bytes) -> Protocol:
    """SignalR frames end in the record separator; everything else is the consumer format."""
    return "signalr" if frame_text(data).rstrip(" \r\n\t").endswith(RS) else "copilot"


def parse_client_frame(data: str | bytes) -> ClientFrame | None:
    """The prompt parts of a client→server frame, or None for a frame without one.

    A text frame that is not JSON at all is returned whole (`unparsed`), so that it is
    still scanned; JSON frames of other events (handshake, ping, options) give None.
    """
    text = frame_text(data)
    try:
        return _parse_frame(text)
    except RecursionError:  # JSON nested deeper than the parser goes: scan it whole
        return _unparsed(text)


def _parse_frame(text: str) -> ClientFrame | None:
    if RS in text:
        return _parse_signalr(text)
    try:
        obj = json.loads(text)
    except ValueError:
        return _unparsed(text)
    if isinstance(obj, dict) and obj.get("event") == "send":
        return _parse_send(obj)
    if isinstance(obj, dict) and obj.get("type") in (1, 4):  # SignalR without separator
        return _parse_signalr(text + RS)
    return None


def _unparsed(text: str) -> ClientFrame | None:
    if not text.strip():
        return None
    return ClientFrame(guess_protocol(text), (TextPart(_FRAME, text),), unparsed=True)


def _parse_send(obj: dict[str, Any]) -> ClientFrame | None:
    parts: list[TextPart] = []
    content = obj.get("content")
    at = _SEND.key("content")
    if isinstance(content, str):
        parts.append(TextPart(at, content))
    elif isinstance(content, list):
        for i, item in enumerate(content):
            if isinstance(item, str):
                parts.append(TextPart(at.index(i), item))
            elif isinstance(item, dict):
                # type "text" carries the prompt; any other item's strings (pasted
                # documents, captions) are scanned too, metadata keys aside.
                for key, value in item.items():
                    if isinstance(value, str) and key not in _ITEM_META:
                        parts.append(TextPart(at.index(i).key(key), value))
    else:
        # An unexpected shape: every string leaf outside the envelope is scanned.
        rest = {k: v for k, v in obj.items() if k not in _SEND_META}
        parts.extend(_leaves(rest, _SEND))
    if "context" in obj:  # page or document context the client attaches
        parts.extend(_leaves(obj["context"], _SEND.key("context")))
    parts = [part for part in parts if part.text.strip()]
    if not parts:
        return None
    conversation = obj.get("conversationId")
    return ClientFrame(
        "copilot",
        tuple(parts),
        conversation_id=conversation if isinstance(conversation, str) else None,
    )


# Locations start with the event ("send") or the SignalR target ("chat"); "frame" is a
# whole frame that is no JSON, "record[i]" a SignalR record that is none.
_SEND = ROOT.mark("message", "send")
_FRAME = ROOT.mark("message", "frame")

# The send envelope; "context" is scanned on its own, whatever the content's shape.
_SEND_META = frozenset({"event", "conversationId", "mode", "messageId", "context"})
_ITEM_META = frozenset({"type", "mimeType", "id", "url"})


def _leaves(value: object, where: Path) -> list[TextPart]:
    if isinstance(value, str):
        return [TextPart(where, value)]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, where.key(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, where.index(i))]
    return []


def _parse_signalr(text: str) -> ClientFrame | None:
    parts: list[TextPart] = []
    invocation: str | None = None
    conversation: str | None = None
    for index, record in enumerate(r for r in text.split(RS) if r.strip()):
        try:
            obj = json.loads(record)
        except ValueError:
            parts.append(TextPart(ROOT.mark("message", "record").index(index), record))
            continue
        if not isinstance(obj, dict) or obj.get("type") not in (1, 4):
            continue  # handshake, ping, completion, close: no prompt
        target = str(obj.get("target") or "invoke")
        if invocation is None and isinstance(obj.get("invocationId"), str):
            invocation = obj["invocationId"]
        arguments = obj.get("arguments")
        for i, arg in enumerate(arguments if isinstance(arguments, list) else []):
            if not isinstance(arg, dict):
                continue
            where = ROOT.mark("message", target).key("arguments").index(i)
            if conversation is None and isinstance(arg.get("conversationId"), str):
                conversation = arg["conversationId"]
            message = arg.get("message")
            if isinstance(message, dict) and isinstance(message.get("text"), str):
                parts.append(TextPart(where.key("message").key("text"), message["text"]))
            previous = arg.get("previousMessages")
            for j, item in enumerate(previous if isinstance(previous, list) else []):
                if not isinstance(item, dict):
                    continue
                for key in ("text", "description"):  # description: page/document context
                    if isinstance(item.get(key), str):
                        at = where.key("previousMessages").index(j).key(key)
                        parts.append(TextPart(at, item[key]))
    parts = [part for part in parts if part.text.strip()]
    if not parts:
        return None
    return ClientFrame(
        "signalr", tuple(parts), conversation_id=conversation, invocation_id=invocation
    )
