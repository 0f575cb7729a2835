"""The systemd path end to end: run leitplanke.service's own ExecStart (specifiers
pointing at a tmp dir, loopback only) with the unit's environment, working directory
and umask, stdout as a journald stream and — when the kernel has it — the memory
protection MemoryDenyWriteExecute=yes asks for. It serves requests, logs JSON lines
with priority prefixes and no detected values, and exits 0 on SIGTERM with the DB intact."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import curl_chat, free_port, port_open, wait_for
from tests.deploy.units import SYSTEMD, command_line, environment, last, parse_unit, specifiers

pytestmark = pytest.mark.e2e

IBAN = "DE89 3704 0044 0532 0130 00"
PR_SET_MDWE, PR_GET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 66, 1

# Exec the rest of argv with the kernel's "memory deny write execute" on: no mapping
# may be writable and executable, none may become executable later. It survives exec
# and is inherited by the checker's worker processes.
MDWE_WRAPPER = (
    "import ctypes, os, sys\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    f"if libc.prctl({PR_SET_MDWE}, {PR_MDWE_REFUSE_EXEC_GAIN}, 0, 0, 0) != 0:\n"
    "    sys.exit('prctl(PR_SET_MDWE) failed: errno %d' % ctypes.get_errno())\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n"
)


def mdwe_supported() -> bool:
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            MDWE_WRAPPER,
            sys.executable,
            "-c",
            f"import ctypes; print(ctypes.CDLL(None).prctl({PR_GET_MDWE}, 0, 0, 0, 0))",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return probe.returncode == 0 and probe.stdout.strip() == str(PR_MDWE_REFUSE_EXEC_GAIN)


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeUpstream]:
    server = FakeUpstream().start()
    yield server
    server.stop()


def healthz(port: int) -> int:
    try:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        with opener.open(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


class Service:
    """leitplanke.service's ExecStart running the way systemd would run it."""

    def __init__(self, tmp_path: Path, upstream: FakeUpstream, *, mdwe: bool = False) -> None:
        self.unit = unit = parse_unit(SYSTEMD / "leitplanke.service")
        etc, state, creds = tmp_path / "etc", tmp_path / "state", tmp_path / "creds"
        values = specifiers(etc, state, creds)
        # What systemd prepares: ConfigurationDirectory= and StateDirectory= (mode 0700).
        (etc / "leitplanke").mkdir(parents=True)
        self.state_dir = state / "leitplanke"
        self.state_dir.mkdir(parents=True, mode=0o700)
        self.port, self.admin_port = free_port(), free_port()
        # deploy/config.example.yaml's db and confdir, in the tmp state directory.
        (etc / "leitplanke" / "config.yaml").write_text(
            f"db: {self.state_dir}/leitplanke.db\n"
            f"confdir: {self.state_dir}/mitmproxy\n"
            "listen_host: 127.0.0.1\n"
            f"listen_port: {self.port}\n"
            "set:\n"
            "  connection_strategy: lazy\n"
            "  leitplanke_workers: 1\n"
            f"  leitplanke_admin_port: {self.admin_port}\n"
            "  map_remote:\n"
            f"    - '|https://api\\.openai\\.com|http://127.0.0.1:{upstream.port}'\n",
            "utf-8",
        )
        argv = command_line(unit, values, str(Path(sys.executable).with_name("leitplanke")))
        if mdwe:
            argv = [sys.executable, "-c", MDWE_WRAPPER, *argv]
        self.log = tmp_path / "journal.log"
        self.handle = self.log.open("wb")
        journal = os.fstat(self.handle.fileno())
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env.pop("LEITPLANKE_CONFIG", None)
        env |= environment(unit) | {"JOURNAL_STREAM": f"{journal.st_dev}:{journal.st_ino}"}
        self.process = subprocess.Popen(
            argv,
            cwd=values["%S"] + last(unit, "WorkingDirectory").removeprefix("%S"),
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            process_group=0,
            umask=int(last(unit, "UMask"), 8),
        )
        self.confdir = self.state_dir / "mitmproxy"
        self.ca = self.confdir / "mitmproxy-ca-cert.pem"
        try:
            wait_for(lambda: port_open(self.port) and self.ca.exists(), 90, "the gateway")
            wait_for(lambda: healthz(self.admin_port) == 200, 120, "/healthz to answer 200")
        except TimeoutError:
            self.stop()
            raise AssertionError(self.log.read_text(errors="replace")) from None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.handle.close()


def test_exec_start_serves_logs_json_and_stops_cleanly(
    tmp_path: Path, upstream: FakeUpstream
) -> None:
    service = Service(tmp_path, upstream)
    unit, log, state_dir, confdir = service.unit, service.log, service.state_dir, service.confdir
    try:
        assert curl_chat(service.url, service.ca, "Wie funktioniert eine Wärmepumpe?")[0] == 200
        status, body = curl_chat(service.url, service.ca, f"Überweise an {IBAN}")
        assert status == 403 and "IBAN" in body
        # Logs arrive while the gateway runs (line-buffered stdout), not at exit.
        wait_for(lambda: "block openai-api" in log.read_text("utf-8"), 10, "the decision line")
        service.process.send_signal(signal.SIGTERM)
        timeout = int(last(unit, "TimeoutStopSec"))
        assert service.process.wait(timeout=timeout) == 0, log.read_text()
    finally:
        service.stop()

    # DB intact: both decisions written, SQLite's own check passes.
    db = state_dir / "leitplanke.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        actions = [a for (a,) in conn.execute("select action from decisions order by id")]
    assert len(actions) == 2 and actions[1] == "block"
    # Everything the gateway created is owner-only (UMask=0077), the CA key above all.
    for path in (db, Path(f"{db}.key"), confdir / "mitmproxy-ca.pem"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path

    # The journal stream: every line "<priority>{json}", one record per line.
    text = log.read_text("utf-8")
    entries = []
    for line in filter(None, text.splitlines()):
        match = re.fullmatch(r"<([0-7])>(\{.*\})", line)
        assert match, f"not a prefixed JSON line: {line!r}"
        entry = json.loads(match[2])
        assert int(match[1]) == entry["priority"]
        entries.append(entry)
    messages = [e["message"] for e in entries]
    assert any(m.startswith("leitplanke: config ") for m in messages)
    decision = next(m for m in messages if "block openai-api" in m)
    assert "IBAN_CODE" in decision
    assert not [e for e in entries if e["priority"] <= 3], "errors logged"
    # Never a detected value, in any form.
    digits = IBAN.replace(" ", "")
    assert digits not in text.replace(" ", "") and "0532 0130" not in text


def test_memory_deny_write_execute_breaks_tls(tmp_path: Path, upstream: FakeUpstream) -> None:
    """Why the units leave MemoryDenyWriteExecute= off: pyOpenSSL's cffi callbacks need
    writable+executable memory, so under it every intercepted TLS handshake fails."""
    if not mdwe_supported():
        pytest.skip("the kernel has no PR_SET_MDWE (Linux >= 6.3)")
    service = Service(tmp_path, upstream, mdwe=True)
    try:
        with pytest.raises(subprocess.CalledProcessError):
            curl_chat(service.url, service.ca, "Wie funktioniert eine Wärmepumpe?")
        wait_for(lambda: "write+execute memory" in service.log.read_text("utf-8"), 10, "the error")
    finally:
        service.stop()
