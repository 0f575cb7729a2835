"""One TLS probe of an AI service from the gateway host, as the gateway would reach it:
directly or through the company's proxy (CONNECT), a TLS handshake with the host's
name (SNI) checked against the system's trust store, then `GET /` — and whether the
answer is the service or a bot challenge (cli/bot_challenge.py).

Plain sockets and `ssl` (the OpenSSL the gateway's mitmproxy uses too), no HTTP
library: the doctor must see the handshake and the raw answer, and connect to a
local address instead of the real one when told to (`--connect-to`, as in curl).
"""

from __future__ import annotations

import base64
import socket
import ssl
from dataclasses import dataclass, field

from cli.bot_challenge import Challenge, detect

MAX_ANSWER = 256 * 1024


@dataclass(frozen=True)
class Route:
    """How to reach a host: `connect` overrides the address (curl's --connect-to),
    `proxy` is the company proxy (host, port) with its `user:password`."""

    connect: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    proxy: tuple[str, int] | None = None
    proxy_auth: str | None = None
    cafile: str | None = None
    timeout: float = 10.0


@dataclass(frozen=True)
class Answer:
    tls: str  # "TLSv1.3 TLS_AES_256_GCM_SHA384"
    status: int
    headers: list[tuple[str, str]]
    challenge: Challenge | None


class ProbeError(Exception):
    """The host could not be reached or the handshake failed; the message says where."""


def probe(host: str, port: int, route: Route, user_agent: str) -> Answer:
    target = route.connect.get((host, port), (host, port))
    try:
        sock = _open(target, route)
    except OSError as exc:
        via = f"the proxy {route.proxy[0]}:{route.proxy[1]}" if route.proxy else "TCP"
        raise ProbeError(f"cannot connect ({via}): {exc.strerror or exc}") from None
    context = ssl.create_default_context(cafile=route.cafile)
    try:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            version, cipher = tls.version() or "", (tls.cipher() or ("",))[0]
            request = (
                f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {user_agent}\r\n"
                "Accept: text/html,application/json;q=0.9,*/*;q=0.8\r\n"
                "Accept-Language: de-DE,de;q=0.9,en;q=0.8\r\nConnection: close\r\n\r\n"
            )
            tls.sendall(request.encode())
            raw = _read(tls)
    except ssl.SSLCertVerificationError as exc:
        raise ProbeError(f"TLS: the certificate is not trusted: {exc.verify_message}") from None
    except (ssl.SSLError, OSError) as exc:
        raise ProbeError(f"TLS handshake failed: {exc}") from None
    finally:
        sock.close()
    status, headers, body = _parse(raw)
    return Answer(f"{version} {cipher}".strip(), status, headers, detect(status, headers, body))


def _open(target: tuple[str, int], route: Route) -> socket.socket:
    if route.proxy is None:
        return socket.create_connection(target, timeout=route.timeout)
    sock = socket.create_connection(route.proxy, timeout=route.timeout)
    host, port = target
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    auth = ""
    if route.proxy_auth:
        token = base64.b64encode(route.proxy_auth.encode()).decode()
        auth = f"Proxy-Authorization: Basic {token}\r\n"
    sock.sendall(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n{auth}\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 16384:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ", 2)
    if len(parts) < 2 or parts[1] != "200":
        sock.close()
        raise OSError(f"the proxy refused CONNECT {authority}: {line or 'no answer'}")
    return sock


def _read(tls: ssl.SSLSocket) -> bytes:
    data = b""
    while len(data) < MAX_ANSWER:
        try:
            chunk = tls.recv(65536)
        except (ssl.SSLError, OSError):
            break  # a server that ends without close_notify: keep what came
        if not chunk:
            break
        data += chunk
    return data


def _parse(raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError):
        raise ProbeError(f"no HTTP answer after the handshake: {lines[0][:80]!r}") from None
    headers = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers.append((name.strip(), value.strip()))
    return status, headers, body
