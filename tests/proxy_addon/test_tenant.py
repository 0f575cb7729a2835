"""TenantRestrictions addon with mitmproxy's test helpers: headers per vendor, 403 for
logged-out ChatGPT, client-sent headers replaced, nothing on other hosts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from mitmproxy import http
from mitmproxy.test import taddons, tflow

from proxy_addon.policy_source import PolicySource
from proxy_addon.tenant import HEADERS_SET, REFUSED, TenantRestrictions

WS = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
WS2 = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
ORG = "org-Tkxfm8owx4zIPaJGNDVrPs6m"

POLICY = f"""\
version: 1
organization: Muster GmbH
contact: dsb@muster.example
data_classes: {{}}
tools:
  chatgpt-enterprise:
    services: [chatgpt, openai-api]
    tenant:
      chatgpt_workspace_ids: [{WS}, {WS2}]
      openai_organization_ids: [{ORG}]
  claude:
    services: [claude, anthropic-api]
    tenant: {{anthropic_org_ids: [{WS}]}}
  gemini:
    services: [gemini]
    tenant: {{google_domains: [muster-gmbh.de, muster.example]}}
  m365-copilot:
    services: [microsoft-copilot]
    tenant:
      entra_tenants: [muster.onmicrosoft.com, {WS2}]
      entra_context: {WS}
      entra_tenant_policy: '{WS}:{WS2}'
  github-copilot:
    services: [github-copilot]
    tenant: {{github_enterprises: [muster-gmbh]}}
