"""SIGTERM: the gateway writes every decision it made before it exits."""

from __future__ import annotations

import signal
import sqlite3
import ssl
from pathlib import Path

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import start_gateway

try:
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

pytestmark = pytest.mark.e2e

IBAN = "DE89 3704 0044 0532 0130 00"


def test_sigterm_flushes_every_decision(tmp_path: Path) -> None:
    upstream = FakeUpstream().start()
    gateway = start_gateway(tmp_path / "gw", upstream)
    try:
        verify = ssl.create_default_context(cafile=str(gateway.ca))
        with httpx.Client(proxy=gateway.proxy_url, verify=verify, timeout=60) as client:
            for n in range(40):
                content = f"Zahlung {n} auf {IBAN}" if n % 2 else f"Frage {n} zu Wärmepumpen"
                answer = client.post(
                    "https://api.openai.com/v1/chat/completions",
                    json={"model": "m", "messages": [{"role": "user", "content": content}]},
                )
                assert answer.status_code == (403 if n % 2 else 200)
        gateway.process.send_signal(signal.SIGTERM)  # right after the last answer
        assert gateway.process.wait(timeout=30) == 0
    finally:
        if gateway.process.poll() is None:
            gateway.process.kill()
        upstream.stop()
    with sqlite3.connect(gateway.db) as conn:
        actions = [a for (a,) in conn.execute("select action from decisions order by id")]
        findings = conn.execute("select count(*) from findings").fetchone()[0]
    assert actions.count("block") == 20 and len(actions) == 40
    assert findings == 20
