"""End to end: the gateway behind the company's proxy (`upstream_proxy` in the config
file), with a real second proxy process — Debian's tinyproxy, with HTTP Basic auth.

Three paths, each proven from tinyproxy's own log and the server that answered:
  * an AI request decrypted by the gateway and sent on as plain HTTP (map_remote to
    the local fake upstream): gateway → CONNECT through tinyproxy (authenticated) →
    fake upstream; a blocked prompt never reaches tinyproxy;
  * an AI request decrypted and re-encrypted: gateway → CONNECT through tinyproxy →
    TLS to a local HTTPS fake upstream (the gateway verifies its certificate);
  * a non-AI host the gateway does not decrypt: CONNECT through tinyproxy, the
    client sees the origin's own certificate (tunnelled untouched).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import (
    Gateway,
    chat_body,
    curl_chat,
    curl_post_json,
    free_port,
    port_open,
    start_gateway,
    stop_gateway,
)
from bench.proxies import wait_for as wait_until
from tests.e2e.tls_origin import ORIGIN_BODY, TlsOrigin, self_signed

TINYPROXY = shutil.which("tinyproxy") or shutil.which("tinyproxy", path="/usr/sbin:/usr/bin")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        TINYPROXY is None,
        reason="tinyproxy is not installed (apt-get install tinyproxy; .ci/run installs it)",
    ),
]

USER, PASSWORD = "leitplanke", "Gehe1m-und-lang"
IBAN = "DE89 3704 0044 0532 0130 00"


@dataclass
class Tinyproxy:
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def requests(self) -> list[str]:
        """The request lines tinyproxy accepted ("POST http://…", "CONNECT host:port")."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return re.findall(r"Request \(file descriptor \d+\): (\S+ \S+)", text)


