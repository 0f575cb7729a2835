"""End to end: the client's address is not in a real gateway's log (text or JSON)
unless `leitplanke_log_client_address` asks for it — the works-council promise of
docs/dpo-guide.md. The client's address here is 127.0.0.1 and the source port curl
used, which curl reports itself."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bench.proxies import Gateway, chat_body, curl_post_json, wait_for
from tests.e2e.support import policy_gateway

pytestmark = pytest.mark.e2e


def chat_from(gateway: Gateway, text: str) -> tuple[int, int]:
    """(HTTP status, the client's source port) of one chat request with curl."""
    options = ["-o", "/dev/null", "-w", "%{http_code} %{local_port}"]
    status, port = curl_post_json(gateway.proxy_url, gateway.ca, chat_body(text), options).split()
    return int(status), int(port)


def run_and_read_log(tmp: Path, extra: list[str]) -> tuple[str, int]:
    """Start a gateway, send one clean and one blocked prompt (a decision line each,
    with the user's pseudonym) and a TLS failure (a client that does not trust the
    CA), stop it; the whole log and the source port of the first request."""
    with policy_gateway(tmp, None, ["--set", "leitplanke_workers=0", *extra]) as gateway:
        status, port = chat_from(gateway, "Frage zu Wärmepumpen")
        assert status == 200
        blocked, _ = chat_from(gateway, "Überweise an DE89 3704 0044 0532 0130 00")
        assert blocked == 403
        untrusting = subprocess.run(
            ["curl", "-sS", "-x", gateway.proxy_url, "https://api.openai.com/v1/models"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert untrusting.returncode != 0  # our CA is not in curl's default store
        wait_for(lambda: b"block" in gateway.log.read_bytes(), 20, "the decision lines")
    return gateway.log.read_text(errors="replace"), port


def test_no_client_address_in_the_log_by_default(tmp_path: Path) -> None:
    log, port = run_and_read_log(tmp_path / "text", [])
    assert "user=u-" in log  # the pseudonymised decision lines are there
    assert "client connect" in log  # mitmproxy's connection lines too, without address
    assert f"127.0.0.1:{port}" not in log, log
    assert f":{port}]" not in log


def test_no_client_address_in_json_lines(tmp_path: Path) -> None:
    log, port = run_and_read_log(tmp_path / "json", ["--log-format", "json"])
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert records and not [r for r in records if "client" in r], records
    assert f"127.0.0.1:{port}" not in log


def test_the_option_puts_the_address_back(tmp_path: Path) -> None:
    log, port = run_and_read_log(tmp_path / "on", ["--set", "leitplanke_log_client_address=true"])
    assert f"[127.0.0.1:{port}] client connect" in log, log
