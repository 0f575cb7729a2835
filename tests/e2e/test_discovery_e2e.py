"""End to end: only AI hosts are decrypted, usage of AI hosts is recorded (decrypted or
tunnelled), tenant headers reach the upstream, the PAC file routes correctly, and
`leitplanke inventory` lists what was used.

Nothing leaves the machine: AI API hosts are mapped to the local fake upstream with
map_remote, and the test addon `loopback_tunnels.py` sends every tunnelled connection
to a local HTTPS origin with its own self-signed certificate.
"""

from __future__ import annotations

import base64
import json
import socket
import sqlite3
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import LEITPLANKE, Gateway, wait_for
from store.keys import load_or_create_key, pseudonym
from tests.e2e.support import policy_gateway
from tests.e2e.tls_origin import ORIGIN_BODY, TlsOrigin
from tests.policy.test_pac import needs_node, run_pac

pytestmark = pytest.mark.e2e

ORG_ID = "org-Leitplanke0Test0Org0001"
WORKSPACE = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
POLICY = f"""\
version: 1
organization: Muster GmbH
contact: datenschutz@muster.example
data_classes:
  personal: {{label: {{de: Personenbezogene Daten}}, entities: [EMAIL_ADDRESS, IBAN_CODE]}}
tools:
  openai-firma:
    name: OpenAI API (Firmenorganisation)
    services: [openai-api]
    status: approved
    allowed: [personal]
    tenant: {{openai_organization_ids: [{ORG_ID}]}}
  chatgpt-enterprise:
    name: ChatGPT Enterprise
    services: [chatgpt]
    status: approved
    allowed: [personal]
    tenant: {{chatgpt_workspace_ids: [{WORKSPACE}]}}
on_violation: {{personal: block}}
groups:
  vertrieb: {{label: {{de: Vertrieb}}, users: [k.schmidt, m.weber]}}
"""


@dataclass
class Setup:
    gateway: Gateway
    origin: TlsOrigin
    upstream: FakeUpstream


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    tmp = tmp_path_factory.mktemp("discovery")
    names = ["www.bank.example", "api.deepl.com", "chat.unknown-llm.ai", "chatgpt.com"]
    origin = TlsOrigin(tmp, names).start()
    script = Path(__file__).with_name("loopback_tunnels.py")
    extra = ["--set", "proxyauth=any", "--set", "leitplanke_passthrough=deepl"]
    extra += ["--set", f"scripts={script}"]
    env = {"LEITPLANKE_TEST_ORIGIN_PORT": str(origin.port)}
    try:
        with policy_gateway(tmp, POLICY, extra, gateway_dir="gw", env=env) as gateway:
            yield Setup(gateway, origin, gateway.upstream)
    finally:
        origin.stop()


