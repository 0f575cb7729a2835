"""A local HTTPS origin with its own self-signed certificate, and a mitmproxy test
addon that sends tunnelled connections to it instead of the internet.

Lets an end-to-end test prove that a non-AI host is tunnelled untouched: the client
must see this origin's certificate, not one minted by the gateway's CA.
"""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.certs import self_signed_cert

ORIGIN_BODY = b"origin says hello"


def self_signed(directory: Path, names: list[str]) -> tuple[Path, Path, bytes]:
    """(cert file, key file, DER) for a throw-away certificate valid for `names`."""
    cert_file, key_file = directory / "origin.pem", directory / "origin.key"
    der = self_signed_cert(cert_file, key_file, names, "Leitplanke test origin")
    return cert_file, key_file, der


class TlsOrigin:
    """HTTPS server on 127.0.0.1 answering every GET with ORIGIN_BODY."""

    def __init__(self, directory: Path, names: list[str]) -> None:
        self.cert_file, key_file, self.der = self_signed(directory, names)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("content-length", str(len(ORIGIN_BODY)))
                self.end_headers()
                self.wfile.write(ORIGIN_BODY)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_file, key_file)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> TlsOrigin:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
