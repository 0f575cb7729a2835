"""Banner addon with mitmproxy's test helpers: which pages get the banner, what it says,
and that the page around it (bytes, encoding, CSP) stays as it was."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mitmproxy import http
from mitmproxy.test import taddons, tflow

from proxy_addon import banner as banner_module
from proxy_addon.banner import SHOWN, Banner
from proxy_addon.identify import SERVICE
from proxy_addon.policy_source import PolicySource

POLICY = """\
version: 1
organization: Muster & Söhne <GmbH>
contact: dsb@muster.example
approval_request: https://intranet.muster.example/ki?art=neu&x=1
data_classes:
  personal: {entities: [PERSON]}
tools:
  chatgpt-enterprise:
    name: ChatGPT Enterprise
    services: [chatgpt]
    allowed: [personal]
  github-copilot:
    name: GitHub Copilot
    services: [github-copilot]
  m365-copilot:
    name: M365 Copilot
    services: [microsoft-copilot]
    action: block
  deepl:
    name: DeepL
    services: [deepl]
    status: tolerated
    note: {de: Nur für Texte ohne Personenbezug., en: Only for texts without personal data.}
  deepseek:
    services: [deepseek]
    status: unapproved
"""

PAGE = (
    b"<!doctype html><html><head><meta charset=utf-8><title>AI</title></head>"
    b'<body class="app">\n<div id=app>Hallo</div></body></html>'
)


def html_flow(
    service: str | None = "perplexity",
    body: bytes = PAGE,
    content_type: str = "text/html; charset=utf-8",
    **request_headers: str,
) -> http.HTTPFlow:
    flow = tflow.tflow(resp=True)
    flow.request.method = "GET"
    flow.request.headers.clear()
    flow.request.headers["accept-language"] = "de-DE,de;q=0.9,en;q=0.8"
    for name, value in request_headers.items():
        flow.request.headers[name.replace("_", "-")] = value
    if service is not None:
        flow.metadata[SERVICE] = service
    flow.response = http.Response.make(200, body, {"content-type": content_type})
    return flow


@contextmanager
def running(tmp_path: Path, policy: str = POLICY, **options: object) -> Iterator[Banner]:
    source = PolicySource()
    addon = Banner(source)
    with taddons.context(source, addon) as tctx:
        file = tmp_path / "policy.yaml"
        file.write_text(policy, "utf-8")
        tctx.configure(source, leitplanke_policy=str(file), leitplanke_workers=0)
        if options:
            tctx.configure(addon, **options)
        yield addon
        source.done()


@pytest.fixture
def addon(tmp_path: Path) -> Iterator[Banner]:
    with running(tmp_path) as banner:
        yield banner


def nonce_of(markup: str) -> str:
    found = re.search(r'<style nonce="([^"]+)">', markup)
    assert found, markup
    return found.group(1)


def test_unlisted_service_is_unapproved_german_banner_after_body(addon: Banner) -> None:
    flow = html_flow("perplexity")
    addon.response(flow)
    assert flow.response is not None
    text = flow.response.text or ""
    before, _, after = text.partition('<body class="app">')
    assert before == PAGE.decode().partition("<body")[0]  # head untouched
    assert after.startswith("<style nonce=")
    assert after.endswith("\n<div id=app>Hallo</div></body></html>")
    assert "Perplexity ist f&#252;r Firmendaten nicht freigegeben." in text
    # Approved and usable tools only, the same kind of service (chat) first.
    assert "<strong>ChatGPT Enterprise</strong>, <strong>GitHub Copilot</strong>" in text
    assert "M365 Copilot" not in text  # approved but blocked: no alternative
    assert 'role="status"' in text and 'lang="de"' in text
    assert 'href="https://intranet.muster.example/ki?art=neu&amp;x=1"' in text
    assert "Muster &amp; S&#246;hne &lt;GmbH&gt;" in text  # HTML-escaped, ASCII only
    assert 'aria-label="Hinweis schlie&#223;en"' in text
    nonce = nonce_of(text)
    assert f'<script nonce="{nonce}">' in text
    assert '"leitplanke.banner.dismissed.perplexity"' in text
    assert flow.metadata[SHOWN] == "unapproved"


def test_listed_unapproved_tool_uses_its_name(addon: Banner) -> None:
    flow = html_flow("deepseek")
    addon.response(flow)
    assert flow.response is not None
    assert "deepseek ist f&#252;r Firmendaten nicht freigegeben." in (flow.response.text or "")


def test_tolerated_tool_english_with_note(addon: Banner) -> None:
    flow = html_flow("deepl", accept_language="en-US,en;q=0.9")
    addon.response(flow)
    assert flow.response is not None
    text = flow.response.text or ""
    assert "DeepL is only tolerated: please use it only without personal data." in text
    assert "Only for texts without personal data." in text
    assert "Approved at Muster &amp; S&#246;hne &lt;GmbH&gt;: <strong>ChatGPT" in text
    assert 'lang="en"' in text and 'aria-label="Dismiss notice"' in text
    assert flow.metadata[SHOWN] == "tolerated"


def test_approved_tool_page_unchanged(addon: Banner) -> None:
    flow = html_flow("chatgpt")
    addon.response(flow)
    assert flow.response is not None
    assert flow.response.content == PAGE
    assert SHOWN not in flow.metadata


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"html": "<body>"}'),
        ("text/plain", PAGE),
        ("application/xhtml+xml", PAGE),
        ("text/event-stream", b"data: <body>\n\n"),
    ],
)
def test_non_html_unchanged(addon: Banner, content_type: str, body: bytes) -> None:
    flow = html_flow(body=body, content_type=content_type)
    addon.response(flow)
    assert flow.response is not None
    assert flow.response.content == body


def test_html_fragment_unchanged(addon: Banner) -> None:
    fragment = b"<div class=answer>Antwort</div>"
    flow = html_flow(body=fragment)
    addon.response(flow)
    assert flow.response is not None
    assert flow.response.content == fragment


def test_streamed_response_unchanged(addon: Banner) -> None:
    flow = html_flow()
    assert flow.response is not None
    flow.response.stream = True
    addon.response(flow)
    assert flow.response.content == PAGE


def test_gzip_body_decoded_and_reencoded(addon: Banner) -> None:
    flow = html_flow()
    assert flow.response is not None
    flow.response.headers["content-encoding"] = "gzip"
    flow.response.raw_content = gzip.compress(PAGE)
    addon.response(flow)
    assert flow.response.headers["content-encoding"] == "gzip"
    plain = gzip.decompress(flow.response.raw_content or b"")
    assert b"data-leitplanke-banner" in plain
    assert flow.response.headers["content-length"] == str(len(flow.response.raw_content or b""))


def test_broken_encoding_unchanged(addon: Banner) -> None:
    flow = html_flow()
    assert flow.response is not None
    flow.response.headers["content-encoding"] = "gzip"
    flow.response.raw_content = b"not gzip"
    addon.response(flow)
    assert flow.response.raw_content == b"not gzip"


def test_too_large_unchanged(addon: Banner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(banner_module, "MAX_HTML_BYTES", 100)
    flow = html_flow(body=PAGE + b" " * 100)
    addon.response(flow)
    assert flow.response is not None
    assert b"leitplanke" not in (flow.response.content or b"")


@pytest.mark.parametrize(
    ("dest", "changed"), [("document", True), ("iframe", False), ("empty", False)]
)
def test_only_top_level_documents(addon: Banner, dest: str, changed: bool) -> None:
    flow = html_flow(sec_fetch_dest=dest)
    addon.response(flow)
    assert flow.response is not None
    assert (b"data-leitplanke-banner" in (flow.response.content or b"")) is changed


def test_skips_non_200_block_pages_downloads_and_other_hosts(addon: Banner) -> None:
    flows = [html_flow(), html_flow(), html_flow(), html_flow(service=None), html_flow()]
    assert all(f.response is not None for f in flows)
    flows[0].response.status_code = 404  # type: ignore[union-attr]
    flows[1].response.headers["x-leitplanke-decision"] = "block"  # type: ignore[union-attr]
    flows[2].response.headers["content-disposition"] = "attachment; x.html"  # type: ignore[union-attr]
    flows[4].response.content = PAGE.replace(b"<body", b"<body data-leitplanke-banner=x")  # type: ignore[union-attr]
    before = [f.response.content for f in flows]  # type: ignore[union-attr]
    for flow in flows:
        addon.response(flow)
    assert [f.response.content for f in flows] == before  # type: ignore[union-attr]


def test_option_turns_it_off(tmp_path: Path) -> None:
    with running(tmp_path, leitplanke_banner=False) as addon:
        flow = html_flow()
        addon.response(flow)
        assert flow.response is not None
        assert flow.response.content == PAGE


def test_csp_headers_get_the_banner_nonce(addon: Banner) -> None:
    flow = html_flow()
    assert flow.response is not None
    headers = flow.response.headers
    headers.add("content-security-policy", "default-src 'self'; script-src 'self'")
    headers.add("content-security-policy", "style-src 'self' 'unsafe-inline'")
    headers.add("content-security-policy-report-only", "default-src 'none'")
    headers["etag"] = '"v1"'
    headers["last-modified"] = "Mon, 01 Jan 2024 00:00:00 GMT"
    addon.response(flow)
    nonce = nonce_of(flow.response.text or "")
    assert headers.get_all("content-security-policy") == [
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
    ]
    assert headers.get_all("content-security-policy-report-only") == [
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'"
    ]
    assert "etag" not in headers and "last-modified" not in headers


def test_meta_csp_in_head_gets_the_nonce(addon: Banner) -> None:
    page = PAGE.replace(
        b"<title>", b"<meta http-equiv=Content-Security-Policy content=\"style-src 'self'\"><title>"
    )
    flow = html_flow(body=page)
    addon.response(flow)
    assert flow.response is not None
    text = flow.response.text or ""
    assert f'content="style-src &#x27;self&#x27; &#x27;nonce-{nonce_of(text)}&#x27;"' in text


def test_fresh_nonce_per_response(addon: Banner) -> None:
    first, second = html_flow(), html_flow()
    addon.response(first)
    addon.response(second)
    assert first.response is not None and second.response is not None
    assert nonce_of(first.response.text or "") != nonce_of(second.response.text or "")


def test_latin1_page_bytes_kept_banner_ascii(addon: Banner) -> None:
    page = "<html><body><p>Grüße</p></body></html>".encode("latin-1")
    flow = html_flow(body=page, content_type="text/html; charset=iso-8859-1")
    addon.response(flow)
    assert flow.response is not None
    content = flow.response.content or b""
    assert content.startswith(b"<html><body><style nonce=")
    assert content.endswith("<p>Grüße</p></body></html>".encode("latin-1"))
    added = content[len(b"<html><body>") : -len(page) + len(b"<html><body>")]
    added.decode("ascii")  # the banner is pure ASCII


def test_utf16_page_unchanged(addon: Banner) -> None:
    page = "<html><body>x</body></html>".encode("utf-16")
    flow = html_flow(body=page, content_type="text/html; charset=utf-16")
    addon.response(flow)
    assert flow.response is not None
    assert flow.response.content == page


def test_no_alternative_and_mail_request(tmp_path: Path) -> None:
    policy = (
        POLICY.replace("https://intranet.muster.example/ki?art=neu&x=1", "ki@muster.example")
        .replace("  chatgpt-enterprise:\n    name: ChatGPT Enterprise\n", "  chatgpt-enterprise:\n")
        .replace("    services: [chatgpt]\n    allowed: [personal]\n", "    services: [chatgpt]\n")
        .replace("  chatgpt-enterprise:\n    services: [chatgpt]\n", "")
        .replace(
            "  github-copilot:\n    name: GitHub Copilot\n    services: [github-copilot]\n", ""
        )
    )
    with running(tmp_path, policy) as addon:
        flow = html_flow("chatgpt")
        addon.response(flow)
        assert flow.response is not None
        text = flow.response.text or ""
        assert "ChatGPT ist f&#252;r Firmendaten nicht freigegeben." in text
        assert "Derzeit ist bei Muster &amp; S&#246;hne &lt;GmbH&gt; kein KI-Werkzeug" in text
        assert '<a href="mailto:ki@muster.example"' in text


def test_the_portals_approval_page_is_the_first_request_link(tmp_path: Path) -> None:
    with running(tmp_path) as addon:
        ctx_options = banner_module.ctx.options
        ctx_options.add_option("leitplanke_portal_host", str, "leitplanke.portal", "")
        flow = html_flow("deepl")
        addon.response(flow)
        assert flow.response is not None
        text = flow.response.text or ""
        first = text.index('href="http://leitplanke.portal/approval?service=deepl"')
        second = text.index('href="https://intranet.muster.example/ki?art=neu&amp;x=1"')
        assert first < second
        assert ">leitplanke.portal/approval</a>" in text
        assert "(Hinweise zum Antrag: <a" in text
