"""WebSocketGuard with mitmproxy's test helpers (tflow/taddons) and a real checker."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mitmproxy import command, flow, http
from mitmproxy.test import taddons, tflow
from mitmproxy.websocket import WebSocketMessage
from wsproto.frame_protocol import Opcode

from answers.copilot_ws import answer_text, is_completion
from extract.copilot_ws import RS
from proxy_addon.guard import Guard
from proxy_addon.identify import Identify
from proxy_addon.policy_source import PolicySource
from proxy_addon.recorder import Recorder
from proxy_addon.websocket_guard import WebSocketGuard

IBAN = "DE89 3704 0044 0532 0130 00"
CLEAN = "Wie funktioniert eine Wärmepumpe?"


def send(text: str, conversation: str = "conv-1") -> bytes:
    frame = {
        "event": "send",
        "conversationId": conversation,
        "content": [{"type": "text", "text": text}],
        "mode": "chat",
    }
    return json.dumps(frame).encode()


def signalr_chat(text: str, invocation: str = "7") -> bytes:
    record = {
        "type": 4,
        "target": "chat",
        "invocationId": invocation,
        "arguments": [{"message": {"author": "user", "text": text}, "conversationId": "c"}],
    }
    return (json.dumps(record) + RS).encode()


def ws_flow(host: str = "copilot.microsoft.com", **headers: str) -> http.HTTPFlow:
    f = tflow.twebsocketflow()
    f.request.host = host
    f.request.port = 443
    f.request.scheme = "https"
    f.request.path = "/c/api/chat?api-version=2"
    f.request.headers["host"] = host
    for name, value in headers.items():
        f.request.headers[name.replace("_", "-")] = value
    assert f.websocket is not None
    f.websocket.messages = []
    return f


class Injected:
    """Stands in for mitmproxy's proxyserver: records inject.websocket calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[bool, bytes, bool]] = []

    @command.command("inject.websocket")
    def inject_websocket(
        self, flow: flow.Flow, to_client: bool, message: bytes, is_text: bool = True
    ) -> None:
        self.calls.append((to_client, message, is_text))

    def frames(self) -> list[str | bytes]:
        return [message.decode() for _, message, _ in self.calls]


class Harness:
    def __init__(
        self, tctx: taddons.context, db: Path, ws: WebSocketGuard, guard: Guard, injected: Injected
    ) -> None:
        self.tctx, self.db = tctx, db
        self.ws, self.guard, self.injected = ws, guard, injected
        self.source, self.recorder = ws.source, ws.recorder
        self.identify = Identify(key=lambda: self.recorder.key)

    async def message(
        self, f: http.HTTPFlow, content: bytes, from_client: bool = True, text: bool = True
    ) -> WebSocketMessage:
        assert f.websocket is not None
        if not f.metadata:
            self.identify.requestheaders(f)
        opcode = Opcode.TEXT if text else Opcode.BINARY
        msg = WebSocketMessage(opcode, from_client, content)
        f.websocket.messages.append(msg)
        await self.ws.websocket_message(f)
        self.recorder.flush()
        return msg

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql).fetchall()


@contextmanager
def running(tmp_path: Path, **options: object) -> Iterator[Harness]:
    source = PolicySource()
    recorder = Recorder(source)
    guard, ws, injected = Guard(source, recorder), WebSocketGuard(source, recorder), Injected()
    with taddons.context(source, recorder, guard, ws, injected) as tctx:
        db = tmp_path / "f.db"
        for addon in (source, recorder, guard):
            tctx.configure(addon, leitplanke_db=str(db), leitplanke_workers=0, **options)
        yield Harness(tctx, db, ws, guard, injected)
        source.done()
        recorder.done()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with running(tmp_path) as h:
        yield h


async def test_clean_send_passes_and_is_recorded(harness: Harness) -> None:
    f = ws_flow()
    msg = await harness.message(f, send(CLEAN))
    assert not msg.dropped and harness.injected.calls == []
    assert harness.rows("select service, api, action, finding_count from decisions") == [
        ("copilot-consumer", "copilot_ws", "log", 0)
    ]


async def test_iban_send_is_dropped_and_answered_in_copilot_frames(harness: Harness) -> None:
    f = ws_flow()
    msg = await harness.message(f, send(f"Überweise auf {IBAN}"))
    assert msg.dropped
    assert all(to_client and is_text for to_client, _, is_text in harness.injected.calls)
    frames = harness.injected.frames()
    events = [json.loads(frame) for frame in frames]
    assert [e["event"] for e in events] == ["startMessage", "appendText", "partCompleted", "done"]
    assert events[0]["conversationId"] == "conv-1"
    warning = answer_text(frames)
    assert "IBAN" in warning and IBAN not in warning and "nicht" in warning.lower()
    # How to ask: the portal's approval page for this service, as in the HTTP answers.
    assert re.search(r"http://leitplanke\.portal/approval\?service=[a-z0-9-]+", warning)
    assert is_completion(frames[-1])
    (decision,) = harness.rows("select api, action, enforced, finding_count from decisions")
    assert decision == ("copilot_ws", "block", "block", 1)
    (finding,) = harness.rows("select entity_type, masked_excerpt, location from findings")
    assert finding[0] == "IBAN_CODE" and IBAN not in str(finding[1])
    assert str(finding[2]).startswith("send.content[0].text:")