@pytest.fixture(scope="module")
def tinyproxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tinyproxy]:
    tmp = tmp_path_factory.mktemp("tinyproxy")
    port, log = free_port(), tmp / "tinyproxy.log"
    config = tmp / "tinyproxy.conf"
    config.write_text(
        f'Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile "{log}"\nLogLevel Info\n'
        f"MaxClients 20\nAllow 127.0.0.1\nBasicAuth {USER} {PASSWORD}\nDisableViaHeader Yes\n",
        encoding="utf-8",
    )
    assert TINYPROXY is not None
    process = subprocess.Popen(
        [TINYPROXY, "-d", "-c", str(config)],
        stdout=(tmp / "stdout.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: port_open(port), 20, "tinyproxy to listen")
        yield Tinyproxy(port, log, process)
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Setup:
    gateway: Gateway
    fake: FakeUpstream
    tls_fake: FakeUpstream
    tls_ca: Path
    origin: TlsOrigin


@pytest.fixture(scope="module")
def chained(tmp_path_factory: pytest.TempPathFactory, tinyproxy: Tinyproxy) -> Iterator[Setup]:
    tmp = tmp_path_factory.mktemp("chained")
    fake = FakeUpstream().start()
    # The HTTPS stand-in for an AI service: the same fake, with TLS.
    tls_fake = FakeUpstream()
    # 127.0.0.1, not localhost: tinyproxy would try ::1 first, where nothing listens.
    cert, key, _ = self_signed(tmp, ["127.0.0.1"])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    tls_fake.server.socket = context.wrap_socket(tls_fake.server.socket, server_side=True)
    tls_fake.start()
    (tmp / "origin").mkdir()
    origin = TlsOrigin(tmp / "origin", ["127.0.0.1"]).start()
    auth = tmp / "upstream-auth"
    auth.write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    auth.chmod(0o600)
    config = tmp / "config.yaml"
    config.write_text(
        f"upstream_proxy: http://127.0.0.1:{tinyproxy.port}\n"
        "upstream_auth_file: upstream-auth\n"  # relative to the config file
        "set:\n"
        "  leitplanke_workers: 1\n"
        f"  ssl_verify_upstream_trusted_ca: {cert}\n",
        encoding="utf-8",
    )
    # On the command line, next to start_gateway's own map_remote rules (a --set
    # replaces the config file's entry of the same option).
    mistral = rf"map_remote=|https://api\.mistral\.ai|https://127.0.0.1:{tls_fake.port}"
    gateway = start_gateway(tmp / "gw", fake, ["--config", str(config), "--set", mistral])
    try:
        yield Setup(gateway, fake, tls_fake, cert, origin)
    finally:
        stop_gateway(gateway)
        for server in (fake, tls_fake, origin):
            server.stop()


def test_the_gateway_runs_in_upstream_mode(chained: Setup, tinyproxy: Tinyproxy) -> None:
    log = chained.gateway.log.read_text(errors="replace")
    assert "HTTP(S) proxy (upstream mode) listening" in log, log
    assert PASSWORD not in log


def test_decrypted_ai_request_goes_through_the_company_proxy(
    chained: Setup, tinyproxy: Tinyproxy
) -> None:
    gateway, fake = chained.gateway, chained.fake
    # Decrypted traffic is re-sent inside a CONNECT tunnel (mitmproxy's upstream mode
    # sends absolute-form requests only for plain-HTTP clients).
    target = f"CONNECT 127.0.0.1:{fake.port}"
    status, _ = curl_chat(gateway.proxy_url, gateway.ca, "Frage zu Wärmepumpen")
    assert status == 200
    assert tinyproxy.requests().count(target) == 1, tinyproxy.requests()
    (request,) = fake.requests
    assert json.loads(request["body"])["messages"][0]["content"] == "Frage zu Wärmepumpen"
    # The credentials were for tinyproxy; the AI service never sees them.
    assert "proxy-authorization" not in request["headers"]

    # A blocked prompt is answered by the gateway: nothing reaches the company proxy.
    status, _ = curl_chat(gateway.proxy_url, gateway.ca, f"Überweise an {IBAN}")
    assert status == 403
    assert tinyproxy.requests().count(target) == 1
    assert len(fake.requests) == 1


def test_decrypted_https_goes_through_a_connect_tunnel(
    chained: Setup, tinyproxy: Tinyproxy
) -> None:
    gateway = chained.gateway
    mistral = "https://api.mistral.ai/v1/chat/completions"
    out = curl_post_json(
        gateway.proxy_url, gateway.ca, chat_body("Hallo Mistral"), ["-w", "\n%{http_code}"], mistral
    )
    assert out.rsplit("\n", 1)[1] == "200", out
    assert f"CONNECT 127.0.0.1:{chained.tls_fake.port}" in tinyproxy.requests()
    assert [r["path"] for r in chained.tls_fake.requests] == ["/v1/chat/completions"]


def test_tunnelled_hosts_go_through_the_company_proxy_undecrypted(
    chained: Setup, tinyproxy: Tinyproxy
) -> None:
    gateway, origin = chained.gateway, chained.origin
    result = subprocess.run(
        [
            "curl",
            "-sS",
            "-x",
            gateway.proxy_url,
            "--cacert",
            str(origin.cert_file),
            f"https://127.0.0.1:{origin.port}/",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Verified against the origin's own certificate: the gateway did not decrypt.
    assert result.returncode == 0 and result.stdout == ORIGIN_BODY.decode(), result
    assert f"CONNECT 127.0.0.1:{origin.port}" in tinyproxy.requests()


def test_wrong_credentials_are_not_a_bypass(tmp_path: Path, tinyproxy: Tinyproxy) -> None:
    """The company proxy refuses the gateway: the client gets an error, never a
    direct connection around the proxy."""
    fake = FakeUpstream().start()
    auth = tmp_path / "auth"
    auth.write_text(f"{USER}:wrong\n", encoding="utf-8")
    os.chmod(auth, 0o600)
    gateway = start_gateway(
        tmp_path / "gw",
        fake,
        [
            "--upstream-proxy",
            f"http://127.0.0.1:{tinyproxy.port}",
            "--upstream-auth-file",
            str(auth),
            "--set",
            "leitplanke_workers=0",
        ],
    )
    try:
        status, payload = curl_chat(gateway.proxy_url, gateway.ca, "Frage zu Wärmepumpen")
        assert status == 502 and "refused HTTP CONNECT request" in payload, payload
        assert fake.requests == []
    finally:
        stop_gateway(gateway)
        fake.stop()
