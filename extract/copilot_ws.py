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
observed traffic as we knew it, not from a vendor specification. Whatever the dedicated
reading does not take is scanned too: other events' and fields' string leaves (as
protocol chatter, `prompt=False`), a batch of events sent as one JSON array, the same
JSON sent as a binary message (decoded by extract/ws_frames.py), SignalR's binary
MessagePack records.
"""

from __future__ import annotations

import json
from typing import Any

from extract.model import ExtractError, TextPart
from extract.path import ROOT, Key, Path
from extract.rest import rest_leaves
from extract.ws_frames import MESSAGE, ClientFrame, Decoded, Protocol, leaves, parse_generic

RS = "\x1e"  # SignalR record separator

API = "copilot_ws"

__all__ = ["API", "RS", "ClientFrame", "Protocol", "guess_protocol", "parse_client_frame"]


def frame_text(data: str | bytes) -> str:
    return data if isinstance(data, str) else data.decode("utf-8", errors="replace")


def guess_protocol(data: str | bytes) -> Protocol:
    """SignalR frames end in the record separator; everything else is the consumer format."""
    return "signalr" if frame_text(data).rstrip(" \r\n\t").endswith(RS) else "copilot"


def parse_client_frame(data: str | bytes) -> ClientFrame | None:
    """What a client→server text frame carries, or None when nothing is worth scanning.

    A text frame that is not JSON at all is returned whole (`unparsed`), so that it is
    still scanned; other events (handshake, ping, options) give their string leaves as
    protocol chatter (`prompt=False`).
    """
    return read(frame_text(data))


def read(decoded: Decoded) -> ClientFrame | None:
    """A decoded message (extract/ws_frames.py): text, or MessagePack records."""
    if decoded is None or isinstance(decoded, dict | list):
        return _parse_msgpack(decoded) if isinstance(decoded, list) else parse_generic(decoded)
    try:
        return _parse_frame(decoded)
    except (RecursionError, ExtractError):  # nested deeper than we walk: scan it whole
        return _unparsed(decoded)


def _parse_frame(text: str) -> ClientFrame | None:
    if RS in text:
        return _parse_signalr(text)
    try:
        obj = json.loads(text)
    except ValueError:
        return _unparsed(text)
    return _parse_object(obj, text)


def _parse_object(obj: object, text: str) -> ClientFrame | None:
    if isinstance(obj, list):  # a batch of events in one message
        frames = [_parse_object(item, json.dumps(item)) for item in obj]
        return _combine([f for f in frames if f is not None], obj)
    if isinstance(obj, dict) and obj.get("event") == "send":
        return _with_rest(_parse_send(obj), obj)
    if isinstance(obj, dict) and obj.get("type") in (1, 4):  # SignalR without separator
        return _parse_signalr(text + RS)
    return _chatter(obj)


def _chatter(obj: object) -> ClientFrame | None:
    """Another event: its string leaves, scanned, recorded only when they matter."""
    parts = leaves(obj, MESSAGE)
    return ClientFrame("copilot", tuple(parts), prompt=False) if parts else None


def _with_rest(frame: ClientFrame | None, obj: dict[str, Any]) -> ClientFrame | None:
    """The send event's fields the dedicated reading left (ids, mode, options) are
    scanned too, as chatter when the event carries no prompt text."""
    taken = frame.parts if frame else ()
    rest = [p for p in rest_leaves(obj, _SEND, taken) if str(p.path) != "send.event"]
    if frame is None:
        return ClientFrame("copilot", tuple(rest), prompt=False) if rest else None
    return ClientFrame("copilot", (*frame.parts, *rest), conversation_id=frame.conversation_id)


def _combine(frames: list[ClientFrame], obj: object) -> ClientFrame | None:
    """A batch of events: all their parts; answered like its first prompt."""
    if not frames:
        return None
    first = next((f for f in frames if f.prompt), frames[0])
    return ClientFrame(
        first.protocol,
        tuple(p for f in frames for p in f.parts),
        conversation_id=first.conversation_id,
        invocation_id=first.invocation_id,
        unparsed=any(f.unparsed for f in frames),
        prompt=any(f.prompt for f in frames),
    )


def _unparsed(text: str) -> ClientFrame | None:
    if not text.strip():
        return None
    return ClientFrame(guess_protocol(text), (TextPart(_FRAME, text),), unparsed=True)


def _parse_send(obj: dict[str, Any]) -> ClientFrame | None:
    """The prompt: every string of `content` (text items, captions, pasted documents,
    whatever their shape) and of the page or document `context` the client attaches."""
    content = _SEND.key("content")
    parts = [p for p in leaves(obj.get("content"), content) if not _item_meta(p, content)]
    if "context" in obj:
        parts.extend(leaves(obj["context"], _SEND.key("context")))
    parts = [part for part in parts if part.text.strip()]
    if not parts:
        return None
    conversation = obj.get("conversationId")
    return ClientFrame(
        "copilot",
        tuple(parts),
        conversation_id=conversation if isinstance(conversation, str) else None,
    )


# Item fields that say what an item is rather than what it says: left to the rest.
_ITEM_META = frozenset({"type", "mimeType", "id", "url"})


def _item_meta(part: TextPart, content: Path) -> bool:
    steps = part.path.steps
    last = steps[-1]
    return (
        len(steps) == len(content.steps) + 2 and isinstance(last, Key) and last.name in _ITEM_META
    )


# Locations start with the event ("send") or the SignalR target ("chat"); "frame" is a
# whole frame that is no JSON, "record[i]" a SignalR record that is none.
_SEND = ROOT.mark("message", "send")
_FRAME = ROOT.mark("message", "frame")
_EVENT_KEY = _SEND.key("event").steps[-1]


def _parse_signalr(text: str) -> ClientFrame | None:
    records: list[object] = []
    parts: list[TextPart] = []
    for index, record in enumerate(r for r in text.split(RS) if r.strip()):
        try:
            records.append(json.loads(record))
        except ValueError:
            parts.append(TextPart(ROOT.mark("message", "record").index(index), record))
    frame = _signalr_records(records)
    if not parts:
        return frame
    return ClientFrame(
        "signalr",
        (*parts, *(frame.parts if frame else ())),
        conversation_id=frame.conversation_id if frame else None,
        invocation_id=frame.invocation_id if frame else None,
        unparsed=True,
    )


def _parse_msgpack(records: list[object]) -> ClientFrame | None:
    """SignalR's MessagePack hub protocol: [type, headers, invocationId, target,
    arguments, …] per record, read as the JSON protocol's records."""
    shaped: list[object] = []
    for record in records:
        if isinstance(record, list) and record and record[0] in (1, 4) and len(record) >= 5:
            _, headers, invocation, target, arguments, *more = record
            shaped.append(
                {
                    "type": record[0],
                    "headers": headers,
                    "invocationId": invocation,
                    "target": target,
                    "arguments": arguments,
                    "streamIds": more,
                }
            )
        else:
            shaped.append(record)
    frame = _signalr_records(shaped)
    generic = parse_generic(records)  # binary values inside are unscanned
    if frame is None:
        return generic
    unscanned = generic.unscanned if generic else ()
    return ClientFrame(
        "signalr",
        frame.parts,
        conversation_id=frame.conversation_id,
        invocation_id=frame.invocation_id,
        unscanned=unscanned,
        prompt=frame.prompt,
    )


