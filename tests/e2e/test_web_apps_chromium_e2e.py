"""End to end in headless Chromium: each web app's chat turn, sent from a page on the
app's own origin through a real `leitplanke proxy`, gets the gateway's answer, which
the page reads with a JavaScript port of the app's client parsing
(tests/e2e/web_app_pages/readers.js) and shows where the app shows the answer — or, for
apps that report a refused request as an error, in an error toast. A screenshot per app
is taken (docs/images/webapp-<app>.png when LEITPLANKE_UPDATE_SCREENSHOTS=1).

Nothing leaves the machine: the app hosts are mapped with map_remote to a local page
server, the chat WebSockets of Copilot and M365 Copilot to a local fake (FakeCopilot).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlencode

import pytest

from bench.proxies import Gateway
from tests.e2e.fake_copilot import FakeCopilot
from tests.e2e.support import CHROMIUM, chromium, policy_gateway

pytestmark = pytest.mark.e2e

sync_api = pytest.importorskip("playwright.sync_api")
PAGES = Path(__file__).with_name("web_app_pages")
DOCS_IMAGES = Path(__file__).parents[2] / "docs" / "images"
IBAN = "DE89 3704 0044 0532 0130 00"
PROMPT = f"Bitte überweisen Sie 120 € an Erika Mustermann, IBAN {IBAN}."

SERVICES = [
    "chatgpt",
    "claude",
    "gemini",
    "perplexity",
    "deepseek",
    "mistral",
    "poe",
    "huggingchat",
    "copilot-consumer",
    "microsoft-copilot",
]
POLICY = f"""\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
data_classes:
  personal:
    label: {{de: Personenbezogene Daten, en: Personal data}}
    entities: [IBAN_CODE, EMAIL_ADDRESS]
tools:
  web-apps:
    name: KI-Assistenten im Browser
    services: [{", ".join(SERVICES)}]
    status: approved
on_violation: {{personal: block}}
"""

# app → (origin host, reader named on the page, what the app does with it)
APPS: dict[str, tuple[str, str, str]] = {
    "chatgpt": ("chatgpt.com", "gpt4free OpenaiChat (v1-Deltas)", "answer"),
    "claude": ("claude.ai", "foxroute claude_web (SSE)", "answer"),
    "gemini": ("gemini.google.com", "gpt4free Gemini (Längenpräfix-Chunks)", "answer"),
    "perplexity": ("www.perplexity.ai", "perplexity-cli / gpt4free (ask_text-Blöcke)", "answer"),
    "deepseek": ("chat.deepseek.com", "gpt4free / foxroute DeepSeek (p/o/v)", "answer"),
    "lechat": ("chat.mistral.ai", "foxroute mistral (N:{json}-Zeilen)", "answer"),
    "lechat_upload": ("chat.mistral.ai", "tRPC-Client (file.uploadFile)", "toast"),
    "huggingchat": ("huggingface.co", "chat-ui fetchMessageUpdates", "toast"),
    "poe": ("poe.com", "foxroute poe (statusMessage)", "toast"),
    "copilot": ("copilot.microsoft.com", "gpt4free Copilot (WebSocket)", "answer"),
    "m365": ("m365.cloud.microsoft", "PyRIT WebSocketCopilotTarget (SignalR)", "answer"),
}


class PageServer:
    """Serves tests/e2e/web_app_pages/ under /__leitplanke_test/ on 127.0.0.1 and records
    every other request (none may arrive: the gateway answers them)."""

    TYPES: ClassVar[dict[str, str]] = {
        ".html": "text/html",
        ".js": "text/javascript",
        ".css": "text/css",
    }

    def __init__(self) -> None:
        self.other: list[str] = []
        pages = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                name = self.path.split("?")[0].removeprefix("/__leitplanke_test/")
                path = PAGES / name
                if "/" in name or not path.is_file():
                    pages.other.append(self.path)
                    self.send_error(404)
                    return
                body = path.read_bytes()
                self.send_response(200)
                self.send_header("content-type", self.server_type(path) + "; charset=utf-8")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                pages.other.append(self.path)
                self.send_error(404)

            def server_type(self, path: Path) -> str:
                return PageServer.TYPES[path.suffix]

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> PageServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Setup:
    gateway: Gateway
    pages: PageServer
    copilot: FakeCopilot
    browser: Any
    shots: Path


def _escape(host: str) -> str:
    return host.replace(".", r"\.")


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip("needs the system chromium at /usr/bin/chromium")
    tmp = tmp_path_factory.mktemp("webapp-chromium")
    pages = PageServer().start()
    copilot = FakeCopilot().start()
    page_target = f"http://127.0.0.1:{pages.port}"
    ws_target = f"http://127.0.0.1:{copilot.port}"
    # The chat sockets first: map_remote applies the rules in order, and a rewritten
    # URL no longer matches the page rule of the same host.
    rules = [
        rf"|https://copilot\.microsoft\.com/c/api/chat|{ws_target}/c/api/chat",
        rf"|https://substrate\.office\.com|{ws_target}",
        *(rf"|https://{_escape(host)}|{page_target}" for host, _, _ in set(APPS.values())),
    ]
    extra = [
        "--set",
        "leitplanke_workers=0",
        *(arg for rule in rules for arg in ("--set", f"map_remote={rule}")),
    ]
    try:
        with (
            policy_gateway(tmp, POLICY, extra, gateway_dir="gw") as gateway,
            chromium(proxy_url=gateway.proxy_url) as browser,
        ):
            yield Setup(gateway, pages, copilot, browser, tmp)
    finally:
        copilot.stop()
        pages.stop()


@pytest.mark.parametrize("app", list(APPS))
def test_the_app_shows_the_policy_message(setup: Setup, app: str) -> None:
    host, reader, where = APPS[app]
    context = setup.browser.new_context(
        locale="de-DE", ignore_https_errors=True, viewport={"width": 900, "height": 560}
    )
    try:
        page = context.new_page()
        query = urlencode({"app": app, "prompt": PROMPT, "reader": reader})
        response = page.goto(f"https://{host}/__leitplanke_test/page.html#{query}")
        assert response is not None and response.status == 200
        page.wait_for_function("document.body.dataset.state !== 'running'", timeout=30_000)
        assert page.evaluate("document.body.dataset.state") == "done", page.inner_text("#status")
        shown = page.inner_text("#answer" if where == "answer" else "#toast-text")
        assert shown.startswith("⚠️ Leitplanke"), shown
        assert IBAN not in shown and IBAN.replace(" ", "") not in shown
        if app == "lechat_upload":  # refused before any file: the upload would bypass it
            assert "können nicht an Mistral Le Chat hochgeladen werden" in shown
        else:
            assert "IBAN (Bankverbindung) (1×)" in shown and "nicht an" in shown
        shot = setup.shots / f"webapp-{app}.png"
        page.screenshot(path=str(shot))
        if os.environ.get("LEITPLANKE_UPDATE_SCREENSHOTS") == "1":
            shutil.copyfile(shot, DOCS_IMAGES / shot.name)
    finally:
        context.close()
    assert setup.pages.other == []  # the gateway answered; nothing reached the app
    assert not setup.copilot.saw(IBAN)
