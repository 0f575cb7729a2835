"""Start and stop the proxies under test: `leitplanke proxy` and plain `mitmdump`.

Both listen on 127.0.0.1 only, with `connection_strategy=lazy` and `map_remote` from
the real AI hosts to a local upstream, so clients speak HTTPS to `api.openai.com`
through the proxy and nothing leaves the machine. Used by `leitplanke bench` and the
end-to-end tests (tests/e2e).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

LEITPLANKE = shutil.which("leitplanke", path=str(Path(sys.executable).parent)) or "leitplanke"
MITMDUMP = shutil.which("mitmdump", path=str(Path(sys.executable).parent)) or "mitmdump"
STREAM_SSE_ADDON = Path(__file__).with_name("stream_sse.py")


class Upstream(Protocol):
    """Anything listening on 127.0.0.1:port (FakeUpstream, EchoUpstream, a subprocess)."""

    @property
    def port(self) -> int: ...


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _environment() -> dict[str, str]:
    """This environment without proxy settings (the proxies connect to loopback)."""
    return {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}


@dataclass
class Gateway:
    port: int
    confdir: Path
    db: Path
    log: Path
    upstream: Any  # the Upstream it maps to; tests read FakeUpstream.requests from it
    process: subprocess.Popen[bytes]

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ca(self) -> Path:
        return self.confdir / "mitmproxy-ca-cert.pem"


def start_gateway(
    tmp: Path,
    upstream: Upstream,
    extra: list[str] | None = None,
    env: dict[str, str] | None = None,
    anthropic: Upstream | None = None,
    own_group: bool = False,
) -> Gateway:
    """`leitplanke proxy` on a free port, api.openai.com and api.anthropic.com mapped
    to the upstream (api.anthropic.com to `anthropic` if given); `extra` adds
    arguments (e.g. `--policy FILE`); `own_group` starts it in a process group of its
    own (a test may then signal the whole group, as a terminal's Ctrl-C does)."""
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    confdir, db, log = tmp / "conf", tmp / "findings.db", tmp / "proxy.log"
    target = f"http://127.0.0.1:{upstream.port}"
    anthropic_target = f"http://127.0.0.1:{(anthropic or upstream).port}"
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
        rf"map_remote=|https://api\.anthropic\.com|{anthropic_target}",
        *(extra or []),
    ]
    with log.open("wb") as handle:
        process = subprocess.Popen(
            cmd,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env={**_environment(), **(env or {})},
            start_new_session=own_group,
        )
    gateway = Gateway(port, confdir, db, log, upstream, process)
    try:
        wait_for(lambda: port_open(port) and gateway.ca.exists(), 60, "the gateway to listen")
    except TimeoutError:
        process.kill()
        process.wait()
        raise AssertionError(f"gateway did not start:\n{log.read_text(errors='replace')}") from None
    return gateway


def stop_gateway(gateway: Gateway) -> None:
    stop_process(gateway.process)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate, wait up to 20 s, then kill."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_mitmdump(
    tmp: Path, upstream: Upstream, extra: list[str] | None = None
) -> tuple[subprocess.Popen[bytes], int, Path]:
    """Plain `mitmdump` (lazy, api.openai.com mapped to the upstream); returns (process,
    port, CA path). `extra` adds arguments, e.g. `-s` with the Leitplanke addon."""
    port = free_port()
    confdir = tmp / "conf"
    process = subprocess.Popen(
        [
            MITMDUMP,
            "-q",
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            str(port),
            "--set",
            f"confdir={confdir}",
            "--set",
            "connection_strategy=lazy",
            "--set",
            rf"map_remote=|https://api\.openai\.com|http://127.0.0.1:{upstream.port}",
            *(extra or []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_environment(),
    )
    ca = confdir / "mitmproxy-ca-cert.pem"
    try:
        wait_for(lambda: port_open(port) and ca.exists(), 60, "mitmdump to listen")
    except TimeoutError:
        process.kill()
        process.wait()
        raise
    return process, port, ca


OPENAI_CHAT = "https://api.openai.com/v1/chat/completions"


def chat_body(content: str) -> str:
    """An OpenAI chat completion request with one user message, as JSON."""
    return json.dumps({"model": "m", "messages": [{"role": "user", "content": content}]})


def curl_post_json(
    proxy_url: str,
    ca: Path,
    data: str,
    options: Sequence[str] = (),
    url: str = OPENAI_CHAT,
    timeout: float = 60,
) -> str:
    """POST `data` (JSON; "@file" reads it from a file) to `url` with curl through
    the proxy, trusting `ca`; `options` are more curl options (-w, -o, -D, -U, -H).
    curl's stdout; a failing curl raises."""
    result = subprocess.run(
        [
            "curl",
            "-sS",
            "-x",
            proxy_url,
            "--cacert",
            str(ca),
            "-H",
            "content-type: application/json",
            *options,
            "--data-binary",
            data,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return result.stdout


def curl_chat(
    proxy_url: str, ca: Path, content: str, proxy_user: str | None = None
) -> tuple[int, str]:
    """POST a chat completion to api.openai.com with curl through the proxy (as
    `proxy_user` "name:password" when given)."""
    login = ["-U", proxy_user] if proxy_user else []
    options = [*login, "-H", "authorization: Bearer sk-test", "-w", "\n%{http_code}"]
    payload, status = curl_post_json(proxy_url, ca, chat_body(content), options).rsplit("\n", 1)
    return int(status), payload
