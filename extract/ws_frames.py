"""WebSocket client messages to AI hosts: what one message says, decoded whatever its form.

Pure functions, no mitmproxy. mitmproxy hands the WebSocketGuard whole messages:
fragments are joined and per-message deflate is undone before its hook runs. A message
is then text (UTF-8) or binary; binary messages are read as far as they can be:

* compressed (gzip, zlib, zstd by their magic bytes): inflated within the size limit
  (a bomb is stopped one byte past it), then read again;
* text with a byte order mark (UTF-8, UTF-16, UTF-32), UTF-8, or UTF-16 without a mark
  (every other byte zero);
* MessagePack (the msgpack package comes with mitmproxy): one value, or SignalR's
  binary hub protocol (records each prefixed by their varint length);
* anything else (audio, images, protobuf) cannot be read: the message is *unscanned*
  and gets the policy's `unscanned_files` action.

The readers per protocol (extract/copilot_ws.py, extract/openai_realtime.py,
extract/gemini_live.py, and the generic one here) turn the decoded message into a
ClientFrame; extract/ws_registry.py chooses the reader.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, replace
from typing import Literal

import msgpack

from extract.body_decode import BodyTooLarge, decode_body
from extract.json_walk import json_leaves, path_segment, worth_scanning
from extract.model import TextPart
from extract.path import ROOT, Path

# How the gateway answers a blocked message: in the protocol the client speaks.
Protocol = Literal["copilot", "signalr", "openai_realtime", "gemini_live", "json", "opaque"]


@dataclass(frozen=True)
class ClientFrame:
    """What a client→server message carries."""

    protocol: Protocol
    parts: tuple[TextPart, ...]  # e.g. at send.content[0].text
    conversation_id: str | None = None
    invocation_id: str | None = None  # SignalR: the invocation the answer belongs to
    unparsed: bool = False  # not the expected JSON; the whole message is one part
    unscanned: tuple[str, ...] = ()  # locations of content that cannot be read (audio)
    # A prompt (a chat message, a conversation item, session instructions) is recorded
    # even when clean; protocol chatter (options, pings, acks) only when it matters.
    prompt: bool = True
    media: bool = False  # one chunk of a media stream (audio frames, many per second)
    event: str | None = None  # the message kind, e.g. "conversation.item.create", "setup"
    event_id: str | None = None  # the client's id of the event (OpenAI Realtime)


# --- values split across messages -------------------------------------------------------
#
# Over HTTP a client resends the whole conversation, so half an IBAN in one message and
# the rest in the next are one request's adjacent parts (checker/seams.py joins them).
# Over a WebSocket each message travels alone, and the server joins them into one
# conversation. So the end of the connection's last forwarded message goes in front
# of the next message's parts: the scanner's seams then see a value across the two.

EARLIER = ROOT.mark("earlier", "earlier_message")
EARLIER_CHARS = 100  # as many as checker.seams.SEAM keeps of each side of a boundary


def with_earlier(frame: ClientFrame, earlier: str) -> ClientFrame:
    """`frame` with the end of the previous message as its first part."""
    if not earlier or frame.media or not frame.parts:
        return frame
    return replace(frame, parts=(TextPart(EARLIER, earlier), *frame.parts))


def ending(frame: ClientFrame) -> str:
    """What the next message's seam starts from: the end of this message's first own
    part (the prompt text, for every reader that knows its protocol)."""
    own = [part for part in frame.parts if part.path != EARLIER]
    if frame.media or not own:
        return ""
    return own[0].text[-EARLIER_CHARS:]


# A decoded message: text, a MessagePack value, or None (binary that cannot be read).
Decoded = str | dict[str, object] | list[object] | None

MESSAGE = ROOT.mark("message", "")  # a message's JSON root: locations start with its keys
FRAME = ROOT.mark("message", "frame")  # a whole message that is no JSON

_MAX_NESTED_DECODES = 3  # compressed inside compressed is read; deeper is unreadable
_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
_ZLIB_HEADERS = {b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda"}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_message(content: bytes, is_text: bool, limit: int) -> Decoded:
    """The message as text or a MessagePack value; None for binary that cannot be read.

    Raises extract.body_decode.BodyTooLarge when a compressed message inflates past
    `limit` bytes.
    """
    if is_text:
        return content.decode("utf-8", errors="replace")  # mitmproxy re-encodes text
    return _binary(content, limit, 0)


def _binary(data: bytes, limit: int, depth: int) -> Decoded:
    if not data:
        return ""
    coding = _compression(data)
    if coding is not None:
        if depth >= _MAX_NESTED_DECODES:
            return None
        try:
            inflated: bytes | None = decode_body(data, coding, limit)
        except BodyTooLarge:
            raise
        except ValueError:
            inflated = None  # looked compressed, is not: read it as it is
        if inflated is not None:
            return _binary(inflated, limit, depth + 1)
    text = _text(data)
    if text is not None:
        return text
    return _msgpack(data)


def _compression(data: bytes) -> str | None:
    for magic, coding in _COMPRESSED:
        if data.startswith(magic):
            return coding
    if data[:2] in _ZLIB_HEADERS and int.from_bytes(data[:2], "big") % 31 == 0:
        return "deflate"
    return None


def _text(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    if b"\x00" not in data:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return text if _printable(text) else None
    # UTF-16 without a mark: ASCII-range text has a zero in every other byte.
    if len(data) % 2 == 0 and len(data) >= 4:
        for encoding, zeros in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
            if zeros.count(0) >= len(zeros) * 0.3:
                try:
                    text = data.decode(encoding)
                except UnicodeDecodeError:
                    continue
                if _printable(text):
                    return text
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")  # 0x1b ESC, 0x1e SignalR's RS are fine


def _printable(text: str) -> bool:
    """Text rather than bytes that happen to decode: few control characters."""
    return len(_CONTROL.findall(text)) <= max(2, len(text) // 50)


def _msgpack(data: bytes) -> Decoded:
    """One MessagePack value, or SignalR's length-prefixed records; containers only
    (random bytes often decode as a single number)."""
    records = _length_prefixed(data)
    if records is not None:
        values = [_unpack(record) for record in records]
        if values and all(isinstance(v, dict | list) for v in values):
            try:
                return [_plain(v) for v in values]
            except _TooDeep:
                return None
    value = _unpack(data)
    try:
        return _plain(value) if isinstance(value, dict | list) else None  # type: ignore[return-value]
    except _TooDeep:
        return None  # unreadable: unscanned, never silently cut


def _unpack(data: bytes) -> object:
    try:
        # unpackb bounds every length by the buffer's own size: no allocation bombs.
        return msgpack.unpackb(data, raw=False, strict_map_key=False)
    except Exception:  # msgpack raises a family of errors (ExtraData, FormatError, ...)
        return None


def _length_prefixed(data: bytes) -> list[bytes] | None:
    """SignalR's binary framing: each record prefixed by its length as a varint; None
    unless the lengths add up to the message exactly."""
    records: list[bytes] = []
    pos = 0
    while pos < len(data):
        length, shift = 0, 0
        while True:
            if pos >= len(data) or shift > 28:
                return None
            byte = data[pos]
            pos += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if length == 0 or pos + length > len(data):
            return None
        records.append(data[pos : pos + length])
        pos += length
    return records or None


class _TooDeep(ValueError):
    pass


class Binary:
    """Bytes inside a MessagePack value that are no text (audio, an image): unscanned."""

    __slots__ = ()


def _plain(value: object, depth: int = 0) -> object:
    """A MessagePack value as JSON-like data: string keys, bytes as text if they are."""
    if depth > 64:
        raise _TooDeep
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, bytes):
        text = _text(value)
        return Binary() if text is None else text
    if isinstance(value, msgpack.ExtType):
        return Binary()
    return value


def binaries(data: object, root: Path) -> list[str]:
    """Locations of Binary values below root (they reach the server unscanned)."""
    found: list[str] = []
    stack: list[tuple[object, Path]] = [(data, root)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, Binary):
            found.append(str(where) or "frame")
        elif isinstance(value, dict):
            items = enumerate(value.items())
            stack.extend((v, where.then(path_segment(str(k), i))) for i, (k, v) in items)
        elif isinstance(value, list):
            stack.extend((v, where.index(i)) for i, v in enumerate(value))
    return found


# ---- the generic reader ---------------------------------------------------------------

# Socket.IO over Engine.IO: a packet type digit, the Socket.IO type, an optional
# namespace ("/chat,") and ack id, then JSON: 42["event", {...}], 451-["upload", ...].
_SOCKET_IO = re.compile(r"^\d{1,2}(?:-?)(?:/[^,\[{]{0,100},)?\d{0,10}(?=[\[{])")


def parse_json_text(text: str) -> object:
    """The JSON a text message holds (also after a Socket.IO prefix); raises ValueError."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except ValueError:
        prefix = _SOCKET_IO.match(stripped)
        if prefix is None:
            raise
        return json.loads(stripped[prefix.end() :])


