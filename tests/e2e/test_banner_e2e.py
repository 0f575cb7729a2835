"""End to end: headless Chromium through a real `leitplanke proxy` opens
https://www.perplexity.ai/ (unapproved by the policy) and sees the banner that names
the approved alternative, despite the page's strict Content-Security-Policy; the
page's own inline script stays blocked; dismissing holds across a reload in the tab.

Nothing leaves the machine: www.perplexity.ai and chatgpt.com are mapped with
map_remote to a local fake web app (tests/e2e/fake_web_app.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import Gateway
from tests.e2e.fake_web_app import FakeWebApp
from tests.e2e.support import CHROMIUM, chromium, policy_gateway

pytestmark = pytest.mark.e2e

sync_api = pytest.importorskip("playwright.sync_api")
needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="needs the system chromium at /usr/bin/chromium"
)

POLICY = """\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
approval_request: https://intranet.muster.example/ki-antrag
data_classes:
  personal: {label: {de: Personenbezogene Daten}, entities: [EMAIL_ADDRESS]}
tools:
  chatgpt-enterprise:
    name: ChatGPT Enterprise
    services: [chatgpt]
    status: approved
    allowed: [personal]
  perplexity:
    name: Perplexity
    services: [perplexity]
    status: unapproved
"""

# Collects CSP violations from the first moment (init scripts bypass the page's CSP).
COLLECT = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push({directive: e.violatedDirective, sample: e.sample,
                            blocked: e.blockedURI});
});
"""

STATE = """() => {
  const b = document.getElementById("leitplanke-banner");
  if (!b) return null;
  const s = getComputedStyle(b);
  const r = b.getBoundingClientRect();
  return {position: s.position, display: s.display, visibility: s.visibility,
          zIndex: s.zIndex, top: r.top, height: r.height, width: r.width,
          text: b.innerText, lang: b.lang, role: b.getAttribute("role"),
          textColor: getComputedStyle(b.querySelector(".lpk-bnr__text")).color,
          font: getComputedStyle(b.querySelector(".lpk-bnr__text")).fontFamily};
}"""


@dataclass
class Setup:
    gateway: Gateway
    app: FakeWebApp
    upstream: FakeUpstream
    browser: Any


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip("needs the system chromium at /usr/bin/chromium")
    app = FakeWebApp().start()
    target = f"http://127.0.0.1:{app.port}"
    extra = [
        "--set",
        rf"map_remote=|https://www\.perplexity\.ai|{target}",
        "--set",
        rf"map_remote=|https://chatgpt\.com|{target}",
        "--set",
        "leitplanke_workers=0",
    ]
    tmp = tmp_path_factory.mktemp("banner")
    try:
        with (
            policy_gateway(tmp, POLICY, extra, gateway_dir="gw") as gateway,
            chromium(proxy_url=gateway.proxy_url) as browser,
        ):
            yield Setup(gateway, app, gateway.upstream, browser)
    finally:
        app.stop()


def open_page(setup: Setup, locale: str, url: str) -> tuple[Any, Any, list[str]]:
    """(context, page, CSP console messages) with `url` loaded."""
    context = setup.browser.new_context(locale=locale, ignore_https_errors=True)
    context.add_init_script(COLLECT)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200
    page.wait_for_function("document.getElementById('status').textContent === 'App bereit'")
    return context, page, console


def assert_only_the_page_inline_script_blocked(page: Any, console: list[str]) -> None:
    violations = page.evaluate("window.__violations")
    assert len(violations) == 1, violations
    assert "inlineRan" in violations[0]["sample"], violations
    assert violations[0]["directive"].startswith("script-src"), violations
    assert page.evaluate("window.inlineRan") is None  # still blocked by the page's CSP
    assert len(console) == 1 and "style-src" not in console[0], console


@needs_chromium
def test_banner_in_german_despite_strict_csp_and_dismiss_holds(setup: Setup) -> None:
    context, page, console = open_page(setup, "de-DE", "https://www.perplexity.ai/")
    try:
        state = page.evaluate(STATE)
        assert state is not None, page.content()
        assert state["position"] == "fixed"  # our <style> applied: the nonce worked
        assert state["display"] == "flex" and state["visibility"] == "visible"
        assert state["zIndex"] == "2147483647"
        assert state["top"] == 0 and state["height"] > 10 and state["width"] > 300
        # The page's `span {color: red}`, `button {display: none}` and serif font stay out.
        assert state["textColor"] == "rgb(59, 47, 0)" and "system-ui" in state["font"]
        assert state["lang"] == "de" and state["role"] == "status"
        assert "Perplexity ist für Firmendaten nicht freigegeben." in state["text"]
        assert "Freigegeben bei Muster GmbH: ChatGPT Enterprise." in state["text"]
        # The portal's approval page first, the policy's own address as the second link.
        assert (
            "Freigabe beantragen: leitplanke.portal/approval "
            "(Hinweise zum Antrag: https://intranet.muster.example/ki-antrag)"
        ) in state["text"]
        assert page.locator("#leitplanke-banner").is_visible()
        assert_only_the_page_inline_script_blocked(page, console)

        page.get_by_role("button", name="Hinweis schließen").click()
        assert not page.locator("#leitplanke-banner").is_visible()
        page.reload(wait_until="load")
        page.wait_for_function("document.getElementById('status').textContent === 'App bereit'")
        assert page.locator("#leitplanke-banner").count() == 1  # sent again, …
        assert not page.locator("#leitplanke-banner").is_visible()  # … but stays dismissed
        assert page.evaluate("window.__violations.length") == 1

        other_tab = context.new_page()  # sessionStorage is per tab: shown again there
        other_tab.goto("https://www.perplexity.ai/", wait_until="load")
        assert other_tab.locator("#leitplanke-banner").is_visible()
    finally:
        context.close()


@needs_chromium
def test_banner_in_english(setup: Setup) -> None:
    context, page, console = open_page(setup, "en-US", "https://www.perplexity.ai/")
    try:
        state = page.evaluate(STATE)
        assert state["lang"] == "en" and state["position"] == "fixed"
        assert "Perplexity is not approved for company data." in state["text"]
        assert "Approved at Muster GmbH: ChatGPT Enterprise." in state["text"]
        assert page.get_by_role("button", name="Dismiss notice").is_visible()
        assert_only_the_page_inline_script_blocked(page, console)
    finally:
        context.close()


@needs_chromium
def test_meta_csp_page_gets_the_banner_too(setup: Setup) -> None:
    context, page, console = open_page(setup, "de-DE", "https://www.perplexity.ai/meta")
    try:
        state = page.evaluate(STATE)
        assert state is not None and state["position"] == "fixed"
        assert_only_the_page_inline_script_blocked(page, console)
        page.get_by_role("button", name="Hinweis schließen").click()
        assert not page.locator("#leitplanke-banner").is_visible()
    finally:
        context.close()


@needs_chromium
def test_approved_tool_page_has_no_banner(setup: Setup) -> None:
    context, page, console = open_page(setup, "de-DE", "https://chatgpt.com/")
    try:
        assert page.evaluate(STATE) is None
        assert_only_the_page_inline_script_blocked(page, console)
    finally:
        context.close()
