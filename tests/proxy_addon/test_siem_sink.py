"""SiemSink: live events to a JSON Lines file, UDP, TCP and a local socket; never blocks."""

from __future__ import annotations

import json
import logging
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons

from proxy_addon.siem_sink import SiemSink
from siem import events
from siem.transport import Target, parse_target
from tests.siem.test_siem import IBAN, SYSLOG, approval, decision, parse_cef, sd_params, usage


@contextmanager
def sink(**options: object) -> Iterator[SiemSink]:
    addon = SiemSink(hostname="gw1", retry_s=0.05)
    with taddons.context(addon) as tctx:
        tctx.configure(addon, **options)
        yield addon
        addon.done()


def udp_server() -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    server.settimeout(10)
    return server


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("", None),
        ("jsonl:/var/log/l.jsonl", Target("jsonl", path="/var/log/l.jsonl")),
        ("syslog:udp://127.0.0.1:5514", Target("udp", host="127.0.0.1", port=5514)),
        ("syslog:udp://siem.example", Target("udp", host="siem.example", port=514)),
        ("syslog:tcp://[::1]:6514", Target("tcp", host="::1", port=6514)),
        ("syslog:unix:/dev/log", Target("unix", path="/dev/log")),
    ],
)
def test_targets(text: str, target: Target | None) -> None:
    assert parse_target(text) == target


@pytest.mark.parametrize(
    "text", ["syslog:udp://", "syslog:udp://h:99999", "http://x", "jsonl:", "syslog:tcp://h:x"]
)
def test_invalid_targets_are_option_errors(text: str) -> None:
    with pytest.raises(ValueError, match="leitplanke_siem"):
        parse_target(text)
    addon = SiemSink()
    with taddons.context(addon) as tctx, pytest.raises(exceptions.OptionsError):
        tctx.configure(addon, leitplanke_siem=text)