async def test_signalr_chat_is_answered_in_signalr_frames(harness: Harness) -> None:
    f = ws_flow("substrate.office.com", accept_language="en-US,en;q=0.9")
    assert not (await harness.message(f, (json.dumps({"type": 6}) + RS).encode())).dropped
    msg = await harness.message(f, signalr_chat(f"IBAN {IBAN}", invocation="7"))
    assert msg.dropped
    frames = harness.injected.frames()
    records = [json.loads(str(frame).rstrip(RS)) for frame in frames]
    assert [r["type"] for r in records] == [1, 2, 3]
    assert records[2]["invocationId"] == "7"
    assert "was not sent" in answer_text(frames)
    assert harness.rows("select service, action from decisions") == [("microsoft-copilot", "block")]


async def test_untouched_frames(harness: Harness) -> None:
    f = ws_flow()
    dirty = send(f"IBAN {IBAN}")
    server = await harness.message(f, dirty, from_client=False)  # answers are not checked
    options = await harness.message(f, json.dumps({"event": "setOptions"}).encode())
    injected = WebSocketMessage(Opcode.TEXT, True, dirty, injected=True)
    assert f.websocket is not None
    f.websocket.messages.append(injected)
    await harness.ws.websocket_message(f)
    other = ws_flow("example.com")  # not an AI service
    elsewhere = await harness.message(other, dirty)
    for msg in (server, options, injected, elsewhere):
        assert not msg.dropped
    assert harness.injected.calls == []
    # clean protocol chatter is scanned but not recorded as usage
    assert harness.rows("select count(*) from decisions") == [(0,)]


async def test_binary_and_other_services_frames_are_checked_too(harness: Harness) -> None:
    dirty = send(f"IBAN {IBAN}")
    binary = await harness.message(ws_flow(), dirty, text=False)  # the same JSON, as binary
    assert binary.dropped
    assert answer_text(harness.injected.frames()).count("IBAN") >= 1
    chatgpt = await harness.message(ws_flow("chatgpt.com"), dirty)  # generic reader
    assert chatgpt.dropped
    error = json.loads(harness.injected.calls[-1][1])
    assert error["error"]["code"] == "leitplanke_policy_block" and IBAN not in str(error)
    rows = harness.rows("select service, api, action from decisions order by id")
    assert rows == [("copilot-consumer", "copilot_ws", "block"), ("chatgpt", "websocket", "block")]


async def test_non_json_text_frame_is_scanned(harness: Harness) -> None:
    msg = await harness.message(ws_flow(), f"raw {IBAN}".encode())
    assert msg.dropped
    assert harness.rows("select action, error from decisions") == [("block", "unparsed_frame")]


WARN_POLICY = """\
version: 1
organization: O
contact: c@o.example
max_body_bytes: 2048
data_classes:
  personal: {entities: [IBAN_CODE]}
tools:
  copilot: {services: [copilot-consumer], status: tolerated, on_violation: {personal: warn}}
"""


async def test_warn_is_enforced_as_block_and_oversize_gets_the_size_action(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(WARN_POLICY)
    with running(tmp_path, leitplanke_policy=str(policy)) as h:
        f = ws_flow()
        warned = await h.message(f, send(f"IBAN {IBAN}"))
        huge = await h.message(f, send("x" * 4096))
        assert warned.dropped and huge.dropped
        rows = h.rows("select action, enforced, error, reasons from decisions order by id")
        assert [r[:3] for r in rows] == [("warn", "block", None), ("block", "block", "oversize")]
        assert "warn:enforced_as_block" in str(rows[0][3])
        assert "zu groß" in answer_text(h.injected.frames())


async def test_checker_failure_fails_closed_then_open(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("worker died")

    assert harness.source.active is not None
    monkeypatch.setattr(harness.source.active.pool, "scan", broken)
    f = ws_flow()
    closed = await harness.message(f, send(CLEAN))
    assert closed.dropped and "nicht prüfen" in answer_text(harness.injected.frames())
    harness.tctx.configure(harness.guard, leitplanke_fail_mode="open")
    opened = await harness.message(f, send(CLEAN))
    assert not opened.dropped
    assert harness.rows("select action, error from decisions order by id") == [
        ("block", "checker_error: RuntimeError"),
        ("allow", "checker_error: RuntimeError"),
    ]
