"""End to end: the official SDKs and curl through a real `leitplanke proxy` subprocess.

api.openai.com and api.anthropic.com are routed by map_remote to a local fake
upstream; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import sqlite3
import ssl
from collections.abc import Iterator

import anthropic
import openai
import pytest

try:  # current SDKs are built on httpx2 (a fork of httpx); older ones on httpx
    import httpx2 as httpx
except ImportError:  # pragma: no cover
    import httpx  # type: ignore[no-redef]

from bench.fake_upstream import ANSWER
from bench.proxies import Gateway, curl_chat, wait_for

pytestmark = pytest.mark.e2e

# Fictitious test data. The IBAN is the standard documentation example (valid checksum).
IBAN = "DE89 3704 0044 0532 0130 00"
EMAIL = "erika.mustermann@beispiel-firma.de"
API_KEY = "sk-ant-api03-" + "Q7x9" * 22 + "AA"
CLEAN = "Fasse bitte die Vorteile von Wärmepumpen in drei Sätzen zusammen."
RAW_VALUES = [IBAN, IBAN.replace(" ", ""), EMAIL, API_KEY]


@pytest.fixture(scope="module")
def http_client(gateway: Gateway) -> Iterator[httpx.Client]:
    verify = ssl.create_default_context(cafile=str(gateway.ca))
    with httpx.Client(proxy=gateway.proxy_url, verify=verify, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def oai(http_client: httpx.Client) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test-not-a-real-key", http_client=http_client, max_retries=0)


@pytest.fixture(scope="module")
def claude(http_client: httpx.Client) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="test-key", http_client=http_client, max_retries=0)


def upstream_saw(gateway: Gateway, needle: str) -> bool:
    return any(needle.encode() in body for body in gateway.upstream.bodies())


def test_clean_chat_reaches_upstream(gateway: Gateway, oai: openai.OpenAI) -> None:
    answer = oai.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": CLEAN}]
    )
    assert answer.choices[0].message.content == ANSWER
    assert upstream_saw(gateway, "Wärmepumpen")


def test_clean_chat_stream_reaches_upstream(gateway: Gateway, oai: openai.OpenAI) -> None:
    stream = oai.chat.completions.create(
        model="gpt-4o-mini",
        stream=True,
        messages=[{"role": "user", "content": "Streaming: " + CLEAN}],
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == ANSWER


def test_iban_is_blocked_inline_in_german(gateway: Gateway, oai: openai.OpenAI) -> None:
    with pytest.raises(openai.PermissionDeniedError) as caught:
        oai.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": f"Bitte überweise 500 € auf {IBAN}."}],
        )
    message = caught.value.body["message"]  # type: ignore[index]
    assert "IBAN" in message and "nicht" in message
    assert IBAN not in message and "3704" not in message
    assert not upstream_saw(gateway, "3704")


def test_iban_stream_gets_warning_as_assistant_text(gateway: Gateway, oai: openai.OpenAI) -> None:
    stream = oai.chat.completions.create(
        model="gpt-4o-mini",
        stream=True,
        messages=[
            {"role": "system", "content": "Du bist Buchhalter."},
            {"role": "user", "content": f"Konto: {IBAN.replace(' ', '')}"},
        ],
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert "Leitplanke" in text and "IBAN" in text
    assert not upstream_saw(gateway, "37040044")


def test_responses_api_email_blocked_in_english(
    gateway: Gateway, http_client: httpx.Client
) -> None:
    client = openai.OpenAI(
        api_key="sk-test",
        http_client=http_client,
        max_retries=0,
        default_headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.responses.create(model="gpt-4o-mini", input=f"Write to {EMAIL} about the invoice")
    message = caught.value.body["message"]  # type: ignore[index]
    assert "e-mail addresses" in message and "not sent" in message
    assert not upstream_saw(gateway, EMAIL)


def test_anthropic_clean_and_blocked(gateway: Gateway, claude: anthropic.Anthropic) -> None:
    ok = claude.messages.create(
        model="claude-test-model",
        max_tokens=100,
        messages=[{"role": "user", "content": CLEAN}],
    )
    assert ok.content[0].text == ANSWER  # type: ignore[union-attr]
    with pytest.raises(anthropic.PermissionDeniedError) as caught:
        claude.messages.create(
            model="claude-test-model",
            max_tokens=100,
            system="Hilf beim Debuggen.",
            messages=[{"role": "user", "content": f"Mein Key ist {API_KEY}, warum 401?"}],
        )
    assert "Zugangsdaten" in str(caught.value)
    assert not upstream_saw(gateway, "Q7x9Q7x9")


def test_anthropic_clean_stream_reaches_upstream(claude: anthropic.Anthropic) -> None:
    with claude.messages.stream(
        model="claude-test-model", max_tokens=100, messages=[{"role": "user", "content": CLEAN}]
    ) as stream:
        assert stream.get_final_text() == ANSWER


def test_anthropic_stream_blocked_with_warning_text(
    gateway: Gateway, claude: anthropic.Anthropic
) -> None:
    with claude.messages.stream(
        model="claude-test-model",
        max_tokens=100,
        messages=[{"role": "user", "content": f"Schreib an {EMAIL}: Termin verschoben."}],
    ) as stream:
        text = stream.get_final_text()
    assert "Leitplanke" in text and "E-Mail" in text
    assert not upstream_saw(gateway, EMAIL)


def test_curl_through_the_proxy(gateway: Gateway) -> None:
    status, payload = curl_chat(gateway.proxy_url, gateway.ca, f"IBAN {IBAN}")
    assert status == 403
    assert json.loads(payload)["error"]["code"] == "leitplanke_policy_block"


def test_malformed_body_is_a_logged_decision_not_a_crash(
    gateway: Gateway, http_client: httpx.Client
) -> None:
    response = http_client.post(
        "https://api.openai.com/v1/chat/completions",
        content=f"{{not json, but IBAN {IBAN}".encode(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 403  # scanned as raw text, IBAN found, blocked
    assert not upstream_saw(gateway, "3704")


def _db_rows(gateway: Gateway, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(gateway.db) as conn:
        return conn.execute(sql).fetchall()


def test_findings_rows_without_raw_values(gateway: Gateway) -> None:
    # Runs after the tests above in this module (pytest keeps file order).
    wait_for(
        lambda: (
            _db_rows(gateway, "select count(*) from decisions where action = 'block'")[0][0] >= 6
        ),
        20,
        "block decisions in the DB",
    )
    entity_types = {row[0] for row in _db_rows(gateway, "select entity_type from findings")}
    assert {"IBAN_CODE", "EMAIL_ADDRESS", "SECRET"} <= entity_types
    clean = _db_rows(gateway, "select count(*) from decisions where action = 'log'")[0][0]
    assert clean >= 3  # clean prompts to unlisted tools: passed and logged as usage
    masked = {
        row[0]
        for row in _db_rows(
            gateway, "select masked_excerpt from findings where entity_type = 'IBAN_CODE'"
        )
    }
    assert masked == {"DE89 **** **** 3000"}
    # Byte level: no raw value in the database, its WAL, or the proxy log.
    files = [p for p in gateway.db.parent.iterdir() if p.name.startswith(gateway.db.name)]
    files.append(gateway.log)
    for path in files:
        data = path.read_bytes()
        for value in RAW_VALUES:
            assert value.encode() not in data, f"raw value found in {path.name}"
            assert value.encode("utf-16-le") not in data, f"raw value found in {path.name}"
