"""End to end: policy action "redact" through a real `leitplanke proxy`.

The official openai and anthropic SDKs send prompts with an IBAN and an e-mail
address; the upstream (a local echo server) only ever sees placeholders, and the
SDKs get the original values back, also when the answer is streamed one character
per event (every placeholder split across events at every offset).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator
from pathlib import Path

import anthropic
import openai
import pytest

from bench.echo_upstream import EchoUpstream
from bench.fake_upstream import FakeUpstream
from bench.proxies import Gateway, start_gateway, stop_gateway

try:
    import httpx2 as httpx  # the SDKs' HTTP client (openai 3.x / anthropic 2.x)
except ImportError:  # pragma: no cover - older SDKs
    import httpx  # type: ignore[no-redef]

pytestmark = pytest.mark.e2e

IBAN = "DE89 3704 0044 0532 0130 00"
EMAIL = "erika.mustermann@beispiel-firma.de"
PROMPT = f"Bitte prüfe: Zahlung von {EMAIL} auf {IBAN}, danke."
POLICY = """\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
data_classes:
  personal: {entities: [IBAN_CODE, EMAIL_ADDRESS]}
on_violation: {personal: redact}
"""


@pytest.fixture(scope="module")
def echo() -> Iterator[EchoUpstream]:
    server = EchoUpstream().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, echo: EchoUpstream) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("redact")
    policy = tmp / "policy.yaml"
    policy.write_text(POLICY, "utf-8")
    # start_gateway maps api.openai.com and api.anthropic.com to its upstream's port:
    # hand it the echo server's port through a FakeUpstream-shaped stand-in.
    stand_in = FakeUpstream()
    stand_in.port = echo.port
    gw = start_gateway(tmp / "gw", stand_in, ["--policy", str(policy)])
    yield gw
    stop_gateway(gw)
    stand_in.server.server_close()


def http_client(gateway: Gateway) -> httpx.Client:
    context = ssl.create_default_context(cafile=str(gateway.ca))
    return httpx.Client(proxy=gateway.proxy_url, verify=context, timeout=60)


def openai_client(gateway: Gateway) -> openai.OpenAI:
    return openai.OpenAI(api_key="sk-test", http_client=http_client(gateway))


def anthropic_client(gateway: Gateway) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-ant-test", http_client=http_client(gateway))


def assert_upstream_saw_only_placeholders(echo: EchoUpstream) -> None:
    body = echo.received[-1]
    assert b"<IBAN_1>" in body and b"<EMAIL_1>" in body
    assert IBAN.encode() not in body and EMAIL.encode() not in body


def test_openai_answer_is_restored(gateway: Gateway, echo: EchoUpstream) -> None:
    answer = openai_client(gateway).chat.completions.create(
        model="m", messages=[{"role": "user", "content": PROMPT}]
    )
    assert answer.choices[0].message.content == PROMPT
    assert_upstream_saw_only_placeholders(echo)


def test_openai_stream_split_everywhere_is_restored(gateway: Gateway, echo: EchoUpstream) -> None:
    stream = openai_client(gateway).chat.completions.create(
        model="m", messages=[{"role": "user", "content": PROMPT}], stream=True
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == PROMPT
    assert_upstream_saw_only_placeholders(echo)


def test_anthropic_stream_split_everywhere_is_restored(
    gateway: Gateway, echo: EchoUpstream
) -> None:
    client = anthropic_client(gateway)
    with client.messages.stream(
        model="m", max_tokens=100, messages=[{"role": "user", "content": PROMPT}]
    ) as stream:
        text = "".join(stream.text_stream)
    assert text == PROMPT
    assert_upstream_saw_only_placeholders(echo)


def test_the_values_never_reach_disk(gateway: Gateway) -> None:
    for path in [*Path(gateway.db).parent.glob(Path(gateway.db).name + "*"), gateway.log]:
        data = path.read_bytes()
        assert IBAN.encode() not in data and EMAIL.encode() not in data, path
    assert os.path.exists(gateway.db)
