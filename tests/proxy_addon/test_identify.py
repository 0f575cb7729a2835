from __future__ import annotations

from mitmproxy.test import tflow

from proxy_addon.identify import HOST, SERVICE, Identify, candidate_hosts, client_address, user_of


def test_service_from_connect_target() -> None:
    flow = tflow.tflow()
    flow.request.host = "api.anthropic.com"
    Identify().requestheaders(flow)
    assert flow.metadata[SERVICE] == "anthropic-api"
    assert flow.metadata[HOST] == "api.anthropic.com"


def test_host_header_cannot_hide_an_ai_destination() -> None:
    flow = tflow.tflow()
    flow.request.host = "api.openai.com"
    flow.request.headers["host"] = "harmless.example"
    Identify().requestheaders(flow)
    assert flow.metadata[SERVICE] == "openai-api"


def test_sni_counts() -> None:
    flow = tflow.tflow()
    flow.client_conn.sni = "chatgpt.com"
    flow.request.host = "10.0.0.1"
    assert "chatgpt.com" in candidate_hosts(flow)
    Identify().requestheaders(flow)
    assert flow.metadata[SERVICE] == "chatgpt"


def test_other_hosts_are_not_marked() -> None:
    flow = tflow.tflow()
    flow.request.host = "evilchatgpt.com"
    flow.request.headers["host"] = "evilchatgpt.com"
    Identify().requestheaders(flow)
    assert SERVICE not in flow.metadata


def test_user_is_the_proxy_auth_name_and_address_the_client_ip() -> None:
    flow = tflow.tflow()
    assert user_of(flow) is None
    assert client_address(flow) == flow.client_conn.peername[0]
    flow.metadata["proxyauth"] = ("k.schmidt", "pw")
    assert user_of(flow) == "k.schmidt"
