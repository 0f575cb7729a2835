"""A local HTTPS origin with its own self-signed certificate, and a mitmproxy test
addon that sends tunnelled connections to it instead of the internet.

Lets an end-to-end test prove that a non-AI host is tunnelled untouched: the client
must see this origin's certificate, not one minted by the gateway's CA.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ORIGIN_BODY = b"origin says hello"


def self_signed(directory: Path, names: list[str]) -> tuple[Path, Path, bytes]:
    """(cert file, key file, DER) for a throw-away certificate valid for `names`."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Leitplanke test origin")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([_san(n) for n in names]), False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "origin.pem", directory / "origin.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file, cert.public_bytes(serialization.Encoding.DER)


def _san(name: str) -> x509.GeneralName:
    """An IP address as an IP SAN (clients check those for https://127.0.0.1/), else DNS."""
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


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
