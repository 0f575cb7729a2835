"""A local stand-in for the AI vendors' WebSocket APIs (loopback only, plain ws://).

Speaks just enough of OpenAI Realtime (`session.created` on connect, an acknowledgement
per client event) and of Gemini Live (`setupComplete` for the setup, a model turn per
client turn) for the official clients to run, echoes anything else, and records every
client message of every connection so tests can prove a blocked one never arrived — in
any encoding (`leaked` decodes what it received every way the gateway could have missed).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import msgpack
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection

from tests.e2e.ws_server import LoopbackWsServer

ANSWER = "Hallo vom Modell"


@dataclass
class Connection:
    path: str
    extensions: str
    messages: list[str | bytes] = field(default_factory=list)


class FakeWsAi(LoopbackWsServer):
    # None: a message the gateway let through must arrive, however large.
    max_size = None

    def __init__(self) -> None:
        super().__init__()
        self._connections: list[Connection] = []

    def connections(self) -> list[Connection]:
        with self._lock:
            return list(self._connections)

    def mark(self) -> int:
        with self._lock:
            return len(self._connections)

    def since(self, mark: int) -> list[Connection]:
        with self._lock:
            return self._connections[mark:]

    def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request else ""
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "") if ws.response else ""
        conn = Connection(path, extensions)
        with self._lock:
            self._connections.append(conn)
        try:
            if "realtime" in path:
                ws.send(json.dumps({"type": "session.created", "event_id": "ev_0", "session": {}}))
            for message in ws:
                with self._lock:
                    conn.messages.append(message)
                for reply in _replies(path, message):
                    ws.send(reply)
        except ConnectionClosed:
            pass


def _replies(path: str, message: str | bytes) -> list[str]:
    try:
        data = json.loads(message)
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    if "realtime" in path:
        kind = data.get("type")
        ack: dict[str, object] = {"type": f"{kind}.ack", "event_id": "ev_ack"}
        if kind == "conversation.item.create":
            ack = {"type": "conversation.item.added", "event_id": "ev_1", "item": data["item"]}
        elif kind == "session.update":
            ack = {"type": "session.updated", "event_id": "ev_2", "session": data["session"]}
        return [json.dumps(ack)]
    if "BidiGenerateContent" in path:
        if "setup" in data:
            return [json.dumps({"setupComplete": {}})]
        turn = {"modelTurn": {"role": "model", "parts": [{"text": ANSWER}]}, "turnComplete": True}
        return [json.dumps({"serverContent": turn})]
    return [json.dumps({"echo": True})]


# ---- what arrived, decoded every way ---------------------------------------------------


def _views(message: str | bytes, depth: int = 0) -> Iterator[str]:
    if isinstance(message, str):
        yield message
        with contextlib.suppress(ValueError, RecursionError):  # JSON's \u escapes undone
            yield json.dumps(json.loads(message), ensure_ascii=False)
        return
    for codec in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        yield from _views(message.decode(codec, errors="ignore"))
    if depth < 3:
        for inflate in (gzip.decompress, zlib.decompress):
            with contextlib.suppress(Exception):  # not compressed that way
                yield from _views(inflate(message), depth + 1)
    with contextlib.suppress(Exception):  # not MessagePack
        yield str(msgpack.unpackb(message, raw=False, strict_map_key=False))


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def leaked(connections: list[Connection], value: str) -> bool:
    """Whether any message of these connections carries `value` (compared without
    spaces and punctuation, after decoding)."""
    wanted = _compact(value)
    return any(
        wanted in _compact(view)
        for conn in connections
        for message in conn.messages
        for view in _views(message)
    )


def received(connections: list[Connection], marker: str) -> bool:
    return any(marker in view for c in connections for m in c.messages for view in _views(m))
