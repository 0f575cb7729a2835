"""The LogPrivacy addon: no client addresses in the gateway's log unless asked for.

mitmproxy writes the client's address and port next to its connection lines
(`[10.20.30.41:51234] client connect`, TLS handshake failures, …). The gateway's
own decision lines carry the user's pseudonym a second later; with both in one
journal, anyone who can read it could tie an address-based pseudonym to a person
without the four-eyes `leitplanke reidentify` step. So the address is removed from
every log record (text and JSON) unless `leitplanke_log_client_address` is set,
e.g. for a works-council-approved troubleshooting window (docs/dpo-guide.md).
"""

from __future__ import annotations

import logging

from mitmproxy import ctx


class HideClientAddress(logging.Filter):
    """Drops mitmproxy's `client` extra (the peer address) and the address's text."""

    def __init__(self) -> None:
        super().__init__()
        self.enabled = True

    def filter(self, record: logging.LogRecord) -> bool:
        client = getattr(record, "client", None)
        if not self.enabled or not client:
            return True
        record.client = None
        host = str(client[0]) if isinstance(client, tuple) and client else str(client)
        if host and isinstance(record.msg, str) and host in record.getMessage():
            # e.g. "Client connection from 10.1.2.3 killed by block_global option."
            record.msg, record.args = record.getMessage().replace(host, "<client>"), None
        return True


class LogPrivacy:
    def __init__(self) -> None:
        self.filter = HideClientAddress()

    def load(self, loader: object) -> None:
        loader.add_option(  # type: ignore[attr-defined]
            "leitplanke_log_client_address",
            bool,
            False,
            "Write client addresses into the log (mitmproxy's connection lines). Off: "
            "the journal cannot tie an address-based pseudonym to a machine (works "
            "council, docs/dpo-guide.md).",
        )

    def configure(self, updated: set[str]) -> None:
        self.filter.enabled = not ctx.options.leitplanke_log_client_address
        self._attach()

    def running(self) -> None:
        self._attach()  # handlers added after our configure (e.g. by other addons)

    def _attach(self) -> None:
        # Handler filters, not a logger filter: records from mitmproxy's loggers
        # propagate to the root logger's handlers without passing its own filters.
        for handler in logging.getLogger().handlers:
            if self.filter not in handler.filters:
                handler.addFilter(self.filter)

    def done(self) -> None:
        for handler in logging.getLogger().handlers:
            handler.removeFilter(self.filter)
