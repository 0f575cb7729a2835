"""A tiny HTTP/1.1 listener on mitmproxy's event loop for the admin endpoints.

Only `GET`/`HEAD` of fixed paths, one request per connection (`Connection: close`),
request heads capped at 8 KiB and 5 s: enough for Prometheus, a load balancer's
health check or curl, and nothing to configure. It runs on the proxy's own asyncio
loop rather than in a thread so `/healthz` can await the checker pool directly;
every handler must therefore be quick or await (never block the loop).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus

log = logging.getLogger(__name__)

MAX_HEAD = 8 * 1024
READ_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes


Handler = Callable[[], Awaitable[Reply]]


def _authorized(head: bytes, token: str) -> bool:
    """No token configured: open. Else the request must carry `Bearer <token>`."""
    if not token:
        return True
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"authorization":
            scheme, _, given = value.strip().partition(b" ")
            return scheme.lower() == b"bearer" and hmac.compare_digest(
                given.strip(), token.encode()
            )
    return False


def _plain(status: HTTPStatus) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", f"{status.phrase}\n".encode())


class AdminServer:
    """`await start(host, port)`, `await stop()`; `routes` maps a path to a handler."""

    def __init__(
        self,
        routes: Mapping[str, Handler],
        protected: frozenset[str] = frozenset(),
        token: Callable[[], str] = lambda: "",
    ) -> None:
        self.routes = dict(routes)
        # Paths that need `Authorization: Bearer <token>` whenever token() is not empty.
        self.protected = protected
        self.token = token
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.Task[None]] = set()

    @property
    def address(self) -> tuple[str, int] | None:
        """(host, port) actually bound, or None when not listening."""
        if self._server is None or not self._server.sockets:
            return None
        host, port = self._server.sockets[0].getsockname()[:2]
        return str(host), int(port)

    async def start(self, host: str, port: int) -> None:
        await self.stop()
        self._server = await asyncio.start_server(self._accept, host, port, limit=MAX_HEAD)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for task in list(self._clients):
            task.cancel()
        await asyncio.gather(*self._clients, return_exceptions=True)
        await server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        except Exception:  # a handler bug must not take the listener down
            log.exception("leitplanke: admin request failed")
        finally:
            self._clients.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT_S)
        except (TimeoutError, asyncio.IncompleteReadError):
            return
        except asyncio.LimitOverrunError:
            await self._send(writer, "GET", _plain(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE))
            return
        parts = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            await self._send(writer, "GET", _plain(HTTPStatus.BAD_REQUEST))
            return
        method, target = parts[0], parts[1]
        path = target.split("?", 1)[0]
        handler = self.routes.get(path)
        if handler is None:
            reply = _plain(HTTPStatus.NOT_FOUND)
        elif path in self.protected and not _authorized(head, self.token()):
            reply = _plain(HTTPStatus.UNAUTHORIZED)
        elif method not in ("GET", "HEAD"):
            reply = _plain(HTTPStatus.METHOD_NOT_ALLOWED)
        else:
            reply = await handler()
        await self._send(writer, method, reply)

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, method: str, reply: Reply) -> None:
        phrase = HTTPStatus(reply.status).phrase
        head = (
            f"HTTP/1.1 {reply.status} {phrase}\r\n"
            f"Content-Type: {reply.content_type}\r\n"
            f"Content-Length: {len(reply.body)}\r\n"
            "Cache-Control: no-store\r\n"
            "Connection: close\r\n\r\n"
        ).encode("latin-1")
        writer.write(head if method == "HEAD" else head + reply.body)
        await writer.drain()
