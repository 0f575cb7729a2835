"""WebSocketGuard for every WebSocket to an AI host: OpenAI Realtime, Gemini Live, generic
JSON and binary messages; media streams, oversize and unreadable messages, a blocked
Gemini setup, a bug of ours (mitmproxy's test helpers and a real checker)."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from mitmproxy import http
from openai.types.realtime import RealtimeErrorEvent
from openai.types.realtime.realtime_server_event import RealtimeServerEvent
from pydantic import TypeAdapter

from tests.proxy_addon.test_websocket_guard import Harness, running, ws_flow

IBAN = "DE89 3704 0044 0532 0130 00"
CLEAN = "Wie funktioniert eine Wärmepumpe?"
AUDIO = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA="
REALTIME = ("api.openai.com", "/v1/realtime?model=gpt-realtime")
LIVE = (
    "generativelanguage.googleapis.com",
    "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent",
)


def flow(host: str, path: str) -> http.HTTPFlow:
    f = ws_flow(host)
    f.request.path = path
    return f


def item(text: str, event_id: str = "evt_1") -> bytes:
    return json.dumps(
        {
            "type": "conversation.item.create",
            "event_id": event_id,
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": text}],
            },
        }
    ).encode()


def audio(event_id: str) -> bytes:
    return json.dumps(
        {"type": "input_audio_buffer.append", "event_id": event_id, "audio": AUDIO}
    ).encode()


def live_turn(text: str) -> bytes:
    turn = {"role": "user", "parts": [{"text": text}]}
    return json.dumps({"clientContent": {"turns": [turn], "turnComplete": True}}).encode()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with running(tmp_path) as h:
        yield h


def decisions(h: Harness) -> list[tuple[object, ...]]:
    return h.rows("select service, api, action, finding_count, error from decisions order by id")


async def test_realtime_item_with_iban_is_dropped_and_answered_with_an_error_event(
    harness: Harness,
) -> None:
    f = flow(*REALTIME)
    clean = await harness.message(f, item(CLEAN, "evt_0"))
    dirty = await harness.message(f, item(f"IBAN {IBAN}", "evt_1"))
    assert not clean.dropped and dirty.dropped
    ((to_client, data, is_text),) = harness.injected.calls
    assert to_client and is_text
    event = TypeAdapter(RealtimeServerEvent).validate_json(data)
    assert isinstance(event, RealtimeErrorEvent)
    assert event.error.event_id == "evt_1" and "IBAN" in event.error.message
    assert IBAN not in event.error.message
    assert decisions(harness) == [
        ("openai-api", "openai_realtime", "log", 0, None),
        ("openai-api", "openai_realtime", "block", 1, None),
    ]
    (location,) = harness.rows("select location from findings")
    assert str(location[0]).startswith("conversation.item.create.item.content[0].text")


async def test_realtime_binary_and_fragment_free_forms_are_read_too(harness: Harness) -> None:
    f = flow(*REALTIME)
    binary = await harness.message(f, item(f"IBAN {IBAN}"), text=False)
    packed = await harness.message(f, gzip.compress(item(f"IBAN {IBAN}")), text=False)
    utf16 = await harness.message(f, item(f"IBAN {IBAN}").decode().encode("utf-16"), text=False)
    assert binary.dropped and packed.dropped and utf16.dropped
    assert [row[2] for row in decisions(harness)] == ["block", "block", "block"]


async def test_audio_stream_is_recorded_once_and_passes_under_log(harness: Harness) -> None:
    f = flow(*REALTIME)
    chunks = [await harness.message(f, audio(f"a{i}")) for i in range(20)]
    assert not any(chunk.dropped for chunk in chunks)
    rows = harness.rows("select action, reasons from decisions")
    assert len(rows) == 1 and rows[0][0] == "log" and "unscanned_files:1:log" in str(rows[0][1])


BLOCK_UNSCANNED = """\
version: 1
organization: O
contact: c@o.example
max_body_bytes: 4096
unscanned_files: block
data_classes:
  personal: {entities: [IBAN_CODE]}
