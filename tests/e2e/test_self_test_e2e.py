"""End to end: an employee checks their own connection in headless Chromium through a
real gateway — http://leitplanke.portal/ says in German (English by Accept-Language)
that the traffic passes the gateway, whether the browser trusts the gateway's CA,
which policy version applies, and links the guideline. Two browsers: one trusting the
gateway's CA (its key pinned with --ignore-certificate-errors-spki-list, as an
enterprise policy would add the CA), one not. Nothing leaves the machine: the portal
host exists only in the gateway.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from bench.proxies import Gateway, chat_body, curl_post_json
from tests.e2e.support import CHROMIUM, CHROMIUM_ARGS, policy_gateway

pytestmark = pytest.mark.e2e

sync_api = pytest.importorskip("playwright.sync_api")

POLICY = """\
version: 12
organization: Muster GmbH
contact: datenschutz@muster.example
data_classes:
  personal: {label: {de: Personenbezogene Daten, en: Personal data}, entities: [EMAIL_ADDRESS]}
tools:
  gpt: {name: ChatGPT Enterprise, services: [openai-api], allowed: [personal]}
groups:
  vertrieb:
    label: {de: Vertrieb, en: Sales}
    networks: [127.0.0.0/8]
"""


def spki_hash(ca_pem: bytes) -> str:
    """What Chromium's --ignore-certificate-errors-spki-list takes: base64(SHA-256(SPKI))."""
    cert = x509.load_pem_x509_certificate(ca_pem)
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@dataclass
class Setup:
    gateway: Gateway
    trusting: Any
    untrusting: Any
    playwright: Any = field(repr=False)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip("needs the system chromium at /usr/bin/chromium")
    extra = ["--set", "leitplanke_workers=0", "--set", "leitplanke_mark_responses=true"]
    tmp = tmp_path_factory.mktemp("selftest")
    with policy_gateway(tmp, POLICY, extra, gateway_dir="gw") as gateway:
        args = [
            *CHROMIUM_ARGS,
            "--disable-features=HttpsUpgrades",
        ]  # open exactly the http:// URL typed
        playwright = sync_api.sync_playwright().start()
        proxy = {"server": gateway.proxy_url}
        pin = f"--ignore-certificate-errors-spki-list={spki_hash(gateway.ca.read_bytes())}"
        trusting = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*args, pin], proxy=proxy
        )
        untrusting = playwright.chromium.launch(executable_path=CHROMIUM, args=args, proxy=proxy)
        try:
            yield Setup(gateway, trusting, untrusting, playwright)
        finally:
            trusting.close()
            untrusting.close()
            playwright.stop()


def open_check(browser: Any, url: str, locale: str) -> tuple[Any, Any]:
    context = browser.new_context(locale=locale)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#ca:not([data-state=checking])", timeout=20000)
    return context, page


def test_trusted_ca_in_german(setup: Setup) -> None:
    context, page = open_check(setup.trusting, "http://leitplanke.portal/", "de-DE")
    try:
        assert page.title() == "Leitplanke – Verbindungstest"
        assert page.get_attribute("#ca", "data-state") == "ok"
        assert "Ihr Rechner vertraut dem Zertifikat des Gateways" in page.inner_text("#ca")
        assert "über das KI-Gateway Ihrer Firma" in page.inner_text("#route")
        text = page.inner_text("#policy")
        assert "KI-Richtlinie der Muster GmbH, Version 12@" in text
        assert "Gruppe „Vertrieb“" in text
        page.click("#guideline")
        page.wait_for_load_state()
        assert "Muster GmbH" in page.content() and "ChatGPT Enterprise" in page.content()
    finally:
        context.close()


def test_untrusted_ca_is_reported(setup: Setup) -> None:
    context, page = open_check(setup.untrusting, "http://leitplanke.portal/check", "de-DE")
    try:
        assert page.get_attribute("#ca", "data-state") == "bad"
        assert "vertraut dem Zertifikat des Gateways nicht" in page.inner_text("#ca")
        assert "Bitte wenden Sie sich an die IT" in page.inner_text("#ca")
    finally:
        context.close()


def test_english_by_accept_language(setup: Setup) -> None:
    context, page = open_check(setup.trusting, "http://leitplanke.portal/check", "en-US")
    try:
        assert page.inner_text("h1") == "Is my connection protected?"
        assert "Your computer trusts the gateway's certificate" in page.inner_text("#ca")
        assert "The AI policy of Muster GmbH applies, version 12@" in page.inner_text("#policy")
    finally:
        context.close()


def test_marker_header_on_decrypted_ai_answers(setup: Setup) -> None:
    gateway = setup.gateway
    out = curl_post_json(
        gateway.proxy_url, gateway.ca, chat_body("Hallo"), ["-D", "-", "-o", "/dev/null"]
    )
    headers = [line for line in out.splitlines() if line.lower().startswith("x-leit")]
    assert len(headers) == 1 and "; policy=12@" in headers[0], out
