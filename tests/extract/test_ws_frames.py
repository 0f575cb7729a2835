"""WebSocket messages (extract/ws_frames.py, extract/ws_registry.py): binary messages decoded
whatever their form, the generic reader, which reader a connection gets."""

from __future__ import annotations

import codecs
import gzip
import json
import random
import zlib

import msgpack
import pytest
import zstandard

from extract.body_decode import BodyTooLarge
from extract.ws_frames import decode_message, parse_generic
from extract.ws_registry import read_message, ws_api

IBAN = "DE89 3704 0044 0532 0130 00"
EVENT = {"event": "send", "content": [{"type": "text", "text": f"IBAN {IBAN}"}]}
TEXT = json.dumps(EVENT, ensure_ascii=False)
LIMIT = 1024 * 1024


FORMS = [
    ("utf-8", TEXT.encode()),
    ("utf-8 with BOM", codecs.BOM_UTF8 + TEXT.encode()),
    ("utf-16 LE with BOM", TEXT.encode("utf-16")),
    ("utf-16 BE with BOM", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be")),
    ("utf-16 LE, no BOM", TEXT.encode("utf-16-le")),
    ("utf-16 BE, no BOM", TEXT.encode("utf-16-be")),
    ("utf-32 with BOM", TEXT.encode("utf-32")),
    ("gzip", gzip.compress(TEXT.encode(), mtime=0)),
    ("zlib", zlib.compress(TEXT.encode())),
    ("zstd", zstandard.ZstdCompressor().compress(TEXT.encode())),
    ("gzip of utf-16", gzip.compress(TEXT.encode("utf-16"), mtime=0)),
]


@pytest.mark.parametrize(("name", "content"), FORMS, ids=[name for name, _ in FORMS])
def test_binary_messages_are_decoded_to_their_text(name: str, content: bytes) -> None:
    assert decode_message(content, False, LIMIT) == TEXT, name


def test_text_messages_are_utf8() -> None:
    assert decode_message(TEXT.encode(), True, LIMIT) == TEXT


def test_messagepack_values_and_signalr_binary_records() -> None:
    assert decode_message(msgpack.packb(EVENT), False, LIMIT) == EVENT
    invocation = [1, {}, "7", "chat", [{"message": {"text": f"IBAN {IBAN}"}}]]
    record = msgpack.packb(invocation)
    framed = bytes([len(record)]) + record  # SignalR: varint length, then the record
    assert decode_message(framed + framed, False, LIMIT) == [invocation, invocation]


@pytest.mark.parametrize(
    "content",
    [
        random.Random(19).randbytes(2048),  # noise, e.g. encrypted or audio
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"\x1f\x8b\x08 not really gzip",
        msgpack.packb(12345),  # a lone number is no message
    ],
    ids=["noise", "png", "not-gzip", "msgpack-number"],
)
def test_unreadable_binary_is_none(content: bytes) -> None:
    decoded = decode_message(content, False, LIMIT)
    assert decoded is None or (isinstance(decoded, str) and IBAN not in decoded)
    if decoded is None:
        frame = parse_generic(decoded)
        assert frame is not None and frame.unscanned == ("frame",) and frame.parts == ()


def test_a_compression_bomb_stops_at_the_limit() -> None:
    bomb = gzip.compress(b"A" * (5 * LIMIT))
    assert len(bomb) < LIMIT
    with pytest.raises(BodyTooLarge):
        decode_message(bomb, False, LIMIT)


def test_generic_reader_takes_every_string_leaf_and_socket_io_packets() -> None:
    frame = parse_generic(json.dumps({"a": {"b": [f"IBAN {IBAN}", 5]}, "c": "x"}))
    assert frame is not None and frame.protocol == "json" and not frame.prompt
    assert [(p.location, p.text) for p in frame.parts] == [("a.b[0]", f"IBAN {IBAN}")]
    io = parse_generic('42["perplexity_ask", {"query_str": "IBAN ' + IBAN + '"}]')
    assert io is not None and io.protocol == "opaque"
    assert ("[1].query_str", f"IBAN {IBAN}") in [(p.location, p.text) for p in io.parts]
    assert parse_generic("2") is None  # an Engine.IO ping: nothing worth scanning
    raw = parse_generic(f"Bitte überweisen: {IBAN}")
    assert raw is not None and raw.unparsed and raw.parts[0].text.endswith(IBAN)


def test_generic_reader_scans_too_deep_json_whole() -> None:
    deep = "[" * 200 + json.dumps(f"IBAN {IBAN}") + "]" * 200
    frame = parse_generic(deep)
    assert frame is not None and any(IBAN in p.text for p in frame.parts)


def test_binary_inside_messagepack_is_unscanned_text_inside_is_read() -> None:
    value = {"audio": random.Random(7).randbytes(64), "note": f"IBAN {IBAN}".encode(), "n": 1}
    frame = parse_generic(decode_message(msgpack.packb(value), False, LIMIT))
    assert frame is not None
    assert [(p.location, p.text) for p in frame.parts] == [("note", f"IBAN {IBAN}")]
    assert frame.unscanned == ("audio",)


@pytest.mark.parametrize(
    ("extractor", "path", "api"),
    [
        ("copilot-ws", "/c/api/chat?api-version=2", "copilot_ws"),
        ("openai", "/v1/realtime?model=gpt-realtime", "openai_realtime"),
        (
            "openai",
            "/openai/realtime?api-version=2025-04-01-preview&deployment=rt",
            "openai_realtime",
        ),
        ("openai", "/openai/v1/realtime?model=gpt-realtime", "openai_realtime"),
        ("generic", "/openai/realtime?deployment=rt", "openai_realtime"),  # Azure AI Foundry
        ("openai", "//v1/realtime/", "openai_realtime"),
        (
            "gemini",
            "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=k",
            "gemini_live",
        ),
        (
            "gemini",
            "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained",
            "gemini_live",
        ),
        (
            "gemini",
            "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent",
            "gemini_live",
        ),
        ("chatgpt-web", "/backend-api/ws", "websocket"),
        ("openai", "/v1/realtime-logs", "websocket"),
    ],
)
def test_reader_per_extractor_and_path(extractor: str, path: str, api: str) -> None:
    assert ws_api(extractor, path) == api


def test_read_message_dispatches_to_the_reader() -> None:
    frame = read_message("copilot_ws", gzip.compress(TEXT.encode()), False, LIMIT)
    assert frame is not None and frame.protocol == "copilot" and frame.prompt
    assert frame.parts[0].text == f"IBAN {IBAN}"


def test_the_end_of_a_message_goes_in_front_of_the_next() -> None:
    from extract.model import TextPart
    from extract.path import ROOT
    from extract.ws_frames import EARLIER, EARLIER_CHARS, ClientFrame, ending, with_earlier

    text = "x" * 500 + "Konto DE89 3704 0044"
    frame = ClientFrame("json", (TextPart(ROOT.key("text"), text), TextPart(ROOT.key("id"), "1")))
    tail = ending(frame)
    assert tail == text[-EARLIER_CHARS:]
    joined = with_earlier(frame, tail)
    assert joined.parts[0] == TextPart(EARLIER, tail) and joined.parts[1:] == frame.parts
    assert ending(joined) == tail  # the earlier part is never its own message's end
    media = ClientFrame("json", frame.parts, media=True)
    assert with_earlier(media, tail) is media and ending(media) == ""
