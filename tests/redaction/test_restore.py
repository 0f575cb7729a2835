import json
from collections.abc import Callable
from typing import Any

import pytest

from redaction.memory import PlaceholderMap
from redaction.restore import Table, restore_json_body, restore_text
from redaction.stream import StreamRestorer

PERSON = 'Max "Maxi" Müller\\Jr.'  # a quote and a backslash: JSON escaping matters
IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture
def mapping() -> PlaceholderMap:
    mapping = PlaceholderMap()
    assert mapping.placeholder_for("PERSON", PERSON) == "<PERSON_1>"
    assert mapping.placeholder_for("IBAN_CODE", IBAN) == "<IBAN_1>"
    return mapping


# --- SSE helpers ---------------------------------------------------------------------


def _events(stream: bytes) -> list[tuple[str | None, Any]]:
    """Complete SSE events as (event name, parsed data) — a strict little SSE parser."""
    text = stream.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    events: list[tuple[str | None, Any]] = []
    for block in text.split("\n\n")[:-1]:
        name, data = None, []
        for line in block.split("\n"):
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        if data:
            payload = "\n".join(data)
            events.append((name, payload if payload == "[DONE]" else json.loads(payload)))
    return events


def _chat_text(stream: bytes) -> str:
    return "".join(
        choice["delta"].get("content") or ""
        for _, data in _events(stream)
        if isinstance(data, dict)
        for choice in data.get("choices", [])
    )


def _anthropic_text(stream: bytes) -> str:
    return "".join(
        data["delta"]["text"]
        for _, data in _events(stream)
        if data["type"] == "content_block_delta" and data["delta"]["type"] == "text_delta"
    )


def _responses_text(stream: bytes) -> str:
    return "".join(
        data["delta"]
        for _, data in _events(stream)
        if isinstance(data, dict) and data.get("type") == "response.output_text.delta"
    )


CHAT_DELTAS = [
    "",
    "Überweisung für <PER",
    "SON_1> auf <IB",
    "AN_1",
    ">. Grüße 😀 an <",
    "PERSON_1",
    ">, nicht an <PERSON_7> oder <b>, ",
    "<IBAN_1><PERSON_1> <",
]