def wait_until(predicate: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + 10
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_unwritable_file_is_retried_in_the_background(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Not fatal: one error line naming the target, `up` 0, then delivered once the
    directory exists — the events waited in the queue."""
    path = tmp_path / "missing" / "e.jsonl"
    with caplog.at_level(logging.WARNING), sink(leitplanke_siem=f"jsonl:{path}") as addon:
        assert addon.worker is not None
        wait_until(lambda: caplog.records, "the error line")
        assert not addon.worker.up
        addon.emit(decision())
        path.parent.mkdir()
        addon.flush()
        wait_until(lambda: addon.worker is not None and addon.worker.up, "the target to open")
        assert len(path.read_text().splitlines()) == 1
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.startswith(f"leitplanke: SIEM jsonl:{path}: cannot open: No such file")
    assert "retrying every" in line and "\n" not in line


def test_off_by_default() -> None:
    with sink() as addon:
        assert addon.worker is None
        addon.emit(decision())  # nothing to do, no error


def test_jsonl_file(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    with sink(leitplanke_siem=f"jsonl:{path}") as addon:
        record = decision()
        addon.emit(record)
        addon.emit(usage())  # usage events are off by default
        addon.emit(approval())
        addon.flush()
        lines = path.read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        events.decision_event(record),
        events.approval_request_event(approval()),
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert IBAN.replace(" ", "") not in path.read_text() and "DE89" not in path.read_text()


def test_usage_events_when_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    with sink(leitplanke_siem=f"jsonl:{path}", leitplanke_siem_usage=True) as addon:
        addon.emit(usage())
        addon.flush()
    assert json.loads(path.read_text())["event_type"] == "usage"


@pytest.mark.parametrize("fmt", ["syslog", "cef", "jsonl"])
def test_udp_syslog(fmt: str) -> None:
    server = udp_server()
    port = server.getsockname()[1]
    record = decision()
    with sink(
        leitplanke_siem=f"syslog:udp://127.0.0.1:{port}",
        leitplanke_siem_format=fmt,
        leitplanke_siem_hashes=True,
    ) as addon:
        addon.emit(record)
        data, _ = server.recvfrom(65535)
    server.close()
    match = SYSLOG.match(data.decode("utf-8"))
    assert match, data
    assert int(match["pri"]) == 16 * 8 + 4 and match["host"] == "gw1"
    event = events.decision_event(record, include_hashes=True)
    if fmt == "syslog":
        params = sd_params(match["sd"])
        assert params["event_id"] == event["event_id"] and "value_hashes" in params
    elif fmt == "cef":
        header, ext = parse_cef(match["msg"])
        assert header[6] == "7" and ext["externalId"] == event["event_id"]
        assert "leitplankeValueHashes" in ext
    else:
        assert json.loads(match["msg"]) == event


def frames_of(data: bytes) -> tuple[list[str], bytes]:
    """RFC 6587 octet counting: complete `LEN SP MSG` frames and the rest."""
    frames = []
    while b" " in data:
        length, _, rest = data.partition(b" ")
        if len(rest) < int(length):
            break
        frames.append(rest[: int(length)].decode())
        data = rest[int(length) :]
    return frames, data


def test_tcp_syslog_octet_counting() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(10)
    port = server.getsockname()[1]
    with sink(leitplanke_siem=f"syslog:tcp://127.0.0.1:{port}") as addon:
        addon.emit(decision())
        addon.emit(decision(action="allow"))
        conn, _ = server.accept()
        conn.settimeout(10)
        received, frames = b"", []
        while len(frames) < 2:
            received += conn.recv(65535)
            frames, _ = frames_of(received)
    conn.close()
    server.close()
    assert len(frames) == 2 and all(SYSLOG.match(f) for f in frames)
    assert frames[0].startswith(f"<{16 * 8 + 4}>1 ") and frames[1].startswith(f"<{16 * 8 + 6}>1 ")


def test_unix_datagram_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "log.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(path)
    server.settimeout(10)
    with sink(leitplanke_siem=f"syslog:unix:{path}", leitplanke_siem_format="cef") as addon:
        addon.emit(decision())
        data = server.recv(65535).decode()
    server.close()
    match = SYSLOG.match(data)
    assert match and match["msg"].startswith("CEF:0|Leitplanke|Leitplanke|")


def test_missing_unix_socket_is_not_fatal(tmp_path: Path) -> None:
    with sink(leitplanke_siem=f"syslog:unix:{tmp_path}/none.sock") as addon:
        worker = addon.worker
        assert worker is not None
        addon.emit(decision())
        addon.flush(timeout=0.2)
        assert not worker.up and worker.failed == 0  # waiting for the socket
    assert worker.failed == 1  # lost only at shutdown


def test_full_queue_drops_counts_and_logs_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "events.jsonl"
    addon = SiemSink(queue_size=2)
    release = threading.Event()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, leitplanke_siem=f"jsonl:{path}")
        worker = addon.worker
        assert worker is not None
        wait_until(lambda: worker.transport is not None, "the file to open")
        assert worker.transport is not None
        send = worker.transport.send

        def slow(line: str) -> None:
            release.wait(10)
            send(line)

        worker.transport.send = slow  # type: ignore[method-assign]
        with caplog.at_level(logging.WARNING):
            for _ in range(10):
                addon.emit(decision())  # returns at once even though the SIEM hangs
            release.set()
            addon.done()
    assert 7 <= addon.dropped <= 8
    assert len(path.read_text().splitlines()) == 10 - addon.dropped
    full = [r for r in caplog.records if "queue full" in r.getMessage()]
    assert len(full) == 2  # once when it happened, once with the total at shutdown
    assert f"{addon.dropped} SIEM events dropped" in full[1].getMessage()


def test_unreachable_siem_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nobody listens there
    with (
        caplog.at_level(logging.WARNING),
        sink(leitplanke_siem=f"syslog:tcp://127.0.0.1:{port}") as a,
    ):
        worker = a.worker
        assert worker is not None
        a.emit(decision())
        a.emit(decision())
        a.flush(timeout=0.3)
        assert not worker.up and worker.sent == 0
    assert worker.failed == 2  # still undelivered when the gateway stopped
    assert len([r for r in caplog.records if "cannot open" in r.getMessage()]) == 1


def test_reconfigure_switches_target(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    addon = SiemSink()
    with taddons.context(addon) as tctx:
        tctx.configure(addon, leitplanke_siem=f"jsonl:{first}")
        addon.emit(decision())
        tctx.configure(addon, leitplanke_siem=f"jsonl:{second}")  # flushes the old one
        addon.emit(decision())
        tctx.configure(addon, leitplanke_siem="")
        assert addon.worker is None
        addon.emit(decision())
        addon.done()
    assert len(first.read_text().splitlines()) == 1
    assert len(second.read_text().splitlines()) == 1
