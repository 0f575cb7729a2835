"""mitmproxy test addon (`-s` / `--set scripts=`): every upstream connection that is
not already to 127.0.0.1 goes to the local TLS origin instead, so that tunnelled
connections in end-to-end tests never leave the machine (and need no DNS)."""

from __future__ import annotations

import os

from mitmproxy.proxy import server_hooks


class LoopbackTunnels:
    def server_connect(self, data: server_hooks.ServerConnectionHookData) -> None:
        port = int(os.environ["LEITPLANKE_TEST_ORIGIN_PORT"])
        address = data.server.address
        if address is not None and address[0] != "127.0.0.1":
            data.server.address = ("127.0.0.1", port)


addons = [LoopbackTunnels()]
