"""Hot reload through a real `leitplanke proxy`: edit the policy file while it runs."""

from __future__ import annotations

import json
import sqlite3
import ssl
import time
from pathlib import Path

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import start_gateway, stop_gateway, wait_for

try:
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

pytestmark = pytest.mark.e2e

V1 = """\
version: 1
organization: O
contact: c@o.example
data_classes:
  confidential: {terms: [Projekt Falke]}
tools:
  gpt: {services: [openai-api], allowed: [confidential]}
"""
V2 = V1.replace("version: 1", "version: 2").replace("allowed: [confidential]", "allowed: []")


def send(port: int, ca: Path, text: str) -> int:
    with httpx.Client(
        proxy=f"http://127.0.0.1:{port}",
        verify=ssl.create_default_context(cafile=str(ca)),
        timeout=60,  # the first request may wait for the checker workers to start
    ) as client:
        body = {"model": "m", "messages": [{"role": "user", "content": text}]}
        return client.post("https://api.openai.com/v1/chat/completions", json=body).status_code


def test_policy_edits_take_effect_and_broken_edits_do_not(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(V1)
    upstream = FakeUpstream().start()
    gateway = start_gateway(
        tmp_path / "gw",
        upstream,
        [
            "--policy",
            str(policy),
            "--set",
            "leitplanke_policy_reload_s=1",
            "--set",
            rf"map_remote=|https://api\.openai\.com|http://127.0.0.1:{upstream.port}",
        ],
    )
    try:
        assert send(gateway.port, gateway.ca, "Stand Projekt Falke?") == 200
        policy.write_text(V2)
        wait_for(
            lambda: send(gateway.port, gateway.ca, "Stand Projekt Falke?") == 403,
            20,
            "the edited policy to block the project name",
        )
        policy.write_text(V2.replace("tools:", "toolz:"))  # invalid: must be ignored
        time.sleep(2.5)
        assert send(gateway.port, gateway.ca, "Stand Projekt Falke?") == 403
        assert send(gateway.port, gateway.ca, "Hallo") == 200
    finally:
        stop_gateway(gateway)
        upstream.stop()
    with sqlite3.connect(gateway.db) as conn:
        versions = [r[0] for r in conn.execute("select policy_version from decisions order by id")]
    assert versions[0].startswith("1@") and versions[-1].startswith("2@")
    log = gateway.log.read_text(errors="replace")
    assert "policy change rejected, keeping the last good one" in log
    assert "unknown key 'toolz'" in log and "did you mean 'tools'?" in log
    assert json.dumps("Projekt Falke")[1:-1] not in log  # no prompt text in the log
