"""Block answers on WebSockets (answers/ws_answers.py), in each protocol's own shape."""

from __future__ import annotations

import json

from openai.types.realtime import RealtimeErrorEvent
from openai.types.realtime.realtime_server_event import RealtimeServerEvent
from pydantic import TypeAdapter

from answers.copilot_ws import answer_text, is_completion
from answers.ws_answers import CODE, block_messages
from extract.ws_frames import ClientFrame

MESSAGE = "Leitplanke: nicht gesendet – IBAN gefunden."


def texts(protocol: str, frame: ClientFrame | None = None) -> list[str]:
    out = block_messages(protocol, MESSAGE, frame)  # type: ignore[arg-type]
    assert all(is_text for _, is_text in out)
    return [data.decode() for data, _ in out]


def test_realtime_gets_an_error_event_the_sdk_parses() -> None:
    frame = ClientFrame("openai_realtime", (), event_id="evt_client_1")
    (text,) = texts("openai_realtime", frame)
    event = TypeAdapter(RealtimeServerEvent).validate_json(text)
    assert isinstance(event, RealtimeErrorEvent)
    assert event.error.message == MESSAGE and event.error.code == CODE
    assert event.error.type == "invalid_request_error"
    assert event.error.event_id == "evt_client_1"
    assert event.event_id.startswith("event_leitplanke_")


def test_gemini_live_gets_one_complete_model_turn() -> None:
    (text,) = texts("gemini_live")
    content = json.loads(text)["serverContent"]
    assert content["modelTurn"] == {"role": "model", "parts": [{"text": MESSAGE}]}
    assert content["outputTranscription"] == {"text": MESSAGE}
    assert content["turnComplete"] is True


def test_copilot_protocols_get_their_frames() -> None:
    frame = ClientFrame("signalr", (), conversation_id="c", invocation_id="9")
    frames = texts("signalr", frame)
    assert answer_text(frames) == MESSAGE and is_completion(frames[-1])
    assert '"invocationId": "9"' in frames[-1]
    assert answer_text(texts("copilot")) == MESSAGE


def test_json_gets_an_openai_style_error_and_opaque_gets_nothing() -> None:
    (text,) = texts("json")
    assert json.loads(text) == {
        "error": {"message": MESSAGE, "type": "policy_violation", "code": CODE}
    }
    assert block_messages("opaque", MESSAGE, None) == []
