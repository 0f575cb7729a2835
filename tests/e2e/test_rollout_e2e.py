"""End to end: rollout modes through a real `leitplanke proxy` with proxy login, driven
by the official openai SDK.

The policy monitors everyone (week 1–2 of a rollout) except the sales department,
which already enforces. The same prompt with an IBAN
- from a buyer (group `einkauf`, mode monitor) reaches the upstream unchanged and is
  recorded as would-be block (action block, enforced log, mode monitor);
- from a sales employee (group `vertrieb`, mode enforce) is blocked inline and never
  reaches the upstream.

api.openai.com is mapped to a local fake upstream; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import sqlite3
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

try:  # current SDKs are built on httpx2 (a fork of httpx); older ones on httpx
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

from bench.fake_upstream import ANSWER
from bench.proxies import Gateway, wait_for
from tests.e2e.support import policy_gateway

pytestmark = pytest.mark.e2e

IBAN = "DE89 3704 0044 0532 0130 00"
POLICY = """\
version: 1
organization: Muster Maschinenbau GmbH
contact: datenschutz@muster.example
mode: monitor                      # everyone: record only (rollout weeks 1–2)
data_classes:
  personal:
    label: {de: Personenbezogene Daten, en: Personal data}
    entities: [IBAN_CODE, EMAIL_ADDRESS]
on_violation: {personal: block}
groups:
  einkauf: {users: [e.einkauf], mode: monitor}
  vertrieb: {users: [v.vertrieb], mode: enforce}   # the pilot department enforces
"""


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    extra = ["--set", "proxyauth=any", "--set", "leitplanke_workers=1"]
    with policy_gateway(tmp_path_factory.mktemp("rollout"), POLICY, extra) as gw:
        yield gw


def sdk_for(gateway: Gateway, user: str) -> tuple[openai.OpenAI, httpx.Client]:
    """The openai SDK as a proxy-authenticated employee would use it."""
    verify = ssl.create_default_context(cafile=str(gateway.ca))
    client = httpx.Client(
        proxy=f"http://{user}:pw@127.0.0.1:{gateway.port}", verify=verify, timeout=60
    )
    sdk = openai.OpenAI(api_key="sk-test-not-a-real-key", http_client=client, max_retries=0)
    return sdk, client


def upstream_saw(gateway: Gateway, needle: str) -> bool:
    return any(needle.encode() in body for body in gateway.upstream.bodies())


def rows(gateway: Gateway) -> list[tuple[Any, ...]]:
    with sqlite3.connect(gateway.db) as conn:
        return conn.execute(
            "select user_group, action, enforced, mode, reasons, finding_count "
            "from decisions order by id"
        ).fetchall()


def test_monitor_group_passes_and_is_recorded_while_enforce_group_is_blocked(
    gateway: Gateway,
) -> None:
    buyer, buyer_http = sdk_for(gateway, "e.einkauf")
    seller, seller_http = sdk_for(gateway, "v.vertrieb")
    with buyer_http, seller_http:
        # monitor: the prompt reaches the upstream unchanged, the answer comes back
        monitored = f"Einkauf: Bitte Zahlung an {IBAN} vorbereiten."
        answer = buyer.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": monitored}]
        )
        assert answer.choices[0].message.content == ANSWER
        assert upstream_saw(gateway, monitored)

        # enforce: blocked inline with the German explanation, never sent upstream
        enforced = f"Vertrieb: Bitte Zahlung an {IBAN} vorbereiten."
        with pytest.raises(openai.PermissionDeniedError) as caught:
            seller.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": enforced}]
            )
        message = caught.value.body["message"]  # type: ignore[index]
        assert "IBAN (Bankverbindung) (1×)" in message and IBAN not in message
        assert caught.value.response.headers["x-leitplanke-decision"] == "block"
        assert "x-leitplanke-mode" not in caught.value.response.headers
        assert not upstream_saw(gateway, "Vertrieb:")

    wait_for(lambda: len(rows(gateway)) >= 2, 20, "both decisions to be recorded")
    (buyer_row, seller_row) = rows(gateway)
    group, action, enforced_as, mode, reasons, count = buyer_row
    assert (group, action, enforced_as, mode, count) == ("einkauf", "block", "log", "monitor", 1)
    assert {"personal:not_allowed:block", "mode:monitor", "block:enforced_as_log"} <= set(
        json.loads(reasons)
    )
    group, action, enforced_as, mode, reasons, count = seller_row
    assert (group, action, enforced_as, mode, count) == ("vertrieb", "block", "block", "enforce", 1)
    assert "mode:monitor" not in json.loads(reasons)

    # the gateway's log line says what would have happened, never the value
    log = Path(gateway.log).read_text(errors="replace")
    assert "mode=monitor enforced=log" in log
    db_bytes = b"".join(
        p.read_bytes() for p in Path(gateway.db).parent.iterdir() if p.name.startswith("findings")
    )
    for value in (IBAN, IBAN.replace(" ", "")):
        assert value not in log and value.encode() not in db_bytes
