"""A local stand-in for api.openai.com and api.anthropic.com (loopback only).

Answers the three endpoints the gateway scans, in JSON or SSE, and records every
request it receives so tests can prove a blocked prompt never arrived.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWER = "Hallo vom Upstream"


def _sse(events: list[tuple[str | None, Any]]) -> bytes:
    out = []
    for name, data in events:
        prefix = f"event: {name}\n" if name else ""
        payload = data if isinstance(data, str) else json.dumps(data)
        out.append(f"{prefix}data: {payload}\n\n")
    return "".join(out).encode()


def chat_completion(model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-up",
        "object": "chat.completion",
        "created": 1,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": ANSWER},
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chat_stream(model: str) -> bytes:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-up",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    words = ANSWER.split(" ")
    events: list[tuple[str | None, Any]] = [(None, chunk({"role": "assistant", "content": ""}))]
    events += [(None, chunk({"content": w if i == 0 else " " + w})) for i, w in enumerate(words)]
    events += [(None, chunk({}, "stop")), (None, "[DONE]")]
    return _sse(events)


def response_object(model: str) -> dict[str, Any]:
    return {
        "id": "resp_up",
        "object": "response",
        "created_at": 1,
        "model": model,
        "status": "completed",
        "output": [
            {
                "type": "message",
                "id": "msg_up",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": ANSWER, "annotations": []}],
            }
        ],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
    }


def anthropic_message(model: str) -> dict[str, Any]:
    return {
        "id": "msg_up",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": ANSWER}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }


def anthropic_stream(model: str) -> bytes:
    start = {**anthropic_message(model), "content": [], "stop_reason": None}
    return _sse(
        [
            ("message_start", {"type": "message_start", "message": start}),
            (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": 0,
                    "content_block": {"type": "text", "text": ""},
                },
            ),
            (
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": ANSWER},
                },
            ),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": 1},
                },
            ),
            ("message_stop", {"type": "message_stop"}),
        ]
    )


class FakeUpstream:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes; without NODELAY, Nagle plus
                # delayed ACKs add ~40 ms per response and drown every measurement.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                self._reply(200, "application/json", b'{"object": "list", "data": []}')

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = self.rfile.read(length)
                with upstream._lock:
                    upstream.requests.append(
                        {
                            "path": self.path,
                            "body": body,
                            "host": self.headers.get("host"),
                            "headers": {k.lower(): v for k, v in self.headers.items()},
                        }
                    )
                try:
                    payload = json.loads(body or b"{}")
                except ValueError:
                    payload = {}
                model = payload.get("model", "test-model")
                stream = payload.get("stream") is True
                path = self.path.split("?")[0]
                if path.endswith("/chat/completions"):
                    if stream:
                        self._reply(200, "text/event-stream", chat_stream(model))
                    else:
                        self._reply(
                            200, "application/json", json.dumps(chat_completion(model)).encode()
                        )
                elif path.endswith("/responses"):
                    self._reply(
                        200, "application/json", json.dumps(response_object(model)).encode()
                    )
                elif path.endswith("/messages"):
                    if stream:
                        self._reply(200, "text/event-stream", anthropic_stream(model))
                    else:
                        self._reply(
                            200, "application/json", json.dumps(anthropic_message(model)).encode()
                        )
                else:
                    self._reply(404, "application/json", b'{"error": {"message": "not found"}}')

            def _reply(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeUpstream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self) -> list[bytes]:
        with self._lock:
            return [r["body"] for r in self.requests]
