from __future__ import annotations

from mitmproxy.test import tflow

from policy.loader import parse_policy
from proxy_addon.identify import (
    HOST,
    SERVICE,
    Identify,
    candidate_hosts,
    client_address,
    identity_of,
    user_of,
)
from store.keys import pseudonym


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


POLICY = parse_policy(
    """\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
data_classes:
  personal: {entities: [PERSON]}
groups:
  vertrieb: {users: [k.schmidt]}
  werk: {networks: [192.168.7.0/24]}
""",
    "identify.yaml",
).policy
OPEN_LOG = POLICY.model_copy(
    update={"privacy": POLICY.privacy.model_copy(update={"pseudonymize_users": False})}
)


def test_every_flow_gets_its_sender_at_connect_and_at_the_request() -> None:
    key = b"k" * 32
    identify = Identify(key=lambda: key)
    tunnel = tflow.tflow()
    tunnel.request.method = "CONNECT"
    tunnel.metadata["proxyauth"] = ("k.schmidt", "pw")
    identify.http_connect(tunnel)
    flow = tflow.tflow()
    flow.metadata["proxyauth"] = ("k.schmidt", "pw")
    identify.requestheaders(flow)
    for who in (identity_of(tunnel), identity_of(flow)):
        assert who.login == "k.schmidt" and who.pseudonym == pseudonym(key, "k.schmidt")
        assert who.group(POLICY) == "vertrieb"
        assert who.label(POLICY) == who.pseudonym and who.label(OPEN_LOG) == "k.schmidt"


def test_without_login_the_address_is_the_user() -> None:
    flow = tflow.tflow()
    flow.client_conn.peername = ("192.168.7.20", 50000)
    who = Identify().identify(flow)
    assert (who.login, who.user) == (None, "192.168.7.20")
    assert who.group(POLICY) == "werk"
    assert who.pseudonym == pseudonym(b"", "192.168.7.20")