def tunnel(gateway: Gateway, host: str, user: str, cafile: Path) -> tuple[bytes | None, bytes]:
    """CONNECT host:443 through the gateway as `user`, verify TLS against `cafile`, GET /.

    Returns (the certificate the client saw, DER; the answer body)."""
    sock = socket.create_connection(("127.0.0.1", gateway.port), timeout=30)
    auth = base64.b64encode(f"{user}:pw".encode()).decode()
    sock.sendall(
        f"CONNECT {host}:443 HTTP/1.1\r\nHost: {host}:443\r\n"
        f"Proxy-Authorization: Basic {auth}\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        assert chunk, f"gateway closed the CONNECT to {host}"
        head += chunk
    assert head.split(b"\r\n")[0].split()[1] == b"200", head
    context = ssl.create_default_context(cafile=str(cafile))
    with context.wrap_socket(sock, server_hostname=host) as tls:
        der = tls.getpeercert(binary_form=True)
        tls.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    return der, answer.partition(b"\r\n\r\n")[2]


def curl(gateway: Gateway, user: str, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [
            "curl",
            "-sS",
            "-x",
            gateway.proxy_url,
            "-U",
            f"{user}:pw",
            "--cacert",
            str(gateway.ca),
            "-w",
            "\n%{http_code}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    body, status = done.stdout.rsplit("\n", 1)
    return int(status), body


def usage_rows(gateway: Gateway, user: str) -> list[tuple[object, ...]]:
    who = pseudonym(load_or_create_key(Path(f"{gateway.db}.key")), user)
    with sqlite3.connect(gateway.db) as conn:
        return conn.execute(
            "select kind, service, host, intercepted, unknown_ai, user_group from usage "
            "where user_pseudonym = ? order by id",
            [who],
        ).fetchall()


def test_non_ai_host_is_tunnelled_untouched(setup: Setup) -> None:
    der, body = tunnel(setup.gateway, "www.bank.example", "k.schmidt", setup.origin.cert_file)
    assert der == setup.origin.der  # the origin's own certificate, not one from our CA
    assert body == ORIGIN_BODY


def test_ai_host_is_decrypted_and_gets_the_tenant_header(setup: Setup) -> None:
    der, _ = tunnel(setup.gateway, "api.openai.com", "k.schmidt", setup.gateway.ca)
    assert der != setup.origin.der  # minted by the gateway's CA (verified against it)
    widened = f"OpenAI-Allowed-Organization-Ids: {ORG_ID},org-other"
    chat = json.dumps({"model": "m", "messages": [{"role": "user", "content": "Hallo"}]})
    status, body = curl(
        setup.gateway,
        "k.schmidt",
        "-H",
        "content-type: application/json",
        "-H",
        widened,
        "--data-binary",
        chat,
        "https://api.openai.com/v1/chat/completions",
    )
    assert status == 200, body
    sent = setup.upstream.requests[-1]["headers"]
    assert sent["openai-allowed-organization-ids"] == ORG_ID  # the client cannot widen it


def test_logged_out_chatgpt_is_refused(setup: Setup) -> None:
    status, body = curl(
        setup.gateway,
        "k.schmidt",
        "-H",
        "accept: application/json",
        "--data-binary",
        "{}",
        "https://chatgpt.com/backend-anon/conversation",
    )
    assert status == 403, body
    assert setup.upstream.requests == [] or all(
        "backend-anon" not in r["path"] for r in setup.upstream.requests
    )


def test_passthrough_and_unknown_ai_hosts_are_tunnelled(setup: Setup) -> None:
    for host in ("api.deepl.com", "chat.unknown-llm.ai"):
        der, body = tunnel(setup.gateway, host, "m.weber", setup.origin.cert_file)
        assert der == setup.origin.der and body == ORIGIN_BODY


@needs_node
def test_pac_routes_ai_and_tenant_hosts_to_the_gateway(setup: Setup, tmp_path: Path) -> None:
    done = subprocess.run(
        ["curl", "-sS", "--noproxy", "*", f"http://127.0.0.1:{setup.gateway.port}/proxy.pac"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    urls = [
        "https://api.openai.com/v1/chat/completions",
        "https://chatgpt.com/backend-api/conversation",
        "https://api.deepl.com/v2/translate",
        "https://www.bank.example/login",
        "https://evilchatgpt.com/",
    ]
    routes = run_pac(done.stdout, urls, tmp_path)
    gateway = f"PROXY 127.0.0.1:{setup.gateway.port}"
    assert [routes[u] for u in urls] == [gateway, gateway, gateway, "DIRECT", "DIRECT"]


def test_usage_rows_and_inventory(setup: Setup, tmp_path: Path) -> None:
    tunnel(setup.gateway, "claude.ai", "a.neumann", setup.gateway.ca)
    tunnel(setup.gateway, "api.deepl.com", "a.neumann", setup.origin.cert_file)
    tunnel(setup.gateway, "chat.unknown-llm.ai", "a.neumann", setup.origin.cert_file)
    tunnel(setup.gateway, "www.bank.example", "a.neumann", setup.origin.cert_file)

    expected = [
        ("connection", "claude", "claude.ai", 1, 0, None),
        ("request", "claude", "claude.ai", 1, 0, None),
        ("connection", "deepl", "api.deepl.com", 0, 0, None),
        ("connection", None, "chat.unknown-llm.ai", 0, 1, None),
    ]
    wait_for(lambda: len(usage_rows(setup.gateway, "a.neumann")) >= 4, 20, "usage rows")
    assert usage_rows(setup.gateway, "a.neumann") == expected  # no row for the bank
    schmidt = usage_rows(setup.gateway, "k.schmidt")
    assert ("connection", "openai-api", "api.openai.com", 1, 0, "vertrieb") in schmidt
    assert ("request", "chatgpt", "chatgpt.com", 1, 0, "vertrieb") in schmidt

    done = subprocess.run(
        [
            LEITPLANKE,
            "inventory",
            "--db",
            str(setup.gateway.db),
            "--format",
            "json",
            "--lang",
            "en",
            "--privacy-threshold",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(done.stdout)
    rows = {r["service"] or r["host"]: r for r in report["services"]}
    assert {"openai-api", "chatgpt", "claude", "deepl"} <= set(rows)
    unknown = [r for r in report["services"] if r["unknown_ai"]]
    assert [r["host"] for r in unknown] == ["chat.unknown-llm.ai"]
    assert rows["deepl"]["tunnelled"] == 2 and rows["deepl"]["users"] == 2
    assert rows["openai-api"]["status"] == "approved"
    assert "k.schmidt" not in done.stdout and "a.neumann" not in done.stdout
