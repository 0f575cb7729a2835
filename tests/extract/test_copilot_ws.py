"""Copilot WebSocket frames: prompt extraction (no mitmproxy)."""

from __future__ import annotations

import json

from extract.copilot_ws import (
    RS,
    ClientFrame,
    guess_protocol,
    parse_client_frame,
)


def pairs(frame: ClientFrame | None) -> tuple[tuple[str, str], ...]:
    assert frame is not None
    return tuple((part.location, part.text) for part in frame.parts)


# Reconstructed fixture frames (see the module docstring).
SEND = {
    "event": "send",
    "conversationId": "conv-1",
    "content": [{"type": "text", "text": "Wie funktioniert eine Wärmepumpe?"}],
    "mode": "chat",
    "context": {},
}
SET_OPTIONS = {"event": "setOptions", "supportedCards": ["weather"], "ads": None}
SIGNALR_CHAT = {
    "arguments": [
        {
            "source": "cib",
            "optionsSets": ["nlu_direct_response_filter"],
            "isStartOfSession": True,
            "message": {
                "author": "user",
                "inputMethod": "Keyboard",
                "text": "Fasse das Dokument zusammen",
                "messageType": "Chat",
            },
            "previousMessages": [
                {"author": "user", "description": "Seiteninhalt", "contextType": "WebPage"}
            ],
            "conversationId": "conv-2",
        }
    ],
    "invocationId": "3",
    "target": "chat",
    "type": 4,
}


def frame(obj: object) -> str:
    return json.dumps(obj)


def record(obj: object) -> str:
    return json.dumps(obj) + RS


def test_consumer_send_frame_gives_its_text_parts() -> None:
    parsed = parse_client_frame(frame(SEND))
    assert parsed is not None
    assert parsed.protocol == "copilot" and parsed.conversation_id == "conv-1"
    assert parsed.prompt and not parsed.unparsed
    # the prompt first, then every other string the event sends (ids, mode, item types)
    assert pairs(parsed) == (
        ("send.content[0].text", "Wie funktioniert eine Wärmepumpe?"),
        ("send.conversationId", "conv-1"),
        ("send.content[0].type", "text"),
        ("send.mode", "chat"),
    )


def test_consumer_send_scans_every_text_item_and_the_context() -> None:
    send = {
        **SEND,
        "content": [
            {"type": "text", "text": "eins"},
            {"type": "image", "url": "https://x/y.png", "caption": "zwei"},
            "drei",
        ],
        "context": {"edge": {"pageContent": "vier"}},
    }
    parsed = parse_client_frame(frame(send).encode())  # bytes work too
    assert parsed is not None
    assert [part.text for part in parsed.parts][:4] == ["eins", "zwei", "drei", "vier"]
    assert parsed.parts[3].location == "send.context.edge.pageContent"
    assert ("send.content[1].url", "https://x/y.png") in pairs(parsed)  # scanned as the rest


def test_consumer_send_with_unknown_shape_scans_string_leaves() -> None:
    parsed = parse_client_frame(frame({"event": "send", "message": {"body": "geheim"}}))
    assert parsed is not None and pairs(parsed) == (("send.message.body", "geheim"),)


def test_frames_without_a_prompt_are_scanned_as_chatter() -> None:
    options = parse_client_frame(frame(SET_OPTIONS))
    assert options is not None and not options.prompt
    assert pairs(options) == (("event", "setOptions"), ("supportedCards[0]", "weather"))
    blank = parse_client_frame(frame({**SEND, "content": [{"type": "text", "text": " "}]}))
    assert blank is not None and not blank.prompt
    assert ("send.conversationId", "conv-1") in pairs(blank)
    handshake = parse_client_frame(record({"protocol": "json", "version": 1}))
    assert handshake is not None and not handshake.prompt
    assert parse_client_frame(record({"type": 6})) is None  # nothing worth scanning
    assert parse_client_frame("") is None


def test_other_events_with_personal_data_are_scanned() -> None:
    parsed = parse_client_frame(frame({"event": "setOptions", "note": "IBAN DE89 3704"}))
    assert parsed is not None and ("note", "IBAN DE89 3704") in pairs(parsed)


def test_a_batch_of_events_in_an_array_is_read_like_single_events() -> None:
    parsed = parse_client_frame(json.dumps([SET_OPTIONS, SEND]))
    assert parsed is not None and parsed.prompt and parsed.conversation_id == "conv-1"
    assert ("send.content[0].text", "Wie funktioniert eine Wärmepumpe?") in pairs(parsed)


def test_non_json_text_is_scanned_whole() -> None:
    parsed = parse_client_frame("hallo DE89 3704")
    assert parsed is not None and parsed.unparsed
    assert pairs(parsed) == (("frame", "hallo DE89 3704"),)


def test_signalr_chat_invocation() -> None:
    parsed = parse_client_frame(record({"type": 6}) + record(SIGNALR_CHAT))
    assert parsed is not None
    assert parsed.protocol == "signalr"
    assert parsed.invocation_id == "3" and parsed.conversation_id == "conv-2"
    assert parsed.prompt
    assert pairs(parsed)[:2] == (
        ("chat.arguments[0].message.text", "Fasse das Dokument zusammen"),
        ("chat.arguments[0].previousMessages[0].description", "Seiteninhalt"),
    )
    assert ("chat.arguments[0].source", "cib") in pairs(parsed)  # the rest, scanned too
    assert ("chat.target", "chat") in pairs(parsed)


def test_signalr_without_separator_and_broken_records() -> None:
    parsed = parse_client_frame(frame(SIGNALR_CHAT))
    assert parsed is not None and parsed.protocol == "signalr"
    broken = parse_client_frame("{not json" + RS)
    assert broken is not None and pairs(broken) == (("record[0]", "{not json"),)


def test_guess_protocol() -> None:
    assert guess_protocol(record({"type": 6})) == "signalr"
    assert guess_protocol(frame(SEND)) == "copilot"
