"""Shared setup of the end-to-end tests: a real gateway in front of a fake upstream
with a policy file, the system Chromium, and `leitplanke review` as a subprocess.
One place for what many e2e modules start the same way (the gateway helpers
themselves live in bench/proxies.py, shared with `leitplanke bench`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import Gateway, free_port, start_gateway, stop_gateway, stop_process

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def require_chromium() -> None:
    """Skip without the system Chromium — but fail in CI, where a missing browser
    must not quietly turn the browser tests off."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} missing (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} missing")


@contextmanager
def chromium(*extra_args: str, proxy_url: str | None = None) -> Iterator[Any]:
    """The system Chromium, headless under Playwright, with CHROMIUM_ARGS and
    `extra_args`, through the proxy at `proxy_url` when given. Closes on exit."""
    from playwright.sync_api import sync_playwright

    proxy = {"proxy": {"server": proxy_url}} if proxy_url else {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args], **proxy
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def policy_gateway(
    tmp: Path,
    policy: str | None,
    extra: Sequence[str] = (),
    gateway_dir: str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[Gateway]:
    """A FakeUpstream and a real `leitplanke proxy` in front of it, with `policy`
    (YAML text) written to tmp/policy.yaml and passed as --policy when given; the
    gateway's files go to tmp/`gateway_dir` (tmp itself without), `env` adds to its
    environment. Both stop on exit."""
    args = list(extra)
    if policy is not None:
        path = tmp / "policy.yaml"
        path.write_text(policy, "utf-8")
        args = ["--policy", str(path), *args]
    upstream = FakeUpstream().start()
    try:
        gateway = start_gateway(tmp / gateway_dir if gateway_dir else tmp, upstream, args, env)
        try:
            yield gateway
        finally:
            stop_gateway(gateway)
    finally:
        upstream.stop()


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"leitplanke review exited with {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError("leitplanke review did not start listening")


@contextmanager
def review_server(
    db: Path, password_hash_file: Path, log_path: Path, extra: Sequence[str] = ()
) -> Iterator[str]:
    """`leitplanke review` on `db` (the DPO's password hash in `password_hash_file`,
    `extra` more arguments) on a free loopback port; its base URL. Stops on exit."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "cli.review_command",
        "--db",
        str(db),
        "--port",
        str(port),
        "--password-hash-file",
        str(password_hash_file),
        *extra,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, process)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process(process)


def admin_get(port: int, path: str) -> tuple[int, str]:
    """GET `path` from a gateway's admin port (no proxy from the environment: it is
    loopback); (HTTP status, body), error statuses included."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
