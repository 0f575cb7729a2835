"""A loopback upstream that answers every method and records every request byte-exact.

bench/fake_upstream.py records POST bodies only; an adversarial test must see what
reaches the vendor by any route: the method, the raw request target (path and query),
every header and the body as sent (compressed, UTF-16 … as it arrived). The answers are
shaped after the API the path names, so the official SDKs accept them.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.fake_upstream import anthropic_message, chat_completion, response_object


@dataclass(frozen=True)
class Recorded:
    method: str
    target: str  # the request target as received: path and query, still percent-encoded
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _answer(path: str) -> bytes:
    """Answers shaped like the vendor's (also the Files and Uploads APIs), so the SDKs
    accept them."""
    if path.endswith("/chat/completions"):
        return json.dumps(chat_completion("test-model")).encode()
    if path.endswith("/responses"):
        return json.dumps(response_object("test-model")).encode()
    if path.endswith("/messages"):
        return json.dumps(anthropic_message("test-model")).encode()
    if ":generateContent" in path:
        candidate = {"content": {"role": "model", "parts": [{"text": "ok"}]}, "index": 0}
        return json.dumps({"candidates": [candidate]}).encode()
    if path.endswith("/v1/files"):
        file = {"id": "file-up", "object": "file", "bytes": 1, "created_at": 1}
        return json.dumps({**file, "filename": "f", "purpose": "assistants"}).encode()
    if path.endswith("/v1/uploads") or path.endswith("/complete"):
        upload = {"id": "upload_up", "object": "upload", "bytes": 1, "created_at": 1}
        upload |= {"filename": "f", "purpose": "assistants", "expires_at": 9, "status": "pending"}
        return json.dumps(upload).encode()
    if path.endswith("/parts"):
        part = {"id": "part_up", "object": "upload.part", "created_at": 1, "upload_id": "u"}
        return json.dumps(part).encode()
    return b'{"ok": true}'


class RecordingUpstream:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def __getattr__(self, name: str) -> Any:
                # BaseHTTPRequestHandler dispatches to do_<METHOD>: every method is served.
                if name.startswith("do_"):
                    return self._serve
                raise AttributeError(name)

            def _body(self) -> bytes:
                if self.headers.get("transfer-encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("content-length") or 0))

            def _serve(self) -> None:
                body = self._body()
                record = Recorded(self.command, self.path, tuple(self.headers.items()), body)
                with upstream._lock:
                    upstream.requests.append(record)
                payload = b"" if self.command == "HEAD" else _answer(self.path.split("?")[0])
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> RecordingUpstream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def since(self, mark: int) -> list[Recorded]:
        with self._lock:
            return list(self.requests[mark:])

    def mark(self) -> int:
        with self._lock:
            return len(self.requests)