"""

NO_WORKSPACE = POLICY.replace(f"      chatgpt_workspace_ids: [{WS}, {WS2}]\n", "")


def flow_for(host: str, path: str = "/", sni: str | None = None, **headers: str) -> http.HTTPFlow:
    flow = tflow.tflow()
    flow.client_conn.sni = sni or host
    flow.request.host = host
    flow.request.port = 443
    flow.request.scheme = "https"
    flow.request.method = "GET"
    flow.request.path = path
    flow.request.headers.clear()
    flow.request.headers["host"] = host
    for name, value in headers.items():
        flow.request.headers[name.replace("_", "-")] = value
    return flow


@contextmanager
def running(tmp_path: Path, policy: str | None = POLICY) -> Iterator[TenantRestrictions]:
    source = PolicySource()
    addon = TenantRestrictions(source)
    with taddons.context(source, addon) as tctx:
        options: dict[str, object] = {"leitplanke_workers": 0}
        if policy is not None:
            file = tmp_path / "policy.yaml"
            file.write_text(policy, "utf-8")
            options["leitplanke_policy"] = str(file)
        tctx.configure(source, **options)
        yield addon
        source.done()


@pytest.fixture
def addon(tmp_path: Path) -> Iterator[TenantRestrictions]:
    with running(tmp_path) as addon:
        yield addon


def send(addon: TenantRestrictions, flow: http.HTTPFlow) -> http.HTTPFlow:
    addon.requestheaders(flow)
    return flow


# ---- one test per header -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "header", "value"),
    [
        ("chatgpt.com", "ChatGPT-Allowed-Workspace-Id", f"{WS},{WS2}"),
        ("chat.openai.com", "ChatGPT-Allowed-Workspace-Id", f"{WS},{WS2}"),
        ("api.openai.com", "OpenAI-Allowed-Organization-Ids", ORG),
        ("claude.ai", "anthropic-allowed-org-ids", WS),
        ("api.anthropic.com", "anthropic-allowed-org-ids", WS),
        ("accounts.google.com", "X-GoogApps-Allowed-Domains", "muster-gmbh.de, muster.example"),
        (
            "login.microsoftonline.com",
            "Restrict-Access-To-Tenants",
            f"muster.onmicrosoft.com,{WS2}",
        ),
        ("login.microsoft.com", "Restrict-Access-Context", WS),
        ("login.windows.net", "sec-Restrict-Tenant-Access-Policy", f"{WS}:{WS2}"),
        ("login.live.com", "sec-Restrict-Tenant-Access-Policy", f"{WS}:{WS2}"),
        ("github.com", "sec-GitHub-allowed-enterprise", "muster-gmbh"),
        ("api.github.com", "sec-GitHub-allowed-enterprise", "muster-gmbh"),
        ("api.individual.githubcopilot.com", "sec-GitHub-allowed-enterprise", "muster-gmbh"),
    ],
)
def test_header_is_set_on_the_vendor_host(
    addon: TenantRestrictions, host: str, header: str, value: str
) -> None:
    flow = send(addon, flow_for(host))
    assert flow.request.headers.get_all(header) == [value]
    assert flow.response is None
    assert header in flow.metadata[HEADERS_SET]


def test_all_entra_headers_go_to_the_sign_in_host_and_v1_not_to_live(
    addon: TenantRestrictions,
) -> None:
    names = {n.lower() for n in send(addon, flow_for("login.microsoftonline.com")).request.headers}
    assert {"restrict-access-to-tenants", "restrict-access-context"} <= names
    assert "sec-restrict-tenant-access-policy" in names
    live = send(addon, flow_for("login.live.com")).request.headers
    assert "Restrict-Access-To-Tenants" not in live


# ---- a client cannot widen its restriction --------------------------------------------------


def test_client_sent_headers_are_replaced(addon: TenantRestrictions) -> None:
    flow = flow_for("chatgpt.com")
    flow.request.headers.add("chatgpt-allowed-workspace-id", "00000000-0000-0000-0000-000000000000")
    flow.request.headers.add("CHATGPT-ALLOWED-WORKSPACE-ID", "11111111-1111-1111-1111-111111111111")
    send(addon, flow)
    assert flow.request.headers.get_all("ChatGPT-Allowed-Workspace-Id") == [f"{WS},{WS2}"]
    assert [k.lower() for k in flow.request.headers].count("chatgpt-allowed-workspace-id") == 1


def test_empty_client_header_does_not_survive(addon: TenantRestrictions) -> None:
    flow = send(addon, flow_for("claude.ai", anthropic_allowed_org_ids=""))
    assert flow.request.headers.get_all("anthropic-allowed-org-ids") == [WS]


def test_a_mismatched_host_header_does_not_dodge_the_header(addon: TenantRestrictions) -> None:
    # TLS to chatgpt.com, but a Host header naming something else.
    flow = flow_for("chatgpt.com", sni="chatgpt.com")
    flow.request.headers["host"] = "example.org"
    send(addon, flow)
    assert flow.request.headers["ChatGPT-Allowed-Workspace-Id"] == f"{WS},{WS2}"
    # …and a Host header naming ChatGPT on another connection gets it too.
    flow = flow_for("example.org", sni="example.org")
    flow.request.headers["host"] = "chatgpt.com"
    send(addon, flow)
    assert flow.request.headers["ChatGPT-Allowed-Workspace-Id"] == f"{WS},{WS2}"


# ---- nothing on other hosts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "evilchatgpt.com",
        "chatgpt.com.evil.example",
        "example.org",
        "platform.openai.com",
        "device.login.microsoftonline.com",
        "gist.github.com",
        "googleusercontent.com",
    ],
)
def test_no_header_on_other_hosts(addon: TenantRestrictions, host: str) -> None:
    flow = send(addon, flow_for(host, "/backend-anon/conversation"))
    assert dict(flow.request.headers) == {"host": host}
    assert flow.response is None
    assert HEADERS_SET not in flow.metadata


def test_without_an_active_policy_nothing_happens(addon: TenantRestrictions) -> None:
    addon.source.active = None
    flow = send(addon, flow_for("chatgpt.com", "/backend-anon/conversation"))
    assert flow.response is None
    assert "ChatGPT-Allowed-Workspace-Id" not in flow.request.headers


def test_a_policy_without_tenant_settings_sets_nothing(tmp_path: Path) -> None:
    with running(tmp_path, policy=None) as addon:  # the embedded default policy
        flow = send(addon, flow_for("chatgpt.com", "/backend-anon/conversation"))
        assert flow.response is None
        assert dict(flow.request.headers) == {"host": "chatgpt.com"}


# ---- logged-out ChatGPT ------------------------------------------------------------------------


def test_logged_out_chatgpt_gets_a_german_page(addon: TenantRestrictions) -> None:
    flow = send(
        addon,
        flow_for("chatgpt.com", "/backend-anon/conversation", accept="text/html,*/*;q=0.8"),
    )
    assert flow.response is not None
    assert flow.response.status_code == 403
    assert flow.response.headers["content-type"].startswith("text/html")
    assert flow.response.headers["x-leitplanke-decision"] == "block"
    page = flow.response.get_text() or ""
    assert "Muster GmbH erlaubt ChatGPT nur im Firmen-Workspace" in page
    assert "dsb@muster.example" in page
    assert flow.metadata[REFUSED] == "logged_out"


def test_logged_out_chatgpt_api_call_gets_english_json(addon: TenantRestrictions) -> None:
    flow = send(
        addon,
        flow_for(
            "chatgpt.com",
            "//Backend-Anon/f/conversation",
            accept="text/event-stream",
            accept_language="en-GB,en;q=0.9,de;q=0.5",
        ),
    )
    assert flow.response is not None and flow.response.status_code == 403
    error = json.loads(flow.response.content or b"")["error"]
    assert error["code"] == "leitplanke_tenant_logged_out"
    assert "allows ChatGPT only in the company workspace" in error["message"]


def test_logged_in_chatgpt_passes_with_the_header(addon: TenantRestrictions) -> None:
    flow = send(addon, flow_for("chatgpt.com", "/backend-api/conversation"))
    assert flow.response is None
    assert flow.request.headers["ChatGPT-Allowed-Workspace-Id"] == f"{WS},{WS2}"


def test_logged_out_chatgpt_passes_without_a_workspace_restriction(tmp_path: Path) -> None:
    with running(tmp_path, NO_WORKSPACE) as addon:
        flow = send(addon, flow_for("chatgpt.com", "/backend-anon/conversation"))
        assert flow.response is None
        assert "ChatGPT-Allowed-Workspace-Id" not in flow.request.headers
        api = send(addon, flow_for("api.openai.com", "/v1/models"))
        assert api.request.headers["OpenAI-Allowed-Organization-Ids"] == ORG


def test_logged_out_block_log_line_has_no_path_or_user(
    addon: TenantRestrictions, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="proxy_addon.tenant")
    flow = flow_for("chatgpt.com", "/backend-anon/conversation/abc-secret-id")
    flow.metadata["proxyauth"] = ("m.muster", "")
    send(addon, flow)
    text = caplog.text
    assert "refused logged-out use of ChatGPT (chatgpt.com)" in text
    assert "abc-secret-id" not in text and "m.muster" not in text


def test_an_existing_response_is_left_alone(addon: TenantRestrictions) -> None:
    flow = flow_for("chatgpt.com", "/backend-anon/conversation")
    flow.response = http.Response.make(200, b"cached")
    send(addon, flow)
    assert flow.response.content == b"cached"
