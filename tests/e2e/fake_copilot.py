"""A local stand-in for Copilot's chat WebSocket (loopback only, plain ws://).

Speaks both shapes extract/copilot_ws.py reads: the consumer JSON events (`send`
→ `received`, `startMessage`, `appendText`…, `partCompleted`, `done`) and the SignalR
hub protocol (handshake, `chat` invocation → `update`, item, completion). It records
every client frame so tests can prove a blocked prompt never arrived.
"""

from __future__ import annotations

import json
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection

from extract.copilot_ws import RS
from tests.e2e.ws_server import LoopbackWsServer

ANSWER = "Hallo von Copilot"


class FakeCopilot(LoopbackWsServer):
    def __init__(self) -> None:
        super().__init__()
        self._frames: list[str | bytes] = []
        self._paths: list[str] = []

    def frames(self) -> list[str | bytes]:
        with self._lock:
            return list(self._frames)

    def paths(self) -> list[str]:
        with self._lock:
            return list(self._paths)

    def saw(self, needle: str) -> bool:
        data = needle.encode()
        return any(data in (f.encode() if isinstance(f, str) else f) for f in self.frames())

    def _handle(self, ws: ServerConnection) -> None:
        with self._lock:
            self._paths.append(ws.request.path if ws.request else "")
        try:
            for frame in ws:
                with self._lock:
                    self._frames.append(frame)
                text = frame if isinstance(frame, str) else frame.decode(errors="replace")
                for reply in _replies(text):
                    ws.send(reply)
        except ConnectionClosed:
            pass


def _replies(text: str) -> list[str]:
    if RS in text:
        out: list[str] = []
        for record in (r for r in text.split(RS) if r.strip()):
            out.extend(_signalr(json.loads(record)))
        return out
    event = json.loads(text)
    if event.get("event") != "send":
        return []
    ids = {"conversationId": event.get("conversationId"), "messageId": "m-1"}
    events: list[dict[str, Any]] = [
        {"event": "received", **ids},
        {"event": "startMessage", **ids},
    ]
    words = ANSWER.split(" ")
    events += [
        {"event": "appendText", **ids, "partId": "0", "text": w if i == 0 else " " + w}
        for i, w in enumerate(words)
    ]
    events += [{"event": "partCompleted", **ids, "partId": "0"}, {"event": "done", **ids}]
    return [json.dumps(e) for e in events]


def _signalr(record: dict[str, Any]) -> list[str]:
    if "protocol" in record:
        return ["{}" + RS]  # handshake accepted
    if record.get("type") != 4:
        return []
    invocation = record.get("invocationId", "0")
    bot = {"author": "bot", "text": ANSWER}
    records: list[dict[str, Any]] = [
        {"type": 1, "target": "update", "arguments": [{"messages": [bot]}]},
        {"type": 2, "invocationId": invocation, "item": {"messages": [bot]}},
        {"type": 3, "invocationId": invocation},
    ]
    return [json.dumps(r) + RS for r in records]