def _signalr_records(records: list[object]) -> ClientFrame | None:
    parts: list[TextPart] = []
    prompt = False
    invocation: str | None = None
    conversation: str | None = None
    for obj in records:
        if not isinstance(obj, dict) or obj.get("type") not in (1, 4):
            parts.extend(leaves(obj, MESSAGE))  # handshake, ping, completion: chatter
            continue
        root = ROOT.mark("message", _target(obj.get("target")))
        if invocation is None and isinstance(obj.get("invocationId"), str):
            invocation = obj["invocationId"]
        taken: list[TextPart] = []
        arguments = obj.get("arguments")
        for i, arg in enumerate(arguments if isinstance(arguments, list) else []):
            if not isinstance(arg, dict):
                continue
            where = root.key("arguments").index(i)
            if conversation is None and isinstance(arg.get("conversationId"), str):
                conversation = arg["conversationId"]
            message = arg.get("message")
            if isinstance(message, dict) and isinstance(message.get("text"), str):
                taken.append(TextPart(where.key("message").key("text"), message["text"]))
            previous = arg.get("previousMessages")
            for j, item in enumerate(previous if isinstance(previous, list) else []):
                if not isinstance(item, dict):
                    continue
                for key in ("text", "description"):  # description: page/document context
                    if isinstance(item.get(key), str):
                        at = where.key("previousMessages").index(j).key(key)
                        taken.append(TextPart(at, item[key]))
        taken = [part for part in taken if part.text.strip()]
        prompt = prompt or bool(taken)
        parts.extend(taken)
        parts.extend(rest_leaves(obj, root, taken))
    if not parts:
        return None
    return ClientFrame(
        "signalr",
        tuple(parts),
        conversation_id=conversation,
        invocation_id=invocation,
        prompt=prompt,
    )


def _target(target: object) -> str:
    """The hub method as shown in locations ("chat"); a caller's odd name is not shown."""
    if isinstance(target, str) and target.isidentifier() and len(target) <= 32:
        return target
    return "invoke"
