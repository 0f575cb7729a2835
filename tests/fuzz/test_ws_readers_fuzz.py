"""read_message (every WebSocket reader) never raises on any message: a ClientFrame with
non-blank parts or unscanned content, or None; only a compressed message that inflates
past the limit raises BodyTooLarge."""

from __future__ import annotations

import gzip
import json

import msgpack
from hypothesis import assume, given
from hypothesis import strategies as st

from extract.body_decode import BodyTooLarge
from extract.ws_frames import ClientFrame
from extract.ws_registry import READERS, read_message
from tests.fuzz.support import budget, json_values, mutated_bytes, tick

APIS = sorted(READERS)
EVENTS = [
    {"type": "conversation.item.create", "item": {"content": [{"text": "Erika"}]}},
    {"type": "session.update", "session": {"instructions": "Erika", "tools": [{}]}},
    {"type": "input_audio_buffer.append", "audio": "AAAA"},
    {"setup": {"systemInstruction": {"parts": [{"text": "Erika"}]}}},
    {"clientContent": {"turns": [{"parts": [{"text": "Erika"}]}]}},
    {"realtimeInput": {"audio": {"mimeType": "audio/pcm", "data": "AAAA"}, "text": "Erika"}},
    {"toolResponse": {"functionResponses": [{"response": {"a": "Erika"}}]}},
    {"event": "send", "content": [{"type": "text", "text": "Erika"}]},
]
KEYS = st.sampled_from(
    [
        "type",
        "item",
        "content",
        "text",
        "session",
        "setup",
        "clientContent",
        "turns",
        "parts",
        "realtimeInput",
        "audio",
        "data",
        "mimeType",
        "toolResponse",
        "response",
        "event",
    ]
)


def check(api: str, content: bytes, is_text: bool) -> None:
    try:
        frame = read_message(api, content, is_text, 1 << 20)
    except BodyTooLarge:
        return
    if frame is None:
        return
    assert isinstance(frame, ClientFrame)
    assert frame.parts or frame.unscanned
    for part in frame.parts:
        assert isinstance(part.location, str) and part.text.strip()


@st.composite
def messages(draw: st.DrawFn) -> tuple[str, bytes, bool]:
    api = draw(st.sampled_from(APIS))
    base = draw(st.sampled_from(EVENTS))
    obj = {**base, **draw(st.dictionaries(KEYS, json_values(10), max_size=3))}
    form = draw(st.sampled_from(["text", "binary", "gzip", "utf16", "msgpack", "mutated"]))
    raw = json.dumps(obj, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if form == "text":
        return api, raw, True
    if form == "binary":
        return api, raw, False
    if form == "gzip":
        return api, gzip.compress(raw), False
    if form == "utf16":
        return api, json.dumps(obj).encode("utf-16"), False
    if form == "msgpack":
        try:
            return api, msgpack.packb(obj), False
        except (OverflowError, ValueError):  # integers beyond 64 bits: no MessagePack
            assume(False)
    return api, draw(mutated_bytes(raw)), draw(st.booleans())


@budget(3)
@given(message=messages())
def test_structured_messages(message: tuple[str, bytes, bool]) -> None:
    tick()
    check(*message)


@budget(2)
@given(api=st.sampled_from(APIS), content=st.binary(max_size=300), is_text=st.booleans())
def test_random_messages(api: str, content: bytes, is_text: bool) -> None:
    tick()
    check(api, content, is_text)


def test_deep_messages_are_scanned_whole() -> None:
    for api in APIS:
        tick()
        deep = '{"a": ' + "[" * 5000 + '"Erika"' + "]" * 5000 + "}"
        frame = read_message(api, deep.encode(), True, 1 << 20)
        assert frame is not None and any("Erika" in p.text for p in frame.parts)
