"""End to end: a `websockets` client talks to "Copilot" through a real `leitplanke proxy`.

wss://copilot.microsoft.com and wss://substrate.office.com are routed by map_remote
to a local fake Copilot (plain ws:// on 127.0.0.1); the client connects through the
gateway's HTTP proxy port and trusts the gateway's CA, exactly like a browser would.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import ssl
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import ClientConnection, connect

from answers.copilot_ws import answer_text, is_completion
from bench.fake_upstream import FakeUpstream
from bench.proxies import Gateway, start_gateway, stop_gateway, wait_for
from extract.copilot_ws import RS
from tests.e2e.fake_copilot import ANSWER, FakeCopilot

pytestmark = pytest.mark.e2e

IBAN = "DE89 3704 0044 0532 0130 00"
CLEAN = "Wie funktioniert eine Wärmepumpe?"
CONSUMER_URL = "wss://copilot.microsoft.com/c/api/chat?api-version=2"
M365_URL = "wss://substrate.office.com/m365Copilot/Chathub/x"


@pytest.fixture(scope="module")
def copilot() -> Iterator[FakeCopilot]:
    server = FakeCopilot().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(
    tmp_path_factory: pytest.TempPathFactory, upstream: FakeUpstream, copilot: FakeCopilot
) -> Iterator[Gateway]:
    target = f"http://127.0.0.1:{copilot.port}"
    extra = [
        "--set",
        rf"map_remote=|https://copilot\.microsoft\.com|{target}",
        "--set",
        rf"map_remote=|https://substrate\.office\.com|{target}",
    ]
    gw = start_gateway(tmp_path_factory.mktemp("gateway-ws"), upstream, extra=extra)
    yield gw
    stop_gateway(gw)


def send(text: str) -> str:
    frame = {
        "event": "send",
        "conversationId": "conv-e2e",
        "content": [{"type": "text", "text": text}],
        "mode": "chat",
    }
    return json.dumps(frame, ensure_ascii=False)  # as browsers send it: raw UTF-8


async def until_done(ws: ClientConnection) -> list[str | bytes]:
    frames: list[str | bytes] = []
    async with asyncio.timeout(60):
        while True:
            frame = await ws.recv()
            frames.append(frame)
            if is_completion(frame):
                return frames


def client(gateway: Gateway, url: str) -> connect:
    tls = ssl.create_default_context(cafile=str(gateway.ca))
    return connect(url, proxy=gateway.proxy_url, ssl=tls, open_timeout=60)


def decisions(gateway: Gateway) -> list[tuple[object, ...]]:
    with sqlite3.connect(gateway.db) as conn:
        return conn.execute(
            "select service, api, action, finding_count from decisions order by id"
        ).fetchall()


async def test_consumer_clean_prompt_reaches_copilot_and_iban_is_blocked(
    gateway: Gateway, copilot: FakeCopilot
) -> None:
    async with client(gateway, CONSUMER_URL) as ws:
        await ws.send(json.dumps({"event": "setOptions", "supportedCards": []}))
        await ws.send(send(CLEAN))
        clean = await until_done(ws)
        assert answer_text(clean) == ANSWER
        assert json.loads(clean[0])["event"] == "received"  # the fake's own frames

        await ws.send(send(f"Bitte überweise auf {IBAN}"))
        blocked = await until_done(ws)
        events = [json.loads(f) for f in blocked]
        assert [e["event"] for e in events] == [
            "startMessage",
            "appendText",
            "partCompleted",
            "done",
        ]
        warning = answer_text(blocked)
        assert "IBAN" in warning and IBAN not in warning

        # The connection stays usable after a block.
        await ws.send(send(CLEAN))
        assert answer_text(await until_done(ws)) == ANSWER

    assert copilot.paths()[0] == "/c/api/chat?api-version=2"
    assert copilot.saw(CLEAN) and copilot.saw("setOptions")
    assert not copilot.saw(IBAN) and not copilot.saw("überweise")

    wait_for(lambda: len(decisions(gateway)) >= 3, 20, "decision rows")
    rows = [r for r in decisions(gateway) if r[0] == "copilot-consumer"]
    assert rows == [
        ("copilot-consumer", "copilot_ws", "log", 0),
        ("copilot-consumer", "copilot_ws", "block", 1),
        ("copilot-consumer", "copilot_ws", "log", 0),
    ]
    raw = IBAN.replace(" ", "").encode()
    assert IBAN.encode() not in gateway.db.read_bytes() and raw not in gateway.db.read_bytes()
    assert IBAN not in gateway.log.read_text(errors="replace")


async def test_m365_signalr_chat_is_blocked(gateway: Gateway, copilot: FakeCopilot) -> None:
    invocation = {
        "type": 4,
        "target": "chat",
        "invocationId": "1",
        "arguments": [{"message": {"author": "user", "text": f"Konto {IBAN} bitte prüfen"}}],
    }
    async with client(gateway, M365_URL) as ws:
        await ws.send(json.dumps({"protocol": "json", "version": 1}) + RS)
        assert await asyncio.wait_for(ws.recv(), 60) == "{}" + RS  # from the fake
        await ws.send(json.dumps(invocation) + RS)
        frames = await until_done(ws)
    records = [json.loads(str(f).rstrip(RS)) for f in frames]
    assert [r["type"] for r in records] == [1, 2, 3]
    assert records[2]["invocationId"] == "1"
    assert "IBAN" in answer_text(frames)
    assert not copilot.saw("Konto")
