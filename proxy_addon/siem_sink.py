"""The SiemSink addon: decisions as SIEM events, live (NIS2 logging).

`leitplanke_siem` names the target: a JSON Lines file (`jsonl:/var/log/leitplanke.jsonl`)
or syslog over UDP, TCP (RFC 6587 octet counting) or a local socket
(`syslog:udp://10.0.0.5:514`, `syslog:tcp://siem.example:6514`, `syslog:unix:/dev/log`);
`leitplanke_siem_format` says what the syslog messages carry (RFC 5424 structured
data, a CEF line or the JSON event). Events are formatted and sent by one background
thread from a bounded queue: the event loop never waits for the SIEM; when the queue
is full, events are dropped, counted and logged once. A target that cannot be opened
(SIEM down, log file not writable) is retried in the background; `/metrics` shows
`leitplanke_siem_up` 0 meanwhile. The event model: docs/siem.md.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading

from mitmproxy import ctx, exceptions

from proxy_addon import option_values
from proxy_addon.option_values import check_choice
from siem.events import FACILITIES, FORMATS
from siem.sender import FLUSH_TIMEOUT_S, RETRY_S, Record, Sender, Settings
from siem.transport import open_transport, parse_target
from store.records import UsageRecord

log = logging.getLogger(__name__)


QUEUE_SIZE = 10_000


class SiemSink:
    def __init__(
        self, queue_size: int = QUEUE_SIZE, hostname: str | None = None, retry_s: float = RETRY_S
    ) -> None:
        self.queue_size = queue_size
        self.retry_s = retry_s
        self.hostname = hostname or socket.gethostname()
        self.worker: Sender | None = None
        self.usage = False
        self.dropped = 0
        self._warned = False

    def load(self, loader: object) -> None:
        add = loader.add_option  # type: ignore[attr-defined]
        add(
            "leitplanke_siem",
            str,
            "",
            "Send decisions to a SIEM: jsonl:/path/file, syslog:udp://host:514, "
            "syslog:tcp://host:port or syslog:unix:/dev/log; empty: off.",
        )
        add(
            "leitplanke_siem_format",
            str,
            "syslog",
            "What syslog messages carry: syslog (RFC 5424 structured data), cef or jsonl.",
            choices=list(FORMATS),
        )
        add(
            "leitplanke_siem_facility",
            str,
            "local0",
            "Syslog facility of SIEM messages.",
            choices=list(FACILITIES),
        )
        add(
            "leitplanke_siem_hashes",
            bool,
            False,
            "Add the keyed value hashes of findings to SIEM events (for correlation).",
        )
        add(
            "leitplanke_siem_usage",
            bool,
            False,
            "Also send usage events (each connection/request to an AI service).",
        )

    def configure(self, updated: set[str]) -> None:
        check_choice("leitplanke_siem_format", FORMATS)
        check_choice("leitplanke_siem_facility", list(FACILITIES))
        if not option_values.settled() or not any(
            name.startswith("leitplanke_siem") for name in updated
        ):
            return
        opts = ctx.options
        try:
            target = parse_target(opts.leitplanke_siem)
        except ValueError as exc:
            raise exceptions.OptionsError(str(exc)) from None
        settings = (
            None
            if target is None
            else Settings(
                target,
                opts.leitplanke_siem_format,
                opts.leitplanke_siem_facility,
                opts.leitplanke_siem_hashes,
                self.hostname,
            )
        )
        self.usage = opts.leitplanke_siem_usage
        if self.worker is not None and settings == self.worker.settings:
            return
        old, self.worker = self.worker, None
        if old is not None:
            old.stop()
        if settings is not None:
            # Opened (and opened again after a failure) by the sending thread: a SIEM
            # that is down at start is an error line and a metric, never fatal.
            target = settings.target
            self.worker = Sender(
                settings, lambda: open_transport(target), self.queue_size, self.retry_s
            )
            log.info("leitplanke: SIEM events to %s (%s)", opts.leitplanke_siem, settings.fmt)

    def emit(self, row: Record) -> None:
        """Queue one record's event; never blocks (a full queue drops and counts)."""
        worker = self.worker
        if worker is None or (isinstance(row, UsageRecord) and not self.usage):
            return
        try:
            worker.queue.put_nowait(row)
        except queue.Full:
            self.dropped += 1
            if not self._warned:
                log.warning(
                    "leitplanke: SIEM queue full (%d events); dropping events until it drains",
                    self.queue_size,
                )
                self._warned = True

    def flush(self, timeout: float = FLUSH_TIMEOUT_S) -> None:
        """Wait until queued events are sent (not from the event loop in production)."""
        worker = self.worker
        if worker is None:
            return
        done = threading.Event()

        def wait() -> None:
            worker.queue.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        done.wait(timeout)

    def done(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop()
        if self.dropped:
            log.warning("leitplanke: %d SIEM events dropped (queue full)", self.dropped)
