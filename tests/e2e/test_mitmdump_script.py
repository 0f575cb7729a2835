"""The addon also loads into plain `mitmdump -s` with leitplanke_* options."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.fake_upstream import ANSWER, FakeUpstream
from bench.proxies import curl_chat as curl_to_openai
from bench.proxies import start_mitmdump, wait_for

pytestmark = pytest.mark.e2e

ADDON = Path(__file__).parents[2] / "proxy_addon" / "leitplanke_addon.py"
IBAN = "DE89 3704 0044 0532 0130 00"
# This company approved the OpenAI API for personal data, but not for secrets.
POLICY = """\
version: 7
organization: Beispiel AG
contact: dsb@beispiel.example
data_classes:
  personal: {entities: [IBAN_CODE, EMAIL_ADDRESS]}
  secrets: {entities: [SECRET]}
tools:
  openai: {name: OpenAI API (Vertrag), services: [openai-api], allowed: [personal]}
on_violation: {personal: block, secrets: block}
"""


@dataclass
class Dump:
    port: int
    ca: Path
    db: Path
    upstream: FakeUpstream


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dump]:
    tmp = tmp_path_factory.mktemp("mitmdump")
    policy = tmp / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    upstream = FakeUpstream().start()
    db = tmp / "f.db"
    process, port, ca = start_mitmdump(
        tmp,
        upstream,
        ["-s", str(ADDON), "--set", f"leitplanke_policy={policy}", "--set", f"leitplanke_db={db}"],
    )
    try:
        yield Dump(port, ca, db, upstream)
    finally:
        process.terminate()
        process.wait(timeout=20)
        upstream.stop()


def curl_chat(dump: Dump, content: str) -> tuple[int, str]:
    return curl_to_openai(f"http://127.0.0.1:{dump.port}", dump.ca, content)


def test_policy_option_allows_what_the_tool_is_approved_for(dump: Dump) -> None:
    status, payload = curl_chat(dump, f"Bitte an {IBAN} überweisen")
    assert status == 200 and json.loads(payload)["choices"][0]["message"]["content"] == ANSWER
    assert any(b"3704" in body for body in dump.upstream.bodies())


def test_policy_option_blocks_what_it_is_not_approved_for(dump: Dump) -> None:
    secret = "ghp_" + "Zq4" * 12
    status, payload = curl_chat(dump, f"token {secret}")
    assert status == 403
    assert "Beispiel AG" in json.loads(payload)["error"]["message"]
    assert not any(secret.encode() in body for body in dump.upstream.bodies())


def test_db_option_receives_rows_with_policy_version(dump: Dump) -> None:
    def rows() -> list[tuple[object, ...]]:
        with sqlite3.connect(dump.db) as conn:
            return conn.execute(
                "select action, tool, tool_status, policy_version from decisions order by id"
            ).fetchall()

    wait_for(lambda: dump.db.exists() and len(rows()) >= 2, 20, "two decisions")
    (allow, block) = rows()[:2]
    assert allow[:3] == ("allow", "openai", "approved")
    assert block[:3] == ("block", "openai", "approved")
    assert str(allow[3]).startswith("7@")
