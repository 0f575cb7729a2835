"""Login throttling for the review UI: per account and client address, then per address.

datasette-auth-passwords checks every password it is given, as fast as it is asked.
This ASGI middleware sits in front of its login form (POST /-/login): after
MAX_FAILURES failed logins for one account from one address (or MAX_ADDRESS_FAILURES
for any accounts from one address) further attempts are refused for a lockout window
that doubles with every failure beyond the limit (BASE_LOCK_S up to MAX_LOCK_S).
While locked, even the right password is refused: the form shows how long to wait
and the answer is HTTP 429. A successful login clears the account+address count.
State is in memory: a restart of `leitplanke review` clears it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from review.csv_export import App, Message, Receive, Scope, Send

MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 20
BASE_LOCK_S = 30.0
MAX_LOCK_S = 3600.0
FORGET_AFTER_S = 24 * 3600.0  # a count without failures for this long starts again
MAX_BODY = 64 * 1024
LOCKED_SCOPE_KEY = "leitplanke.login_locked_s"


@dataclass
class _Count:
    failures: int = 0
    locked_until: float = 0.0
    last: float = 0.0


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._counts: dict[tuple[str, ...], _Count] = {}

    def _keys(self, account: str, address: str) -> list[tuple[tuple[str, ...], int]]:
        return [
            (("account", account.casefold(), address), MAX_FAILURES),
            (("address", address), MAX_ADDRESS_FAILURES),
        ]

    def locked_for(self, account: str, address: str) -> float:
        """Seconds until a login for `account` from `address` is allowed again (0: now)."""
        now = self.clock()
        waits = [0.0]
        for key, _limit in self._keys(account, address):
            count = self._counts.get(key)
            if count is not None:
                waits.append(count.locked_until - now)
        return max(waits)

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        for key, limit in self._keys(account, address):
            count = self._counts.setdefault(key, _Count())
            if now - count.last > FORGET_AFTER_S:
                count.failures = 0
            count.failures += 1
            count.last = now
            if count.failures >= limit:
                lock = min(BASE_LOCK_S * 2 ** (count.failures - limit), MAX_LOCK_S)
                count.locked_until = now + lock
        if len(self._counts) > 10_000:  # forget the oldest: memory stays bounded
            for key, _ in sorted(self._counts.items(), key=lambda kv: kv[1].last)[:5_000]:
                del self._counts[key]

    def succeeded(self, account: str, address: str) -> None:
        self._counts.pop(("account", account.casefold(), address), None)

    def wrap(self, app: App, login_path: str = "/-/login") -> App:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if (
                scope["type"] != "http"
                or scope.get("method") != "POST"
                or scope.get("path") != login_path
            ):
                await app(scope, receive, send)
                return
            body = await _read_body(receive)
            if body is None:
                await _plain(send, 413, "request too large")
                return
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            account = form.get("username", "")
            address = (scope.get("client") or ("?", 0))[0]
            wait = self.locked_for(account, address)
            if wait > 0:
                # The form is shown again with the lockout message; the password is
                # never checked (the right one would not help either).
                form["password"] = ""
                body = urlencode(form).encode()
                scope = dict(scope, **{LOCKED_SCOPE_KEY: int(wait) + 1})
            status: list[int] = []
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            async def observe(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status.append(message["status"])
                    if wait > 0:
                        message = dict(message, status=429)
                await send(message)

            await app(scope, replay, observe)
            if wait > 0 or not status:
                return
            if status[0] in (301, 302, 303):  # the plugin redirects a successful login
                self.succeeded(account, address)
            elif status[0] == 200 and account:
                self.failed(account, address)

        return wrapped


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _plain(send: Send, status: int, text: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})


def lock_seconds(request_scope: dict[str, Any]) -> int:
    return int(request_scope.get(LOCKED_SCOPE_KEY, 0))
