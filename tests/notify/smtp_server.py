"""A real SMTP server for the tests, in its own process: aiosmtpd's Controller.

    python smtp_server.py PORT OUT_DIR [--tls CERT KEY] [--user NAME:PASSWORD]

Writes every message it accepts, byte for byte as received, to OUT_DIR/<n>.eml and
one line per session event (EHLO, STARTTLS, AUTH, MAIL) to OUT_DIR/session.log, so a
test can tell that the mail went over TLS. With --tls it offers STARTTLS and requires
it before MAIL; with --user it requires a login (only after STARTTLS). Binds
127.0.0.1 and exits by itself after LIFETIME_S, or at SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import ssl
import threading
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

LIFETIME_S = 120


class Keep:  # aiosmtpd calls handle_<VERB> hooks by these names
    """The handler: keep each message, log what the session did."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.lock = threading.Lock()

    def log(self, line: str) -> None:
        with self.lock, (self.out / "session.log").open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    async def handle_EHLO(
        self, server: Any, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self.log(f"EHLO tls={session.ssl is not None}")
        return responses

    async def handle_MAIL(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.log(f"MAIL tls={session.ssl is not None} auth={session.authenticated}")
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        with self.lock:
            number = len(list(self.out.glob("*.eml")))
            (self.out / f"{number}.eml").write_bytes(envelope.original_content or b"")
        return "250 Message accepted"


def authenticator(user: str, password: str) -> Any:
    def check(
        server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == user
            and data.password.decode() == password
        )
        return AuthResult(success=ok)

    return check


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--user")
    args = parser.parse_args()
    handler = Keep(args.out)
    options: dict[str, Any] = {}
    if args.tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*args.tls)
        options |= {"tls_context": context, "require_starttls": True}
    if args.user:
        name, _, password = args.user.partition(":")
        options |= {
            "authenticator": authenticator(name, password),
            "auth_required": True,
            "auth_require_tls": bool(args.tls),
        }
    controller = Controller(handler, hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait(LIFETIME_S)
    controller.stop()


if __name__ == "__main__":
    main()
