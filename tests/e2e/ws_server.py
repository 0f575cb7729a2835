"""The loopback WebSocket server the fake AI back ends run on: websockets' sync
server on 127.0.0.1 (a free port) in a daemon thread; a subclass answers the
connections in `_handle` and keeps what it records under `_lock`."""

from __future__ import annotations

import threading
from typing import Self

from websockets.sync.server import Server, ServerConnection, serve


class LoopbackWsServer:
    # websockets' own default message limit (1 MiB); a subclass may lift it.
    max_size: int | None = 2**20

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.socket.getsockname()[1])

    def start(self) -> Self:
        self._server = serve(self._handle, "127.0.0.1", 0, max_size=self.max_size)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _handle(self, ws: ServerConnection) -> None:
        raise NotImplementedError