"""


async def test_unscanned_audio_blocked_by_policy_is_answered_once(tmp_path: Path) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(BLOCK_UNSCANNED)
    with running(tmp_path, leitplanke_policy=str(policy)) as h:
        f = flow(*REALTIME)
        chunks = [await h.message(f, audio(f"a{i}")) for i in range(5)]
        assert all(chunk.dropped for chunk in chunks)
        assert len(h.injected.calls) == 1  # one warning for the stream, not one per chunk
        assert [row[2] for row in decisions(h)] == ["block"]
        bytes_ = random.Random(5).randbytes(512)
        noise = await h.message(flow("chatgpt.com", "/ws"), bytes_, text=False)
        assert noise.dropped  # unreadable binary: the unscanned action, here block
        huge = await h.message(f, gzip.compress(item("x" * 100_000)), text=False)
        assert huge.dropped  # inflates past max_body_bytes: the oversize action
        rows = decisions(h)
        assert rows[-2][1:3] == ("websocket", "block")
        assert rows[-1][2:] == ("block", 0, "oversize")


async def test_gemini_live_turn_is_answered_as_a_model_turn(harness: Harness) -> None:
    f = flow(*LIVE)
    assert not (await harness.message(f, live_turn(CLEAN))).dropped
    dirty = await harness.message(f, live_turn(f"IBAN {IBAN}"))
    assert dirty.dropped
    (answer,) = harness.injected.frames()
    content = json.loads(answer)["serverContent"]
    assert content["turnComplete"] is True and "IBAN" in content["modelTurn"]["parts"][0]["text"]
    assert [row[1:3] for row in decisions(harness)] == [
        ("gemini_live", "log"),
        ("gemini_live", "block"),
    ]
    # the session goes on: a clean turn after the block still passes
    assert not (await harness.message(f, live_turn(CLEAN))).dropped


async def test_blocked_gemini_setup_keeps_the_whole_session_from_the_server(
    harness: Harness,
) -> None:
    f = flow("europe-west4-aiplatform.googleapis.com", LIVE[1].replace("generativelanguage", "x"))
    setup = {"setup": {"model": "m", "systemInstruction": {"parts": [{"text": f"IBAN {IBAN}"}]}}}
    assert (await harness.message(f, json.dumps(setup).encode())).dropped
    later = await harness.message(f, live_turn(CLEAN))
    chunk = json.dumps({"realtimeInput": {"audio": {"mimeType": "audio/pcm", "data": AUDIO}}})
    media = await harness.message(f, chunk.encode())
    assert later.dropped and media.dropped
    assert len(harness.injected.calls) == 2  # the setup and the later turn; not the audio
    assert [row[:3] for row in decisions(harness)] == [("vertex-ai", "gemini_live", "block")]


async def test_a_bug_of_ours_gets_the_fail_mode(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr("proxy_addon.websocket_guard.read_message", broken)
    msg = await harness.message(flow(*REALTIME), item(CLEAN))
    assert msg.dropped  # the default policy fails closed
    assert decisions(harness) == [
        ("openai-api", "openai_realtime", "block", 0, "internal_error: KeyError")
    ]
    event = json.loads(harness.injected.calls[0][1])
    assert event["type"] == "error"


async def test_a_value_split_across_two_messages_is_found_where_they_meet(
    harness: Harness,
) -> None:
    """Each WebSocket message travels alone, and the server joins them: half an IBAN
    (a zero-width space in it) in one item, the rest in the next — the second is
    dropped; a blocked message does not become the next one's start."""
    f = flow(*REALTIME)
    first = await harness.message(f, item("Konto DE89 3704 00\u200b", "evt_1"))
    second = await harness.message(f, item("\u200b44 0532 0130 00 bitte", "evt_2"))
    third = await harness.message(f, item(CLEAN, "evt_3"))
    assert not first.dropped and second.dropped and not third.dropped
    assert [row[2] for row in decisions(harness)] == ["log", "block", "log"]
    locations = {str(row[0]) for row in harness.rows("select location from findings")}
    assert any(location.startswith("earlier_message") for location in locations)


async def test_messages_on_other_connections_do_not_meet(harness: Harness) -> None:
    first = await harness.message(flow(*REALTIME), item("Schreib an vertrieb.nord@", "e1"))
    second = await harness.message(flow(*REALTIME), item("beispiel-firma.de bitte", "e2"))
    assert not first.dropped and not second.dropped
