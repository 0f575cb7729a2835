"""End to end: WebSockets to AI hosts through a real `leitplanke proxy` (issue 19, class 6).

Every wss:// AI host is routed by map_remote to one local fake (tests/e2e/fake_ws_ai.py,
plain ws:// on 127.0.0.1) that records every message it receives. Clients connect
through the gateway's proxy port and trust its CA, as a browser or SDK would: the
official OpenAI SDK (`client.realtime.connect`, pointed at the gateway with its own
`websocket_connection_options`), and the `websockets` package for Gemini Live (the
google-genai SDK is not installed here) and for every hand-made form — binary,
fragmented, compressed, UTF-16, MessagePack, oversize.

Each case of CASES sends one message after the protocol's opening; "block" cases must be
answered by the gateway in the protocol's own shape (or dropped silently where the
protocol is unknown) with nothing of the value arriving at the fake in any encoding;
"pass" cases must arrive.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import sqlite3
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import msgpack
import pytest
from openai import AsyncOpenAI
from websockets.asyncio.client import ClientConnection, connect

from bench.proxies import Gateway, start_gateway, stop_gateway, wait_for
from extract.copilot_ws import RS
from tests.e2e.fake_ws_ai import ANSWER, FakeWsAi, leaked, received

pytestmark = pytest.mark.e2e

IBAN = "DE89 3704 0044 0532 0130 00"
CLEAN = "Wie funktioniert eine Wärmepumpe?"
AUDIO = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA="
MAX_BODY = 65536

POLICY = f"""\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
max_body_bytes: {MAX_BODY}
data_classes:
  personal: {{entities: [IBAN_CODE, EMAIL_ADDRESS, CREDIT_CARD]}}
