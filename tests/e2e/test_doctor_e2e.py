"""End to end: `leitplanke doctor` on a gateway host, against local servers only.

A real gateway runs with a config file (db, confdir, policy, admin port); two local
HTTPS servers stand in for approved AI services — one answers like an API, one like
Cloudflare challenging a non-browser client (403, `cf-mitigated: challenge`, "Just a
moment..."). doctor reaches them with --connect-to (as curl's) and trusts their
certificate with --cafile: every check line, the challenge flagged with what to do.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.fake_upstream import FakeUpstream
from bench.proxies import LEITPLANKE, free_port, port_open, start_gateway, stop_gateway, wait_for
from tests.e2e.test_option_refusals_e2e import environment
from tests.e2e.tls_origin import self_signed

pytestmark = pytest.mark.e2e

POLICY = """\
version: 3
organization: Muster GmbH
contact: dsb@muster.example
data_classes:
  personal: {entities: [EMAIL_ADDRESS]}
tools:
  gpt: {name: OpenAI API, services: [openai-api], allowed: [personal]}
  claude: {name: Claude API, services: [anthropic-api], allowed: [personal]}
examples:
  - {text: Hallo, tool: gpt, expect: allow}
"""


class Server:
    """HTTPS on 127.0.0.1 answering every GET with (status, headers, body)."""

    def __init__(self, cert: Path, key: Path, status: int, headers: dict[str, str], body: bytes):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Server, Server]]:
    tmp = tmp_path_factory.mktemp("doctor-tls")
    cert, key, _ = self_signed(tmp, ["api.openai.com", "api.anthropic.com"])
    api = Server(
        cert, key, 401, {"content-type": "application/json"}, b'{"error": {"code": "no_key"}}'
    )
    challenge = Server(
        cert,
        key,
        403,
        {"cf-mitigated": "challenge", "server": "cloudflare", "content-type": "text/html"},
        b"<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
    )
    yield cert, api, challenge
    api.stop()
    challenge.stop()


def doctor(args: list[str]) -> tuple[int, list[str]]:
    done = subprocess.run(
        [LEITPLANKE, "doctor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(),
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout.splitlines()


def test_doctor_checks_a_running_gateway_and_flags_a_challenge(
    tmp_path: Path, servers: tuple[Path, Server, Server]
) -> None:
    cafile, api, challenge = servers
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    admin = free_port()
    config = tmp_path / "config.yaml"
    config.write_text(
        f"policy: {policy}\ndb: gw/findings.db\nconfdir: gw/conf\n"
        f"set:\n  leitplanke_admin_port: {admin}\n  leitplanke_workers: 1\n",
        encoding="utf-8",
    )
    upstream = FakeUpstream().start()
    gateway = start_gateway(tmp_path / "gw", upstream, ["--config", str(config)])
    try:
        wait_for(lambda: port_open(admin), 60, "the admin port")
        wait_for(lambda: b"checker ready" in gateway.log.read_bytes(), 120, "the checker")
        status, lines = doctor(
            [
                "--config",
                str(config),
                "--cafile",
                str(cafile),
                "--connect-to",
                f"api.openai.com:443:127.0.0.1:{api.port}",
                "--connect-to",
                f"api.anthropic.com:443:127.0.0.1:{challenge.port}",
            ]
        )
    finally:
        stop_gateway(gateway)
        upstream.stop()
    text = "\n".join(lines)
    assert status == 1, text  # the challenge is a failure
    by_area: dict[str, list[str]] = {}
    for line in lines:
        by_area.setdefault(line[6:14].strip(), []).append(line)
    assert by_area["config"] == [f"ok    config   {config}"]
    assert by_area["ca"][0].startswith("ok    ca       O=mitmproxy,CN=mitmproxy, valid")
    assert by_area["policy"][0].startswith(f"ok    policy   {policy}: version 3@")
    assert by_area["db"][0].startswith(f"ok    db       {tmp_path}/gw/findings.db: ")
    assert by_area["workers"] == ["ok    workers  1 worker(s), checker ok"]
    assert by_area["upstream"][0].startswith("skip  upstream no upstream_proxy")
    assert by_area["dns"] == [
        f"skip  dns      api.openai.com: --connect-to 127.0.0.1:{api.port}",
        f"skip  dns      api.anthropic.com: --connect-to 127.0.0.1:{challenge.port}",
    ]
    ok, flagged = by_area["tls"]
    assert (
        ok.startswith("ok    tls      api.openai.com (OpenAI API): TLSv1.3 ") and "HTTP 401" in ok
    )
    assert flagged.startswith(
        "fail  tls      api.anthropic.com (Claude API): bot challenge from Cloudflare "
        "(cf-mitigated: challenge), not the service — passthrough for this service or "
        "vendor allow-listing: docs/deployment.md"
    ), flagged


def test_doctor_json_and_an_untrusted_certificate(
    tmp_path: Path, servers: tuple[Path, Server, Server]
) -> None:
    _, api, _ = servers
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    status, lines = doctor(
        [
            "--policy",
            str(policy),
            "--db",
            str(tmp_path / "none.db"),
            "--confdir",
            str(tmp_path / "conf"),
            "--host",
            "api.openai.com",
            "--json",
            "--connect-to",
            f"api.openai.com:443:127.0.0.1:{api.port}",
        ]
    )
    checks = [json.loads(line) for line in lines]
    assert status == 1
    assert {"status": "fail", "area": "ca"}.items() <= checks[1].items()  # no CA there yet
    tls = [c for c in checks if c["area"] == "tls"]
    assert len(tls) == 1 and tls[0]["status"] == "fail"
    assert "the certificate is not trusted" in tls[0]["message"]  # the system store only
