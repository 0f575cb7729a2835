"""Sending SIEM events from one background thread with a bounded queue, so that the
event loop never waits for the SIEM.

The thread also opens the target, and opens it again after it failed: a SIEM that is
down or a log file that cannot be written when the gateway starts is an error line
and a metric (`up` is 0), not a reason to stop checking prompts. Events wait in the
queue meanwhile; when it is full they are dropped and counted (SiemSink)."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from siem.events import event_of
from siem.formats import to_cef, to_json, to_syslog
from siem.transport import Target, Transport
from store.records import ApprovalRequestRecord, CoachingRecord, DecisionRecord, UsageRecord

log = logging.getLogger(__name__)


Record = DecisionRecord | UsageRecord | CoachingRecord | ApprovalRequestRecord


FLUSH_TIMEOUT_S = 10.0
RETRY_S = 30.0  # between attempts to open a target that failed


@dataclass(frozen=True)
class Settings:
    target: Target
    fmt: str
    facility: str
    include_hashes: bool
    hostname: str


_STOP = object()


class Sender:
    """One thread: open the target (again after a failure), take records from the
    queue, format, send."""

    def __init__(
        self,
        settings: Settings,
        opener: Callable[[], Transport],
        size: int,
        retry_s: float = RETRY_S,
    ) -> None:
        self.settings = settings
        self.opener = opener
        self.retry_s = retry_s
        self.transport: Transport | None = None
        self.queue: queue.Queue[object] = queue.Queue(size)
        self.sent = 0
        self.failed = 0
        self.up = False  # the target is open and the last send worked
        self._failing = False
        self._stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="leitplanke-siem", daemon=True)
        self.thread.start()

    def line(self, row: Record) -> str:
        s = self.settings
        event = event_of(row, include_hashes=s.include_hashes)
        if s.target.kind == "jsonl":
            return to_json(event)
        if s.fmt == "cef":
            return to_syslog(
                event, s.hostname, facility=s.facility, message=to_cef(event), structured=False
            )
        if s.fmt == "jsonl":
            return to_syslog(
                event, s.hostname, facility=s.facility, message=to_json(event), structured=False
            )
        return to_syslog(event, s.hostname, facility=s.facility)

    def _outage(self, what: str, exc: BaseException) -> None:
        self.up = False
        if not self._failing:  # once per outage, not once per event
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else repr(exc)
            # A warning: mitmproxy ends the start on any error line, and a SIEM that is
            # down must not stop the gateway (leitplanke_siem_up shows it).
            log.warning(
                "leitplanke: SIEM %s: %s: %s — retrying every %d s; events wait in the "
                "queue (leitplanke_siem_up is 0)",
                describe(self.settings.target),
                what,
                reason,
                self.retry_s,
            )
            self._failing = True

    def _recovered(self) -> None:
        self.up = True
        if self._failing:
            log.info("leitplanke: SIEM sending again (%d events lost)", self.failed)
            self._failing = False

    def _connect(self) -> bool:
        try:
            transport = self.opener()
            transport.connect()
        except Exception as exc:
            self._outage("cannot open", exc)
            return False
        self.transport = transport
        self._recovered()
        return True

    def _run(self) -> None:
        self._connect()
        while True:
            try:
                item = self.queue.get(timeout=None if self.transport else self.retry_s)
            except queue.Empty:
                self._connect()
                continue
            try:
                if item is _STOP:
                    return
                # Hold the event until the target is back (or the gateway stops).
                while self.transport is None and not self._stopping.is_set():
                    if self._connect():
                        break
                    self._stopping.wait(self.retry_s)
                if self.transport is None:
                    self.failed += 1
                    continue
                self._send(item)  # type: ignore[arg-type]
            finally:
                self.queue.task_done()

    def _send(self, row: Record) -> None:
        assert self.transport is not None
        try:
            self.transport.send(self.line(row))
        except Exception as exc:
            self.failed += 1
            self._outage("cannot send events", exc)
            self.transport.close()
            self.transport = None  # opened again before the next event
            return
        self.sent += 1
        self._recovered()

    def stop(self, timeout: float = FLUSH_TIMEOUT_S) -> None:
        self._stopping.set()
        try:
            self.queue.put(_STOP, timeout=timeout)
        except queue.Full:
            log.error("leitplanke: SIEM queue did not drain; unsent events are lost")
        self.thread.join(timeout)
        if self.transport is not None:
            self.transport.close()


def describe(target: Target) -> str:
    """The target as the option names it (jsonl:/path, syslog:tcp://host:port)."""
    if target.kind == "jsonl":
        return f"jsonl:{target.path}"
    if target.kind == "unix":
        return f"syslog:unix:{target.path}"
    return f"syslog:{target.kind}://{target.host}:{target.port}"