on_violation: {{personal: block}}
"""

REALTIME = "wss://api.openai.com/v1/realtime?model=gpt-realtime"
AZURE_REALTIME = (
    "wss://muster-ai.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=rt"
)
LIVE = (
    "wss://generativelanguage.googleapis.com/ws/"
    "google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=test"
)
VERTEX_LIVE = (
    "wss://europe-west4-aiplatform.googleapis.com/ws/"
    "google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent"
)
COPILOT = "wss://copilot.microsoft.com/c/api/chat?api-version=2"
SIGNALR = "wss://substrate.office.com/m365Copilot/Chathub/x"
CHATGPT_WS = "wss://chatgpt.com/backend-api/ws"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeWsAi]:
    server = FakeWsAi().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, fake: FakeWsAi) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("gateway-ws-ai")
    policy = tmp / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    catch_all = rf"map_remote=|https://[^/]+|http://127.0.0.1:{fake.port}"
    gw = start_gateway(tmp, fake, extra=["--policy", str(policy), "--set", catch_all])
    yield gw
    stop_gateway(gw)


def client(gateway: Gateway, url: str, **options: Any) -> connect:
    tls = ssl.create_default_context(cafile=str(gateway.ca))
    return connect(url, proxy=gateway.proxy_url, ssl=tls, open_timeout=60, max_size=None, **options)


def decisions(gateway: Gateway) -> list[tuple[Any, ...]]:
    with sqlite3.connect(gateway.db) as conn:
        return conn.execute(
            "select service, api, action, finding_count, error from decisions order by id"
        ).fetchall()


# ---- messages ------------------------------------------------------------------------


def item(text: str) -> dict[str, Any]:
    content = [{"type": "input_text", "text": text}]
    return {
        "type": "conversation.item.create",
        "event_id": "evt_case",
        "item": {"type": "message", "role": "user", "content": content},
    }


def turn(text: str) -> dict[str, Any]:
    parts = [{"text": text}]
    return {"clientContent": {"turns": [{"role": "user", "parts": parts}], "turnComplete": True}}


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)


Payload = str | bytes | list[str]  # a list is sent as the fragments of one message


@dataclass(frozen=True)
class WsCase:
    name: str
    url: str
    payload: Payload
    expect: Literal["block", "pass"] = "block"
    # "answer": the gateway answers in the protocol; "silent": dropped, no answer
    answered: Literal["answer", "silent"] = "answer"


CASES = [
    # OpenAI Realtime (the SDK itself: test_openai_sdk_realtime_*)
    WsCase("realtime-item-text", REALTIME, dumps(item(f"IBAN {IBAN}"))),
    WsCase(
        "realtime-session-instructions",
        REALTIME,
        dumps({"type": "session.update", "session": {"instructions": f"Kunde: {IBAN}"}}),
    ),
    WsCase(
        "realtime-session-tool-description",
        REALTIME,
        dumps(
            {
                "type": "session.update",
                "session": {"tools": [{"type": "function", "name": "f", "description": IBAN}]},
            }
        ),
    ),
    WsCase(
        "realtime-response-instructions",
        REALTIME,
        dumps({"type": "response.create", "response": {"instructions": f"IBAN {IBAN}"}}),
    ),
    WsCase(
        "realtime-function-output",
        REALTIME,
        dumps(
            {
                "type": "conversation.item.create",
                "item": {"type": "function_call_output", "call_id": "c", "output": IBAN},
            }
        ),
    ),
    WsCase(
        "realtime-transcript",
        REALTIME,
        dumps(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_audio", "audio": AUDIO, "transcript": IBAN}],
                },
            }
        ),
    ),
    WsCase("realtime-unknown-event", REALTIME, dumps({"type": "x.future", "note": IBAN})),
    WsCase("realtime-event-id", REALTIME, dumps({"type": "response.cancel", "event_id": IBAN})),
    WsCase("realtime-binary", REALTIME, dumps(item(f"IBAN {IBAN}")).encode()),
    WsCase(
        "realtime-fragmented",
        REALTIME,
        [dumps(item(f"IBAN {IBAN}"))[:60], dumps(item(f"IBAN {IBAN}"))[60:]],
    ),
    WsCase("realtime-gzip-binary", REALTIME, gzip.compress(dumps(item(f"IBAN {IBAN}")).encode())),
    WsCase("realtime-utf16-binary", REALTIME, dumps(item(f"IBAN {IBAN}")).encode("utf-16")),
    WsCase("realtime-msgpack-binary", REALTIME, msgpack.packb(item(f"IBAN {IBAN}"))),
    WsCase("realtime-not-json", REALTIME, f"Bitte überweisen: {IBAN}"),
    WsCase("realtime-oversize", REALTIME, dumps(item(CLEAN + " x" * MAX_BODY))),
    WsCase("realtime-clean", REALTIME, dumps(item(CLEAN)), expect="pass"),
    WsCase(
        "realtime-audio-chunk",
        REALTIME,
        dumps({"type": "input_audio_buffer.append", "audio": AUDIO}),
        expect="pass",
    ),
    WsCase("azure-realtime-item", AZURE_REALTIME, dumps(item(f"IBAN {IBAN}"))),
    # Gemini Live (after a clean setup)
    WsCase("live-turn", LIVE, dumps(turn(f"IBAN {IBAN}"))),
    WsCase("live-realtime-text", LIVE, dumps({"realtimeInput": {"text": f"IBAN {IBAN}"}})),
    WsCase(
        "live-tool-response",
        LIVE,
        dumps({"toolResponse": {"functionResponses": [{"id": "1", "response": {"iban": IBAN}}]}}),
    ),
    WsCase("live-snake-case", LIVE, dumps({"client_content": turn(IBAN)["clientContent"]})),
    WsCase("live-binary", LIVE, dumps(turn(f"IBAN {IBAN}")).encode()),
    WsCase("live-clean", LIVE, dumps(turn(CLEAN)), expect="pass"),
    WsCase("vertex-live-turn", VERTEX_LIVE, dumps(turn(f"IBAN {IBAN}"))),
    # Copilot: binary, a batch of events, other events
    WsCase(
        "copilot-binary",
        COPILOT,
        dumps({"event": "send", "content": [{"type": "text", "text": IBAN}]}).encode(),
    ),
    WsCase(
        "copilot-array",
        COPILOT,
        dumps([{"event": "send", "content": [{"type": "text", "text": IBAN}]}]),
    ),
    WsCase("copilot-other-event", COPILOT, dumps({"event": "setOptions", "note": IBAN})),
    WsCase(
        "signalr-binary",
        SIGNALR,
        (
            dumps(
                {
                    "type": 4,
                    "target": "chat",
                    "invocationId": "1",
                    "arguments": [{"message": {"author": "user", "text": IBAN}}],
                }
            )
            + RS
        ).encode(),
    ),
    # Any other WebSocket to an AI host: every string, answered as JSON or dropped silently
    WsCase("generic-json", CHATGPT_WS, dumps({"type": "x", "payload": {"text": IBAN}})),
    WsCase(
        "generic-socket-io",
        CHATGPT_WS,
        '42["ask", {"q": "' + IBAN + '"}]',
        answered="silent",
    ),
    WsCase("generic-binary-msgpack", CHATGPT_WS, msgpack.packb({"q": IBAN}), answered="silent"),
    WsCase("generic-clean", CHATGPT_WS, dumps({"type": "x", "text": CLEAN}), expect="pass"),
    # Combined classes (the adversarial suite's second round): decoding and normalising
    # together, in one message.
    WsCase(
        "combined-utf16-greek-zero-width",
        REALTIME,
        dumps(item("IBAN D\u0395 89\u200b3704 0044 0532 0130 00")).encode("utf-16"),
    ),
    WsCase(
        "combined-transcript-arabic-digits",
        REALTIME,
        dumps(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "message",
                    "role": "user",
                    "content": [
                        {
                            "type": "input_audio",
                            "audio": AUDIO,
                            "transcript": "IBAN DE"
                            + "".join(chr(0x660 + int(c)) for c in "89370400440532013000"),
                        }
                    ],
                },
            }
        ),
    ),
    WsCase(
        "combined-gzip-in-base64-in-item",
        REALTIME,
        dumps(item("Daten: " + base64.b64encode(gzip.compress(IBAN.encode(), mtime=0)).decode())),
    ),
    WsCase("combined-live-tabs", LIVE, dumps(turn(IBAN.replace(" ", "\t")))),
    WsCase(
        "combined-generic-entities-in-entities",
        CHATGPT_WS,
        dumps({"note": "".join(f"&amp;#x{ord(c):x};" for c in IBAN)}),
    ),
]


async def _send(ws: ClientConnection, payload: Payload) -> None:
    if isinstance(payload, list):
        await ws.send(iter(payload))  # one message in several frames
    else:
        await ws.send(payload)


async def _open(ws: ClientConnection, url: str) -> None:
    """The protocol's opening, through the gateway to the fake."""
    if "realtime" in url:
        assert json.loads(await _recv(ws))["type"] == "session.created"
    elif "BidiGenerateContent" in url:
        await ws.send(dumps({"setup": {"model": "models/gemini-live"}}))
        assert json.loads(await _recv(ws)) == {"setupComplete": {}}
    elif "Chathub" in url:
        await ws.send(dumps({"protocol": "json", "version": 1}) + RS)


