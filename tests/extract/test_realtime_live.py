"""OpenAI Realtime (extract/openai_realtime.py) and Gemini Live (extract/gemini_live.py)
client messages: the prompt with its location, audio and images unscanned, everything else
scanned as well. Realtime events are built and validated with the official SDK's models,
so the field names are the SDK's."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openai.types.realtime import (
    ConversationItemCreateEvent,
    InputAudioBufferAppendEvent,
    ResponseCreateEvent,
    SessionUpdateEvent,
)
from openai.types.realtime.realtime_client_event import RealtimeClientEvent
from pydantic import BaseModel, TypeAdapter

from extract import gemini_live, openai_realtime
from extract.ws_frames import ClientFrame

IBAN = "DE89 3704 0044 0532 0130 00"
AUDIO = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA="
PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"


def realtime(model: type[BaseModel], event: dict[str, Any]) -> ClientFrame:
    validated = model.model_validate(event)  # the SDK accepts it as this event
    TypeAdapter(RealtimeClientEvent).validate_python(event)
    frame = openai_realtime.read(json.dumps(validated.model_dump(exclude_unset=True)))
    assert frame is not None and frame.protocol == "openai_realtime"
    return frame


def pairs(frame: ClientFrame) -> dict[str, str]:
    return {p.location: p.text for p in frame.parts}


def test_conversation_item_with_text_audio_and_image() -> None:
    frame = realtime(
        ConversationItemCreateEvent,
        {
            "type": "conversation.item.create",
            "event_id": "evt_1",
            "item": {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": f"Meine IBAN ist {IBAN}"},
                    {"type": "input_audio", "audio": AUDIO, "transcript": "Erika Mustermann"},
                    {"type": "input_image", "image_url": PNG},
                ],
            },
        },
    )
    found = pairs(frame)
    assert found["conversation.item.create.item.content[0].text"] == f"Meine IBAN ist {IBAN}"
    assert found["conversation.item.create.item.content[1].transcript"] == "Erika Mustermann"
    assert frame.unscanned == (
        "conversation.item.create.item.content[1].audio",
        "conversation.item.create.item.content[2].image_url",
    )
    assert not any(AUDIO in t or PNG in t for t in found.values())
    assert frame.prompt and not frame.media and frame.event_id == "evt_1"
    assert frame.event == "conversation.item.create"


def test_function_call_output_and_arguments() -> None:
    output = realtime(
        ConversationItemCreateEvent,
        {
            "type": "conversation.item.create",
            "item": {"type": "function_call_output", "call_id": "c1", "output": f"IBAN {IBAN}"},
        },
    )
    assert pairs(output)["conversation.item.create.item.output"] == f"IBAN {IBAN}"
    call = realtime(
        ConversationItemCreateEvent,
        {
            "type": "conversation.item.create",
            "item": {
                "type": "function_call",
                "call_id": "c1",
                "name": "pay",
                "arguments": json.dumps({"iban": IBAN}),
            },
        },
    )
    assert IBAN in pairs(call)["conversation.item.create.item.arguments"]


def test_session_update_instructions_and_tools() -> None:
    frame = realtime(
        SessionUpdateEvent,
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "instructions": f"Kunde Erika, IBAN {IBAN}",
                "tools": [
                    {
                        "type": "function",
                        "name": "lookup",
                        "description": "Sucht Max Mustermann",
                        "parameters": {
                            "type": "object",
                            "properties": {"q": {"description": "Wer"}},
                        },
                    }
                ],
            },
        },
    )
    found = pairs(frame)
    assert found["session.update.session.instructions"] == f"Kunde Erika, IBAN {IBAN}"
    assert found["session.update.session.tools[0].description"] == "Sucht Max Mustermann"
    assert found["session.update.session.tools[0].parameters.properties.q.description"] == "Wer"
    assert frame.prompt


def test_response_create_instructions_input_and_metadata() -> None:
    frame = realtime(
        ResponseCreateEvent,
        {
            "type": "response.create",
            "response": {
                "instructions": "Antworte knapp",
                "metadata": {"ticket": "erika@example.com"},
                "input": [
                    {
                        "type": "message",
                        "role": "user",
                        "content": [{"type": "input_text", "text": f"IBAN {IBAN}"}],
                    }
                ],
            },
        },
    )
    found = pairs(frame)
    assert found["response.create.response.instructions"] == "Antworte knapp"
    assert found["response.create.response.input[0].content[0].text"] == f"IBAN {IBAN}"
    assert found["response.create.response.metadata.ticket"] == "erika@example.com"


def test_audio_append_is_a_media_chunk_with_unscanned_audio() -> None:
    frame = realtime(
        InputAudioBufferAppendEvent,
        {"type": "input_audio_buffer.append", "audio": AUDIO, "event_id": "e2"},
    )
    assert frame.media and not frame.prompt
    assert frame.unscanned == ("input_audio_buffer.append.audio",)
    assert not any(AUDIO in p.text for p in frame.parts)


@pytest.mark.parametrize(
    "message",
    [
        {"type": "conversation.item.create", "item": {"type": "message", "note": f"IBAN {IBAN}"}},
        {"type": "future.event", "payload": {"text": f"IBAN {IBAN}"}},
        [{"type": "conversation.item.create", "text": f"IBAN {IBAN}"}],
        f"IBAN {IBAN}",
    ],
)
def test_unknown_events_and_shapes_are_scanned_generically(message: object) -> None:
    text = message if isinstance(message, str) else json.dumps(message)
    frame = openai_realtime.read(text)
    assert frame is not None and frame.protocol == "openai_realtime"
    assert any(IBAN in p.text for p in frame.parts)


def test_unknown_event_names_never_appear_in_locations() -> None:
    frame = openai_realtime.read(json.dumps({"type": f"x.{IBAN}", "a": "b c"}))
    assert frame is not None and all(IBAN not in p.location for p in frame.parts)


# ---- Gemini Live ------------------------------------------------------------------


def live(message: object) -> ClientFrame:
    frame = gemini_live.read(json.dumps(message))
    assert frame is not None and frame.protocol == "gemini_live"
    return frame


def test_live_setup_system_instruction_and_tools() -> None:
    frame = live(
        {
            "setup": {
                "model": "models/gemini-live-2.5-flash",
                "systemInstruction": {"parts": [{"text": f"Kunde Erika, IBAN {IBAN}"}]},
                "tools": [{"functionDeclarations": [{"name": "f", "description": "Ruft Max an"}]}],
            }
        }
    )
    found = pairs(frame)
    assert found["setup.systemInstruction.parts[0].text"] == f"Kunde Erika, IBAN {IBAN}"
    assert found["setup.tools[0].functionDeclarations[0].description"] == "Ruft Max an"
    assert frame.event == "setup" and frame.prompt


@pytest.mark.parametrize(
    ("message", "location"),
    [
        (
            {"clientContent": {"turns": [{"role": "user", "parts": [{"text": IBAN}]}]}},
            "clientContent.turns[0].parts[0].text",
        ),
        (
            {"client_content": {"turns": [{"role": "user", "parts": [{"text": IBAN}]}]}},
            "client_content.turns[0].parts[0].text",
        ),
        ({"realtimeInput": {"text": IBAN}}, "realtimeInput.text"),
        (
            {"toolResponse": {"functionResponses": [{"id": "1", "response": {"r": IBAN}}]}},
            "toolResponse.functionResponses[0].response",
        ),
        (
            {"setup": {"system_instruction": {"parts": [{"text": IBAN}]}}},
            "setup.system_instruction.parts[0].text",
        ),
    ],
)
def test_live_messages_camel_and_snake_case(message: dict[str, Any], location: str) -> None:
    frame = live(message)
    assert IBAN in pairs(frame)[location] and frame.prompt and not frame.media


def test_live_audio_and_video_are_media_chunks_unscanned() -> None:
    frame = live(
        {
            "realtimeInput": {
                "audio": {"mimeType": "audio/pcm;rate=16000", "data": AUDIO},
                "mediaChunks": [{"mimeType": "image/jpeg", "data": AUDIO}],
            }
        }
    )
    assert frame.media and not frame.prompt
    assert frame.unscanned == ("realtimeInput.audio.data", "realtimeInput.mediaChunks[0].data")


def test_live_inline_document_is_read_as_a_file() -> None:
    import base64

    data = base64.b64encode(f"Kontoinhaber Erika, IBAN {IBAN}".encode()).decode()
    part = {"inlineData": {"mimeType": "text/plain", "data": data}}
    frame = live({"clientContent": {"turns": [{"role": "user", "parts": [part]}]}})
    assert any(IBAN in p.text for p in frame.parts)


def test_live_unknown_fields_are_scanned() -> None:
    frame = live({"setup": {"model": "m", "futureField": {"note": f"IBAN {IBAN}"}}})
    assert pairs(frame)["setup.futureField.note"] == f"IBAN {IBAN}"
