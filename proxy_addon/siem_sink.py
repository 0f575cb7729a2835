"""The SiemSink addon: decisions as SIEM events, live (NIS2 logging).

`leitplanke_siem` names the target: a JSON Lines file (`jsonl:/var/log/leitplanke.jsonl`)
or syslog over UDP, TCP (RFC 6587 octet counting) or a local socket
(`syslog:udp://10.0.0.5:514`, `syslog:tcp://siem.example:6514`, `syslog:unix:/dev/log`);
`leitplanke_siem_format` says what the syslog messages carry (RFC 5424 structured
data, a CEF line or the JSON event). Events are formatted and sent by one background
thread from a bounded queue: the event loop never waits for the SIEM; when the queue
is full, events are dropped, counted and logged once. The event model: docs/siem.md.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
import socket
import threading
from dataclasses import dataclass
from typing import IO, Literal

from mitmproxy import ctx, exceptions

from proxy_addon.option_values import check_choice
from siem.events import FACILITIES, FORMATS, event_of, to_cef, to_json, to_syslog
from store.records import ApprovalRequestRecord, CoachingRecord, DecisionRecord, UsageRecord

log = logging.getLogger(__name__)

Record = DecisionRecord | UsageRecord | CoachingRecord | ApprovalRequestRecord
QUEUE_SIZE = 10_000
FLUSH_TIMEOUT_S = 10.0
DEFAULT_SYSLOG_PORT = 514


@dataclass(frozen=True)
class Target:
    kind: Literal["jsonl", "udp", "tcp", "unix"]
    path: str = ""  # jsonl file or unix socket
    host: str = ""
    port: int = DEFAULT_SYSLOG_PORT


def parse_target(text: str) -> Target | None:
    """`` (off), `jsonl:/path`, `syslog:udp://host[:port]`, `syslog:tcp://host[:port]`,
    `syslog:unix:/path`; raises ValueError with the accepted forms."""
    text = text.strip()
    if not text:
        return None
    forms = (
        "use jsonl:/path/file, syslog:udp://host:port, syslog:tcp://host:port "
        "or syslog:unix:/dev/log"
    )
    if text.startswith("jsonl:"):
        path = text[len("jsonl:") :]
        if not path:
            raise ValueError(f"leitplanke_siem {text!r}: no file; {forms}")
        return Target("jsonl", path=path)
    if text.startswith("syslog:unix:"):
        path = text[len("syslog:unix:") :]
        if not path:
            raise ValueError(f"leitplanke_siem {text!r}: no socket path; {forms}")
        return Target("unix", path=path)
    for scheme in ("udp", "tcp"):
        prefix = f"syslog:{scheme}://"
        if text.startswith(prefix):
            host, port = _host_port(text[len(prefix) :].rstrip("/"), text, forms)
            return Target("udp" if scheme == "udp" else "tcp", host=host, port=port)
    raise ValueError(f"leitplanke_siem {text!r}: unknown target; {forms}")


def _host_port(address: str, text: str, forms: str) -> tuple[str, int]:
    if address.startswith("["):  # [IPv6]:port
        host, _, rest = address[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif address.count(":") == 1:
        host, port_text = address.split(":")
    else:
        host, port_text = address, ""
    if not host:
        raise ValueError(f"leitplanke_siem {text!r}: no host; {forms}")
    if not port_text:
        return host, DEFAULT_SYSLOG_PORT
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"leitplanke_siem {text!r}: invalid port {port_text!r}; {forms}")
    return host, int(port_text)


class _Transport:
    def send(self, line: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _File(_Transport):
    def __init__(self, path: str) -> None:
        # Pseudonyms are still about people: a new file is owner-only, like the store.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.file: IO[str] = open(fd, "a", encoding="utf-8", newline="\n")  # noqa: SIM115

    def send(self, line: str) -> None:
        self.file.write(line + "\n")
        self.file.flush()

    def close(self) -> None:
        self.file.close()


class _Udp(_Transport):
    def __init__(self, host: str, port: int) -> None:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
        self.address = address
        self.sock = socket.socket(family, kind, proto)

    def send(self, line: str) -> None:
        self.sock.sendto(line.encode("utf-8"), self.address)

    def close(self) -> None:
        self.sock.close()


class _Tcp(_Transport):
    """RFC 6587 octet counting (`LEN SP MSG`); connects lazily and again after an error."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.sock: socket.socket | None = None

    def send(self, line: str) -> None:
        data = line.encode("utf-8")
        frame = str(len(data)).encode() + b" " + data
        for attempt in (1, 2):
            try:
                if self.sock is None:
                    self.sock = socket.create_connection((self.host, self.port), timeout=5)
                self.sock.sendall(frame)
                return
            except OSError:
                self.close()
                if attempt == 2:
                    raise

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class _Unix(_Transport):
    def __init__(self, path: str) -> None:
        self.stream = False
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self.sock.connect(path)
        except OSError as exc:
            self.sock.close()
            if exc.errno != errno.EPROTOTYPE:
                raise
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.connect(path)
            self.stream = True

    def send(self, line: str) -> None:
        data = line.encode("utf-8")
        if self.stream:
            self.sock.sendall(data + b"\n")
        else:
            self.sock.send(data)

    def close(self) -> None:
        self.sock.close()


def _open(target: Target) -> _Transport:
    if target.kind == "jsonl":
        return _File(target.path)
    if target.kind == "udp":
        return _Udp(target.host, target.port)
    if target.kind == "tcp":
        return _Tcp(target.host, target.port)
    return _Unix(target.path)


@dataclass(frozen=True)
class _Settings:
    target: Target
    fmt: str
    facility: str
    include_hashes: bool
    hostname: str


_STOP = object()


class _Worker:
    """One thread: take records from the queue, format, send."""

    def __init__(self, settings: _Settings, transport: _Transport, size: int) -> None:
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


class SiemSink:
    def __init__(self, queue_size: int = QUEUE_SIZE, hostname: str | None = None) -> None:
        self.queue_size = queue_size
        self.hostname = hostname or socket.gethostname()
        self.worker: _Worker | None = None
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
        if not any(name.startswith("leitplanke_siem") for name in updated):
            return
        opts = ctx.options
        try:
            target = parse_target(opts.leitplanke_siem)
        except ValueError as exc:
            raise exceptions.OptionsError(str(exc)) from None
        settings = (
            None
            if target is None
            else _Settings(
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
        transport = None
        if settings is not None:
            try:
                transport = _open(settings.target)
            except OSError as exc:
                raise exceptions.OptionsError(
                    f"leitplanke_siem {opts.leitplanke_siem!r}: {exc}"
                ) from None
        old, self.worker = self.worker, None
        if old is not None:
            old.stop()
        if settings is not None and transport is not None:
            self.worker = _Worker(settings, transport, self.queue_size)
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