async def _recv(ws: ClientConnection, timeout: float = 60) -> str | bytes:
    return await asyncio.wait_for(ws.recv(), timeout)


def _gateway_answer(url: str, message: str | bytes) -> bool:
    text = message if isinstance(message, str) else message.decode()
    if RS in text:
        text = text.split(RS)[0]
    data = json.loads(text)
    if "realtime" in url:
        return data["type"] == "error" and data["error"]["code"] == "leitplanke_policy_block"
    if "BidiGenerateContent" in url:
        return data["serverContent"]["modelTurn"]["parts"][0]["text"] != ANSWER
    if "copilot" in url:
        return str(data.get("messageId", "")).startswith("leitplanke-")
    if "Chathub" in url:
        return data.get("type") == 1 and "leitplanke" in text
    return data.get("error", {}).get("code") == "leitplanke_policy_block"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_case(case: WsCase, gateway: Gateway, fake: FakeWsAi) -> None:
    mark = fake.mark()
    async with client(gateway, case.url) as ws:
        await _open(ws, case.url)
        await _send(ws, case.payload)
        if case.expect == "pass" or case.answered == "answer":
            answer = await _recv(ws)
            assert _gateway_answer(case.url, answer) is (case.expect == "block"), answer
        else:  # nothing comes back; a clean message afterwards still gets through
            await ws.send(dumps({"type": "x", "text": CLEAN}))
            assert json.loads(await _recv(ws)) == {"echo": True}
    arrived = fake.since(mark)
    assert arrived, "the connection never reached the fake upstream"
    if case.expect == "block":
        assert not leaked(arrived, IBAN), f"{case.name}: reached the upstream"
        assert not leaked(arrived, "x" * 64), f"{case.name}: the oversize message arrived"
    else:
        assert received(arrived, CLEAN) or received(arrived, AUDIO)


