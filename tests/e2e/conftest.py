"""Start a real `leitplanke proxy` subprocess in front of a local fake upstream."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.fake_upstream import FakeUpstream

LEITPLANKE = shutil.which("leitplanke", path=str(Path(sys.executable).parent)) or "leitplanke"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Gateway:
    port: int
    confdir: Path
    db: Path
    log: Path
    upstream: FakeUpstream
    process: subprocess.Popen[bytes]

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ca(self) -> Path:
        return self.confdir / "mitmproxy-ca-cert.pem"


def start_gateway(
    tmp: Path,
    upstream: FakeUpstream,
    extra: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> Gateway:
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    confdir, db, log = tmp / "conf", tmp / "findings.db", tmp / "proxy.log"
    target = f"http://127.0.0.1:{upstream.port}"
    cmd = [
        LEITPLANKE,
        "proxy",
        "--listen-port",
        str(port),
        "--confdir",
        str(confdir),
        "--db",
        str(db),
        "--set",
        "connection_strategy=lazy",
        # Two map_remote rules in one run: both must survive (one options.set call).
        "--set",
        rf"map_remote=|https://api\.openai\.com|{target}",
        "--set",
        rf"map_remote=|https://api\.anthropic\.com|{target}",
        *(extra or []),
    ]
    environment = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    handle = log.open("wb")
    process = subprocess.Popen(
        cmd, stdout=handle, stderr=subprocess.STDOUT, env={**environment, **(env or {})}
    )
    gateway = Gateway(port, confdir, db, log, upstream, process)
    try:
        wait_for(lambda: port_open(port) and gateway.ca.exists(), 60, "the gateway to listen")
    except TimeoutError:
        process.kill()
        raise AssertionError(f"gateway did not start:\n{log.read_text(errors='replace')}") from None
    return gateway


def curl_chat(proxy_url: str, ca: Path, content: str) -> tuple[int, str]:
    """POST a chat completion to api.openai.com with curl through the proxy."""
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": content}]})
    result = subprocess.run(
        ["curl", "-sS", "-x", proxy_url, "--cacert", str(ca),
         "-H", "content-type: application/json", "-H", "authorization: Bearer sk-test",
         "-w", "\n%{http_code}", "--data-binary", body,
         "https://api.openai.com/v1/chat/completions"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    payload, status = result.stdout.rsplit("\n", 1)
    return int(status), payload


def start_mitmdump(
    tmp: Path, upstream: FakeUpstream, extra: list[str] | None = None
) -> tuple[subprocess.Popen[bytes], int, Path]:
    """Plain `mitmdump` (lazy, api.openai.com mapped to the upstream); returns (process,
    port, CA path). `extra` adds arguments, e.g. `-s` with the Leitplanke addon."""
    port = free_port()
    confdir = tmp / "conf"
    mitmdump = shutil.which("mitmdump", path=str(Path(sys.executable).parent)) or "mitmdump"
    process = subprocess.Popen(
        [mitmdump, "-q", "--listen-host", "127.0.0.1", "--listen-port", str(port),
         "--set", f"confdir={confdir}", "--set", "connection_strategy=lazy",
         "--set", rf"map_remote=|https://api\.openai\.com|http://127.0.0.1:{upstream.port}",
         *(extra or [])],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")},
    )  # fmt: skip
    ca = confdir / "mitmproxy-ca-cert.pem"
    try:
        wait_for(lambda: port_open(port) and ca.exists(), 60, "mitmdump to listen")
    except TimeoutError:
        process.kill()
        raise
    return process, port, ca


def stop_gateway(gateway: Gateway) -> None:
    gateway.process.terminate()
    try:
        gateway.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        gateway.process.kill()
        gateway.process.wait()


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeUpstream]:
    server = FakeUpstream().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, upstream: FakeUpstream) -> Iterator[Gateway]:
    gw = start_gateway(tmp_path_factory.mktemp("gateway"), upstream)
    yield gw
    stop_gateway(gw)
