"""End to end: coaching (policy action "warn") and approval requests through a real
`leitplanke proxy` with proxy login, curl for the AI request and headless Chromium for
the gateway's own pages at http://leitplanke.portal/.

1. curl (proxy user erika) sends a prompt with an IBAN → 403 with a one-time link;
2. Chromium (the same proxy user) opens the link, writes a justification, submits;
3. the same curl request now reaches the fake upstream (200);
4. Chromium files an approval request → a row in approval_requests;
and the IBAN is in no byte of the database files or the gateway log.

Nothing leaves 127.0.0.1: api.openai.com is mapped to a local fake upstream, and
leitplanke.portal is answered by the gateway itself.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import proxies
from bench.fake_upstream import ANSWER
from bench.proxies import Gateway
from tests.e2e.support import CHROMIUM, chromium, policy_gateway

pytestmark = pytest.mark.e2e

sync_api = pytest.importorskip("playwright.sync_api")
needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs the system chromium at /usr/bin/chromium"
)

IBAN = "DE89 3704 0044 0532 0130 00"
EMAIL = "erika.mustermann@beispiel-firma.de"
POLICY = """\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
data_classes:
  personal:
    label: {de: Personenbezogene Daten, en: Personal data}
    entities: [IBAN_CODE, EMAIL_ADDRESS]
on_violation: {personal: warn}
"""
LINK = re.compile(r"http://leitplanke\.portal/coach/[A-Za-z0-9_-]+")
APPROVAL = "http://leitplanke.portal/approval?service=openai-api"


def curl_chat(gateway: Gateway, content: str, user: str = "erika:pw") -> tuple[int, str]:
    return proxies.curl_chat(gateway.proxy_url, gateway.ca, content, proxy_user=user)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    extra = ["--set", "proxyauth=any", "--set", "leitplanke_workers=1"]
    with policy_gateway(tmp_path_factory.mktemp("coaching"), POLICY, extra) as gw:
        yield gw


@pytest.fixture(scope="module")
def browser(gateway: Gateway) -> Iterator[Any]:
    with chromium("--disable-features=HttpsUpgrades") as browser:
        context = browser.new_context(
            proxy={"server": gateway.proxy_url, "username": "erika", "password": "pw"},
            locale="de-DE",
            ignore_https_errors=True,
        )
        yield context
        context.close()


def db_rows(gateway: Gateway, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(gateway.db) as conn:
        return conn.execute(sql).fetchall()


@needs_chromium
def test_warn_justify_in_the_browser_then_send_and_request_approval(
    gateway: Gateway, browser: Any
) -> None:
    # 1. the first attempt is stopped with the coaching link and the approval link
    prompt = f"Bitte überweise 500 € auf {IBAN}."
    status, payload = curl_chat(gateway, prompt)
    assert status == 403, payload
    message = json.loads(payload)["error"]["message"]
    assert "IBAN (Bankverbindung) (1×)" in message and IBAN not in message
    assert APPROVAL in message
    match = LINK.search(message)
    assert match is not None, message
    assert not any(IBAN.encode() in body for body in gateway.upstream.bodies())

    # 2. Chromium, proxy user erika, opens the link and justifies
    page = browser.new_page()
    response = page.goto(match.group(0))
    assert response is not None and response.status == 200
    text = page.inner_text("body")
    assert "IBAN (Bankverbindung) (1×)" in text and IBAN not in page.content()
    page.fill("textarea[name=justification]", f"Rückfrage von {EMAIL}, Zahlung eilt heute")
    page.click("text=Trotzdem senden (begründet)")
    page.wait_for_load_state()
    assert "Begründung gespeichert" in page.inner_text("body"), page.content()
    assert "15 Minuten" in page.inner_text("body")
    # the link is used up
    assert page.goto(match.group(0)).status == 404  # type: ignore[union-attr]

    # 3. the same request now reaches the upstream
    status, payload = curl_chat(gateway, prompt)
    assert status == 200, payload
    assert json.loads(payload)["choices"][0]["message"]["content"] == ANSWER
    # another proxy user is still stopped
    assert curl_chat(gateway, prompt, user="max:pw")[0] == 403

    # 4. an approval request from the link in the message
    page.goto(APPROVAL)
    assert page.input_value("select[name=service]") == "openai-api"
    page.fill("textarea[name=reason]", f"Zahlungsavis erstellen, Rückfragen an {EMAIL}")
    page.fill("input[name=department]", "Buchhaltung")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Antrag eingegangen")
    page.close()

    ((service, tool, reason, department, state),) = db_rows(
        gateway, "select service, tool_name, reason, department, status from approval_requests"
    )
    assert (service, tool, department, state) == ("openai-api", "OpenAI API", "Buchhaltung", "open")
    assert reason == "Zahlungsavis erstellen, Rückfragen an <EMAIL_ADDRESS>"
    ((justification, classes),) = db_rows(
        gateway, "select justification, data_classes from coaching"
    )
    assert justification == "Rückfrage von <EMAIL_ADDRESS>, Zahlung eilt heute"
    assert json.loads(classes) == ["personal"]
    decisions = db_rows(
        gateway, "select action, enforced, user_pseudonym from decisions order by id"
    )
    assert [(a, e) for a, e, _ in decisions] == [
        ("warn", "warn"),
        ("warn", "allow"),
        ("warn", "warn"),
    ]
    assert decisions[0][2] == decisions[1][2] != decisions[2][2]
    # The justification is linked to the decision it stopped and the one it let
    # through (m014), by the link's reference — not by time.
    ((ref,),) = db_rows(gateway, "select ref from coaching")
    refs = [r for (r,) in db_rows(gateway, "select coaching_ref from decisions order by id")]
    assert ref and ref.startswith("c-")
    assert refs[0] == refs[1] == ref and refs[2] not in (None, ref)

    # no raw value in any byte the gateway wrote
    files = [p for p in Path(gateway.db).parent.iterdir() if p.name.startswith("findings.db")]
    files.append(gateway.log)
    for path in files:
        data = path.read_bytes()
        for value in (IBAN, IBAN.replace(" ", ""), EMAIL, "erika"):
            assert value.encode() not in data, f"{value!r} in {path.name}"