async def test_openai_sdk_realtime_error_event_and_nothing_upstream(
    gateway: Gateway, fake: FakeWsAi
) -> None:
    """The official SDK, pointed at the gateway: a clean item passes, the IBAN comes back
    as a RealtimeErrorEvent from `recv()`, and the session goes on."""
    mark = fake.mark()
    sdk = AsyncOpenAI(api_key="sk-test-not-a-key", max_retries=0)
    tls = ssl.create_default_context(cafile=str(gateway.ca))
    options: Any = {"proxy": gateway.proxy_url, "ssl": tls, "open_timeout": 60}
    async with sdk.realtime.connect(
        model="gpt-realtime", websocket_connection_options=options
    ) as conn:
        assert (await asyncio.wait_for(conn.recv(), 60)).type == "session.created"
        await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": CLEAN}],
            }
        )
        assert (await asyncio.wait_for(conn.recv(), 60)).type == "conversation.item.added"
        await conn.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": f"Meine IBAN ist {IBAN}"}],
            }
        )
        error = await asyncio.wait_for(conn.recv(), 60)
        assert error.type == "error"
        assert error.error.code == "leitplanke_policy_block"  # type: ignore[union-attr]
        assert "IBAN" in error.error.message and IBAN not in error.error.message  # type: ignore[union-attr]
        await conn.session.update(session={"type": "realtime", "instructions": "Sei knapp."})
        assert (await asyncio.wait_for(conn.recv(), 60)).type == "session.updated"
    arrived = fake.since(mark)
    assert arrived[0].path.startswith("/v1/realtime?model=gpt-realtime")
    assert received(arrived, CLEAN) and received(arrived, "Sei knapp.")
    assert not leaked(arrived, IBAN)
    wait_for(lambda: any(r[1] == "openai_realtime" for r in decisions(gateway)), 20, "rows")
    raw = IBAN.replace(" ", "").encode()
    assert raw not in gateway.db.read_bytes() and IBAN.encode() not in gateway.db.read_bytes()


async def test_blocked_gemini_setup_keeps_the_session_from_the_server(
    gateway: Gateway, fake: FakeWsAi
) -> None:
    mark = fake.mark()
    setup = {"setup": {"model": "m", "systemInstruction": {"parts": [{"text": f"IBAN {IBAN}"}]}}}
    async with client(gateway, LIVE) as ws:
        await ws.send(dumps(setup))
        first = json.loads(await _recv(ws))
        assert "IBAN" in first["serverContent"]["modelTurn"]["parts"][0]["text"]
        await ws.send(dumps(turn(CLEAN)))  # never forwarded: the server has no setup
        again = json.loads(await _recv(ws))
        assert again["serverContent"]["turnComplete"] is True
    (connection,) = fake.since(mark)
    assert connection.messages == []


async def test_per_message_deflate_is_negotiated_and_undone_by_mitmproxy(
    gateway: Gateway, fake: FakeWsAi
) -> None:
    """The client and the fake agree on permessage-deflate through the gateway; the
    guard still reads the (compressed on the wire) message."""
    mark = fake.mark()
    async with client(gateway, REALTIME, compression="deflate") as ws:
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "") if ws.response else ""
        assert "permessage-deflate" in extensions
        await _open(ws, REALTIME)
        await ws.send(dumps(item(f"IBAN {IBAN} " + "Wärmepumpe " * 200)))
        assert _gateway_answer(REALTIME, await _recv(ws))
    (connection,) = fake.since(mark)
    assert "permessage-deflate" in connection.extensions and not leaked([connection], IBAN)


def test_decisions_name_service_and_protocol(gateway: Gateway) -> None:
    wait_for(lambda: len(decisions(gateway)) > 10, 30, "decision rows")
    apis = {(r[0], r[1]) for r in decisions(gateway)}
    assert {
        ("openai-api", "openai_realtime"),
        ("azure-openai", "openai_realtime"),
        ("gemini-api", "gemini_live"),
        ("vertex-ai", "gemini_live"),
        ("copilot-consumer", "copilot_ws"),
        ("microsoft-copilot", "copilot_ws"),
        ("chatgpt", "websocket"),
    } <= apis
    assert ("openai-api", "openai_realtime", "block", 0, "oversize") in decisions(gateway)
    text = gateway.log.read_text(errors="replace")
    assert IBAN not in text and IBAN.replace(" ", "") not in text


async def test_a_value_split_across_two_messages_is_blocked_where_they_meet(
    gateway: Gateway, fake: FakeWsAi
) -> None:
    """Half an IBAN in one Realtime item (a zero-width space in it), the rest in the
    next: the first reaches the server, the second is answered by the gateway and never
    arrives."""
    mark = fake.mark()
    async with client(gateway, REALTIME) as ws:
        await _open(ws, REALTIME)
        await ws.send(dumps(item("Konto DE89 3704 00\u200b")))
        assert not _gateway_answer(REALTIME, await _recv(ws))
        await ws.send(dumps(item("\u200b44 0532 0130 00 bitte")))
        assert _gateway_answer(REALTIME, await _recv(ws))
    arrived = fake.since(mark)
    assert received(arrived, "Konto DE89") and not received(arrived, "0532 0130 00")
