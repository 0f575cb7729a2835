"""The case format of the adversarial suite, for the file cases (file_cases.py), and a
recording upstream that answers the Files and Uploads APIs the official SDKs call.

The Case and Client shapes follow the suite's shared format (tests/adversarial: one
`cases_<topic>.py` module per class, `CASES: list[Case]`), so the file cases run in the
shared runner as well; test_files.py runs them through a real `leitplanke proxy`.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

from bench.fake_upstream import chat_completion

try:  # current SDKs are built on httpx2 (a fork of httpx); older ones on httpx
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

# Fictitious values with valid check digits (the IBAN is the standard documentation one).
IBAN = "DE89370400440532013000"
IBAN_SPACED = "DE89 3704 0044 0532 0130 00"
EMAIL = "erika.mustermann@beispiel.de"  # fits an Excel sheet name (31 characters)
VALUES = (IBAN, EMAIL)


@dataclass
class Client:
    """What a case sends with: the gateway's address and CA, an httpx client through
    it, the official SDKs, curl."""

    proxy_url: str
    ca: Path
    http: httpx.Client
    extra: dict[str, Any] = field(default_factory=dict)

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        response = self.http.request(method, url, content=body, headers=headers or {})
        if response.headers.get("x-leitplanke-enforced") == "block":
            return 403  # web apps get their block as a 200 in their own stream format
        return response.status_code

    def curl(self, *args: str) -> int:
        """curl through the gateway with its CA; returns the HTTP status."""
        command = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}"]
        result = subprocess.run(
            [*command, "-x", self.proxy_url, "--cacert", str(self.ca), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return int(result.stdout.strip())

    def openai(self) -> Any:
        import openai

        return openai.OpenAI(api_key="sk-test-not-a-key", http_client=self.http, max_retries=0)

    def anthropic(self) -> Any:
        import anthropic

        return anthropic.Anthropic(api_key="test-key", http_client=self.http, max_retries=0)


def sdk_status(call: Callable[[], object]) -> int:
    """The HTTP status an SDK call ended with (200 when it returned)."""
    try:
        call()
    except Exception as exc:  # the SDKs' APIStatusError and friends carry status_code
        status = getattr(exc, "status_code", None)
        if status is None:
            raise
        return int(status)
    return 200


@dataclass(frozen=True)
class Case:
    name: str  # unique over all case modules; the test id
    bypass: str  # the class of bypass it tries, e.g. "outside-body", "unreadable"
    send: Callable[[Client], int]  # sends the request(s); the HTTP status the client saw
    expect: Literal["block", "redact", "pass"] = "block"
    values: tuple[str, ...] = VALUES  # what must never reach the upstream ("block")
    marker: str = ""  # "pass": a string the upstream must have received
    gateway: str = "default"


def verify(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


# --- the upstream ----------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    method: str
    target: str  # path and query as received
    headers: tuple[tuple[str, str], ...]
    body: bytes


def _answer(path: str) -> bytes:
    """Answers shaped like OpenAI's and Anthropic's, so the SDKs accept them."""
    if path.endswith("/chat/completions"):
        return json.dumps(chat_completion("test-model")).encode()
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


class FilesUpstream:
    """Records every request (any method) byte-exact and answers it as the API would."""

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
                if name.startswith("do_"):  # every method is served
                    return self._serve
                raise AttributeError(name)

            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                record = Recorded(self.command, self.path, tuple(self.headers.items()), body)
                with upstream._lock:
                    upstream.requests.append(record)
                payload = _answer(self.path.split("?")[0])
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

    def start(self) -> FilesUpstream:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def mark(self) -> int:
        with self._lock:
            return len(self.requests)

    def since(self, mark: int) -> list[Recorded]:
        with self._lock:
            return list(self.requests[mark:])
