"""Sending SIEM events from one background thread with a bounded queue, so that the
event loop never waits for the SIEM."""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass

from siem.events import event_of
from siem.formats import to_cef, to_json, to_syslog
from siem.transport import Target, Transport
from store.records import ApprovalRequestRecord, CoachingRecord, DecisionRecord, UsageRecord

log = logging.getLogger(__name__)


Record = DecisionRecord | UsageRecord | CoachingRecord | ApprovalRequestRecord


FLUSH_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Settings:
    target: Target
    fmt: str
    facility: str
    include_hashes: bool
    hostname: str


_STOP = object()


class Sender:
    """One thread: take records from the queue, format, send."""

    def __init__(self, settings: Settings, transport: Transport, size: int) -> None:
        self.settings = settings
        self.transport = transport
        self.queue: queue.Queue[object] = queue.Queue(size)
        self.sent = 0
        self.failed = 0
        self._failing = False
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

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is _STOP:
                    return
                self._send(item)  # type: ignore[arg-type]
            finally:
                self.queue.task_done()

    def _send(self, row: Record) -> None:
        try:
            self.transport.send(self.line(row))
        except Exception as exc:
            self.failed += 1
            if not self._failing:  # once per outage, not once per event
                log.error("leitplanke: SIEM %s: cannot send events: %r", self.settings.target, exc)
                self._failing = True
            return
        self.sent += 1
        if self._failing:
            log.info("leitplanke: SIEM sending again (%d events lost)", self.failed)
            self._failing = False

    def stop(self, timeout: float = FLUSH_TIMEOUT_S) -> None:
        try:
            self.queue.put(_STOP, timeout=timeout)
        except queue.Full:
            log.error("leitplanke: SIEM queue did not drain; unsent events are lost")
        self.thread.join(timeout)
        self.transport.close()