def _chat_stream(deltas: list[str], eol: str = "\n") -> bytes:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        event = {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-4o",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }
        return "data: " + json.dumps(event, separators=(",", ":")) + eol + eol

    out = [chunk({"role": "assistant", "content": deltas[0]})]
    out += [chunk({"content": d}) for d in deltas[1:]]
    out.append(": keep-alive" + eol + eol)
    out.append(chunk({}, "stop"))
    out.append("data: [DONE]" + eol + eol)
    return "".join(out).encode("utf-8")


ANTHROPIC_DELTAS = ["Hallo <PERSON_1", ">, deine IBAN <", "IBAN_1> (😀<IBA", "N_1>) <P"]


def _anthropic_stream(deltas: list[str]) -> bytes:
    def event(name: str, data: dict[str, Any]) -> str:
        return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"

    out = [
        event("message_start", {"type": "message_start", "message": {"id": "m", "content": []}}),
        event(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        ),
        event("ping", {"type": "ping"}),
    ]
    for i, text in enumerate(deltas):
        out.append(
            event(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": text},
                },
            )
        )
        if i == 1:
            out.append(event("ping", {"type": "ping"}))
    out.append(event("content_block_stop", {"type": "content_block_stop", "index": 0}))
    out.append(
        event("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}})
    )
    out.append(event("message_stop", {"type": "message_stop"}))
    return "".join(out).encode("utf-8")


def _run(restorer: StreamRestorer, chunks: list[bytes]) -> bytes:
    out: list[bytes] = []
    for chunk in [*chunks, b""]:  # b"": mitmproxy's end of message
        pieces = restorer(chunk)
        # An empty piece would reach a chunked HTTP/1 client as the body's end.
        assert isinstance(pieces, list) and b"" not in pieces
        out += pieces
    return b"".join(out)


def _check_every_split(
    stream: bytes, text_of: Callable[[bytes], str], mapping: PlaceholderMap
) -> None:
    expected = restore_text(text_of(stream), mapping)
    assert PERSON in expected and IBAN in expected
    for offset in range(len(stream) + 1):
        output = _run(StreamRestorer(mapping), [stream[:offset], stream[offset:]])
        assert text_of(output) == expected, offset


def _check_one_byte_chunks(
    stream: bytes, text_of: Callable[[bytes], str], mapping: PlaceholderMap
) -> None:
    """Feed 1 byte at a time; after every byte, only a placeholder-prefix tail is late."""
    restorer = StreamRestorer(mapping)
    longest = restorer.longest_placeholder
    assert longest == len("<PERSON_1>")
    output = b""
    max_held = 0
    for position in range(len(stream)):
        output += restorer.feed(stream[position : position + 1])
        seen = stream[: position + 1]
        complete = seen[: seen.rfind(b"\n\n") + 2] if b"\n\n" in seen else b""
        # the incomplete SSE event (which no client could dispatch yet) is all that is
        # buffered in bytes ...
        assert restorer.buffered_event == len(seen) - len(complete)
        # ... and of the complete events' text, only a placeholder beginning is held
        held = restorer.held_text
        max_held = max(max_held, held)
        assert held < longest
        text_in = text_of(complete)
        assert text_of(output) == restore_text(text_in[: len(text_in) - held], mapping)
        if held:
            tail = text_in[len(text_in) - held :]
            assert tail.startswith("<") and any(
                p.startswith(tail) for p in ("<PERSON_1>", "<IBAN_1>")
            )
    output += restorer.finish()
    assert max_held == longest - 1  # "<PERSON_1" was held at some point
    assert text_of(output) == restore_text(text_of(stream), mapping)


# --- the proof: every split ----------------------------------------------------------


def test_openai_chat_stream_split_at_every_byte(mapping: PlaceholderMap) -> None:
    stream = _chat_stream(CHAT_DELTAS)
    _check_every_split(stream, _chat_text, mapping)
    _check_one_byte_chunks(stream, _chat_text, mapping)
    output = _run(StreamRestorer(mapping), [stream])
    text = _chat_text(output)
    assert text == (
        f"Überweisung für {PERSON} auf {IBAN}. Grüße 😀 an {PERSON}, "
        f"nicht an <PERSON_7> oder <b>, {IBAN}{PERSON} <"
    )
    events = _events(output)
    assert events[-1] == (None, "[DONE]")
    # the held "<" went out in a copy of the last delta, before the finish chunk
    finish = [d for _, d in events if d != "[DONE]" and d["choices"][0]["finish_reason"]]
    assert len(finish) == 1 and events.index((None, finish[0])) == len(events) - 2
    assert events[-3][1]["choices"][0]["delta"] == {"content": "<"}
    assert events[-3][1]["id"] == "chatcmpl-1"


def test_openai_chat_stream_with_crlf(mapping: PlaceholderMap) -> None:
    stream = _chat_stream(CHAT_DELTAS, eol="\r\n")
    expected = restore_text(_chat_text(stream), mapping)
    for offset in range(len(stream) + 1):
        output = _run(StreamRestorer(mapping), [stream[:offset], stream[offset:]])
        assert _chat_text(output) == expected, offset
    one_by_one = _run(StreamRestorer(mapping), [bytes([b]) for b in stream])
    assert _chat_text(one_by_one) == expected


def test_anthropic_stream_split_at_every_byte(mapping: PlaceholderMap) -> None:
    stream = _anthropic_stream(ANTHROPIC_DELTAS)
    _check_every_split(stream, _anthropic_text, mapping)
    _check_one_byte_chunks(stream, _anthropic_text, mapping)
    output = _run(StreamRestorer(mapping), [stream])
    assert _anthropic_text(output) == f"Hallo {PERSON}, deine IBAN {IBAN} (😀{IBAN}) <P"
    names = [name for name, _ in _events(output)]
    # the held "<P" is emitted as an extra content_block_delta before content_block_stop
    assert names[-4:] == [
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert _events(output)[-4][1]["delta"] == {"type": "text_delta", "text": "<P"}


def test_events_without_placeholders_pass_through_byte_for_byte(mapping: PlaceholderMap) -> None:
    stream = _anthropic_stream(["Hallo ", "Welt <b>", " 1 < 2"])
    assert _run(StreamRestorer(mapping), [stream]) == stream
    restorer = StreamRestorer(mapping)
    first = restorer.feed(stream[:200])
    assert first == stream[: stream[:200].rfind(b"\n\n") + 2]


def test_responses_stream_and_done_events(mapping: PlaceholderMap) -> None:
    def event(data: dict[str, Any]) -> str:
        return f"event: {data['type']}\ndata: {json.dumps(data)}\n\n"

    deltas = ["Konto <IB", "AN_1> von <PERSON_1", ">."]
    common = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
    stream = "".join(
        [event({"type": "response.created", "sequence_number": 0, "response": {"id": "r"}})]
        + [
            event(
                {
                    "type": "response.output_text.delta",
                    "sequence_number": i + 1,
                    **common,
                    "delta": d,
                }
            )
            for i, d in enumerate(deltas)
        ]
        + [
            event(
                {
                    "type": "response.output_text.done",
                    "sequence_number": 9,
                    **common,
                    "text": "".join(deltas),
                }
            ),
            event(
                {
                    "type": "response.function_call_arguments.delta",
                    "sequence_number": 10,
                    "item_id": "fc_1",
                    "output_index": 1,
                    "delta": '{"name":"<PERS',
                }
            ),
            event(
                {
                    "type": "response.function_call_arguments.delta",
                    "sequence_number": 11,
                    "item_id": "fc_1",
                    "output_index": 1,
                    "delta": 'ON_1>"}',
                }
            ),
        ]
    ).encode()
    expected = f"Konto {IBAN} von {PERSON}."
    for offset in range(len(stream) + 1):
        output = _run(StreamRestorer(mapping), [stream[:offset], stream[offset:]])
        assert _responses_text(output) == expected
    events = [data for _, data in _events(output)]
    done = next(e for e in events if e["type"] == "response.output_text.done")
    assert done["text"] == expected
    arguments = "".join(
        e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta"
    )
    assert json.loads(arguments) == {"name": PERSON}  # escaped inside the arguments JSON


def test_chat_tool_call_arguments_are_restored_json_escaped(mapping: PlaceholderMap) -> None:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        event = {
            "id": "c",
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return b"data: " + json.dumps(event).encode() + b"\n\n"

    def call(arguments: str) -> dict[str, Any]:
        return {"tool_calls": [{"index": 0, "function": {"arguments": arguments}}]}

    stream = (
        chunk(call('{"to": "<PER'))
        + chunk(call('SON_1>", "iban": "<IBAN_1>"}'))
        + chunk({}, "tool_calls")
        + b"data: [DONE]\n\n"
    )
    output = _run(StreamRestorer(mapping), [bytes([b]) for b in stream])
    arguments = "".join(
        choice["delta"]["tool_calls"][0]["function"]["arguments"]
        for _, data in _events(output)
        if data != "[DONE]"
        for choice in data["choices"]
        if "tool_calls" in choice["delta"]
    )
    assert json.loads(arguments) == {"to": PERSON, "iban": IBAN}


def test_anthropic_thinking_is_never_changed(mapping: PlaceholderMap) -> None:
    data = {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "thinking_delta", "thinking": "<PERSON_1>"},
    }
    stream = b"event: content_block_delta\ndata: " + json.dumps(data).encode() + b"\n\n"
    assert _run(StreamRestorer(mapping), [stream]) == stream


# --- byte level ----------------------------------------------------------------------


def test_byte_level_split_at_every_offset_holds_only_a_prefix(mapping: PlaceholderMap) -> None:
    stream = "Grüße <PERSON_1>, IBAN <IBAN_1> 😀 <PERSON_9> <b> <IBAN_1".encode()
    escaped = json.dumps(PERSON, ensure_ascii=False)[1:-1]
    expected = f"Grüße {escaped}, IBAN {IBAN} 😀 <PERSON_9> <b> <IBAN_1".encode()
    for offset in range(len(stream) + 1):
        restorer = StreamRestorer(mapping, sse=False)
        out = restorer.feed(stream[:offset])
        assert restorer.held_bytes < restorer.longest_placeholder
        out += restorer.feed(stream[offset:]) + restorer.finish()
        assert out == expected, offset
    restorer = StreamRestorer(mapping, sse=False)
    out = b""
    for position in range(len(stream)):
        out += restorer.feed(stream[position : position + 1])
        assert restorer.held_bytes < restorer.longest_placeholder
        # everything but the held tail is out, restored
        sent = stream[: position + 1 - restorer.held_bytes]
        assert out == Table(mapping).data(sent)
    assert out + restorer.finish() == expected


def test_oversize_event_falls_back_to_byte_level(mapping: PlaceholderMap) -> None:
    big = json.dumps({"type": "x", "text": "a" * 200 + " <PERSON_1>"}).encode()
    stream = b"data: " + big + b"\n\n"
    restorer = StreamRestorer(mapping, max_event_bytes=64)
    out = b"".join(restorer.feed(stream[i : i + 16]) for i in range(0, len(stream), 16))
    out += restorer.finish()
    assert restorer.buffered_event == 0
    assert json.loads(out[len(b"data: ") :])["text"] == "a" * 200 + " " + PERSON


def test_empty_mapping_passes_everything_through() -> None:
    restorer = StreamRestorer(PlaceholderMap())
    assert restorer.feed(b"data: <PER") == b"data: <PER"
    assert restorer(b"") == []


# --- whole bodies --------------------------------------------------------------------


def test_restore_text(mapping: PlaceholderMap) -> None:
    assert restore_text("An <PERSON_1> (<IBAN_1>), nicht <PERSON_2>", mapping) == (
        f"An {PERSON} ({IBAN}), nicht <PERSON_2>"
    )
    assert restore_text("<PERSON_1>", {"<PERSON_1>": "X"}) == "X"


def test_restore_json_body(mapping: PlaceholderMap) -> None:
    body = json.dumps(
        {
            "id": "chatcmpl-1",
            "choices": [
                {
                    "message": {
                        "role": "assistant",
                        "content": "Hallo <PERSON_1>, IBAN <IBAN_1>.",
                        "tool_calls": [
                            {"function": {"name": "pay", "arguments": '{"to": "<PERSON_1>"}'}}
                        ],
                    }
                }
            ],
        }
    ).encode()
    restored = json.loads(restore_json_body(body, mapping))
    message = restored["choices"][0]["message"]
    assert message["content"] == f"Hallo {PERSON}, IBAN {IBAN}."
    assert json.loads(message["tool_calls"][0]["function"]["arguments"]) == {"to": PERSON}

    anthropic = json.dumps(
        {
            "content": [
                {"type": "thinking", "thinking": "<PERSON_1>", "signature": "sig<IBAN_1>"},
                {"type": "text", "text": "<PERSON_1>"},
                {"type": "tool_use", "input": {"name": "<PERSON_1>"}},
            ]
        }
    ).encode()
    content = json.loads(restore_json_body(anthropic, mapping))["content"]
    assert content[0] == {"type": "thinking", "thinking": "<PERSON_1>", "signature": "sig<IBAN_1>"}
    assert content[1]["text"] == PERSON and content[2]["input"] == {"name": PERSON}


def test_restore_json_body_leaves_other_bodies_alone(mapping: PlaceholderMap) -> None:
    body = b'{"a": "no placeholders <PERSON_5>",  "b": 1.0}'
    assert restore_json_body(body, mapping) is body
    escaped = json.dumps(PERSON, ensure_ascii=False)[1:-1].encode()
    assert restore_json_body(b"<html><PERSON_1></html>", mapping) == (
        b"<html>" + escaped + b"</html>"
    )