def parse_generic(decoded: Decoded) -> ClientFrame | None:
    """Any other message to an AI host: every string leaf of its JSON (or MessagePack),
    else the whole text; None when nothing is worth scanning."""
    if decoded is None:
        return ClientFrame("opaque", (), unscanned=(str(FRAME),), prompt=False)
    if isinstance(decoded, str):
        try:
            data: object = parse_json_text(decoded)
        except (ValueError, RecursionError):
            if not worth_scanning(decoded):
                return None
            return ClientFrame("opaque", (TextPart(FRAME, decoded),), unparsed=True, prompt=False)
    else:
        data = decoded
    parts = leaves(data, MESSAGE, decoded if isinstance(decoded, str) else None)
    unscanned = tuple(binaries(data, MESSAGE))
    if not parts and not unscanned:
        return None
    protocol: Protocol = "json" if isinstance(data, dict) and isinstance(decoded, str) else "opaque"
    return ClientFrame(protocol, tuple(parts), unscanned=unscanned, prompt=False)


def leaves(data: object, root: Path, source: str | None = None) -> list[TextPart]:
    """Every string leaf worth scanning below root; a document nested deeper than the
    JSON walk goes is scanned whole (its `source` text) rather than let through."""
    try:
        return json_leaves(data, root)
    except ValueError:  # ExtractError: nested too deeply
        if source is None:
            try:
                source = json.dumps(data, ensure_ascii=False)
            except (ValueError, RecursionError):
                source = repr(data)
        return [TextPart(root, source)]
