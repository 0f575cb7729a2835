"""ServePac answers GET /proxy.pac and /wpad.dat sent to the gateway, nothing else."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from mitmproxy import exceptions, http
from mitmproxy.test import taddons, tflow

from policy.intercept import gateway_hosts
from policy.loader import load_policy
from policy.pac import PAC_MEDIA_TYPE
from proxy_addon import serve_pac
from proxy_addon.policy_source import PolicySource
from proxy_addon.serve_pac import SERVED, ServePac
from tests.policy.test_pac import needs_node, run_pac

LISTEN = ("127.0.0.1", 8080)


def request_to(
    host: str,
    port: int,
    path: str = "/proxy.pac",
    *,
    method: str = "GET",
    sockname: tuple[str, int] = LISTEN,
) -> http.HTTPFlow:
    """A flow as mitmproxy hands it to requestheaders: destination host/port set,
    origin-form target (regular mode clears the authority), local socket address."""
    flow = tflow.tflow()
    flow.request.method = method
    flow.request.host = host
    flow.request.port = port
    flow.request.path = path
    flow.request.authority = ""
    flow.request.headers["host"] = f"{host}:{port}"
    flow.request.content = b""
    flow.client_conn.sockname = sockname
    return flow


@pytest.fixture
def addon() -> Any:
    pac = ServePac()
    with taddons.context(pac) as tctx:
        yield pac, tctx


async def test_direct_request_gets_the_pac_for_the_address_used(addon: Any) -> None:
    pac, _ = addon
    flow = request_to("127.0.0.1", 8080)
    await pac.requestheaders(flow)
    assert flow.response is not None and flow.response.status_code == 200
    assert flow.response.headers["content-type"] == PAC_MEDIA_TYPE
    assert flow.response.headers["cache-control"] == "no-cache"
    text = flow.response.get_text()
    assert text is not None
    assert '"PROXY 127.0.0.1:8080"' in text
    families = len([h for h in gateway_hosts() if "*" in h])
    assert f"// {len(gateway_hosts()) - families} host names and {families} host" in text
    assert flow.metadata[SERVED] is True


async def test_pac_is_served_without_proxy_credentials(addon: Any) -> None:
    # With proxyauth, mitmproxy's ProxyAuth has already answered 407; browsers fetch
    # the PAC file without credentials, so the PAC answer replaces the 407.
    pac, _ = addon
    flow = request_to("127.0.0.1", 8080)
    flow.response = http.Response.make(407, b"Proxy Authentication Required")
    await pac.requestheaders(flow)
    assert flow.response.status_code == 200
    assert flow.response.headers["content-type"] == PAC_MEDIA_TYPE
    other = request_to("example.com", 80)
    other.response = http.Response.make(407, b"Proxy Authentication Required")
    await pac.requestheaders(other)
    assert other.response.status_code == 407  # not for the gateway: auth still applies


@pytest.mark.parametrize("path", ["/wpad.dat", "/proxy.pac?refresh=1"])
async def test_wpad_name_and_query_string(addon: Any, path: str) -> None:
    pac, _ = addon
    flow = request_to("127.0.0.1", 8080, path)
    await pac.requestheaders(flow)
    assert flow.response is not None and flow.response.status_code == 200


@pytest.mark.parametrize(
    ("host", "port", "path", "method"),
    [
        ("example.com", 80, "/proxy.pac", "GET"),  # proxied: some other web server
        ("wpad.example.com", 8080, "/wpad.dat", "GET"),  # same port, other host
        ("10.9.9.9", 8080, "/proxy.pac", "GET"),  # same port, other address
        ("127.0.0.1", 8081, "/proxy.pac", "GET"),  # us, but another port
        ("127.0.0.1", 8080, "/index.html", "GET"),
        ("127.0.0.1", 8080, "/PROXY.PAC", "GET"),
        ("127.0.0.1", 8080, "/proxy.pac", "POST"),
    ],
)
async def test_other_requests_are_left_alone(
    addon: Any, monkeypatch: pytest.MonkeyPatch, host: str, port: int, path: str, method: str
) -> None:
    async def nowhere(name: str) -> set[Any]:
        return set()

    monkeypatch.setattr(serve_pac, "resolve", nowhere)
    pac, _ = addon
    flow = request_to(host, port, path, method=method)
    await pac.requestheaders(flow)
    assert flow.response is None
    assert SERVED not in flow.metadata


async def test_a_name_that_resolves_to_the_gateway_is_the_gateway(
    addon: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    async def fake(name: str) -> set[Any]:
        asked.append(name)
        return {ipaddress.ip_address("10.0.0.5")} if name == "leitplanke.firma.local" else set()

    monkeypatch.setattr(serve_pac, "resolve", fake)
    pac, _ = addon
    flow = request_to("Leitplanke.Firma.Local", 8080, sockname=("10.0.0.5", 8080))
    await pac.requestheaders(flow)
    assert flow.response is not None and flow.response.status_code == 200
    assert '"PROXY leitplanke.firma.local:8080"' in (flow.response.get_text() or "")

    other = request_to("elsewhere.firma.local", 8080, sockname=("10.0.0.5", 8080))
    await pac.requestheaders(other)
    assert other.response is None
    assert asked == ["leitplanke.firma.local", "elsewhere.firma.local"]


async def test_localhost_resolves_without_network(addon: Any) -> None:
    pac, _ = addon
    flow = request_to("localhost", 8080)
    await pac.requestheaders(flow)
    assert flow.response is not None and flow.response.status_code == 200
    assert '"PROXY localhost:8080"' in (flow.response.get_text() or "")


@pytest.mark.parametrize(
    ("host", "sockname"),
    [
        ("127.0.0.1", ("::ffff:127.0.0.1", 8080)),  # dual-stack listener
        ("::1", ("::1", 8080)),
        ("127.0.0.1", ("127.0.0.2", 8080)),  # any loopback is this machine
    ],
)
async def test_address_forms(addon: Any, host: str, sockname: tuple[str, int]) -> None:
    pac, _ = addon
    flow = request_to(host, 8080, sockname=sockname)
    await pac.requestheaders(flow)
    assert flow.response is not None and flow.response.status_code == 200
    if host == "::1":
        assert '"PROXY [::1]:8080"' in (flow.response.get_text() or "")


async def test_public_name_option(addon: Any) -> None:
    pac, tctx = addon
    tctx.configure(pac, leitplanke_pac_proxy="leitplanke.firma.de:3128")
    # The client uses the IP; the PAC names the public name.
    flow = request_to("127.0.0.1", 8080)
    await pac.requestheaders(flow)
    assert flow.response is not None
    assert '"PROXY leitplanke.firma.de:3128"' in (flow.response.get_text() or "")
    # Behind a port forward the public host:port itself counts as the gateway.
    forwarded = request_to("leitplanke.firma.de", 3128, sockname=("10.0.0.5", 8080))
    await pac.requestheaders(forwarded)
    assert forwarded.response is not None and forwarded.response.status_code == 200
    tctx.configure(pac, leitplanke_pac_proxy="")
    again = request_to("127.0.0.1", 8080)
    await pac.requestheaders(again)
    assert again.response is not None
    assert '"PROXY 127.0.0.1:8080"' in (again.response.get_text() or "")


@pytest.mark.parametrize("value", ["leitplanke", "leitplanke:0", "http://leitplanke:8080"])
def test_invalid_public_name_is_refused(addon: Any, value: str) -> None:
    pac, tctx = addon
    with pytest.raises(exceptions.OptionsError, match="leitplanke_pac_proxy"):
        tctx.configure(pac, leitplanke_pac_proxy=value)


async def test_fallback_direct_and_off_switch(addon: Any) -> None:
    pac, tctx = addon
    tctx.configure(pac, leitplanke_pac_fallback_direct=True)
    flow = request_to("127.0.0.1", 8080)
    await pac.requestheaders(flow)
    assert flow.response is not None
    assert '"PROXY 127.0.0.1:8080; DIRECT"' in (flow.response.get_text() or "")
    tctx.configure(pac, leitplanke_pac=False)
    off = request_to("127.0.0.1", 8080)
    await pac.requestheaders(off)
    assert off.response is None


async def test_fallback_route_for_everything_else(addon: Any) -> None:
    pac, tctx = addon
    tctx.configure(pac, leitplanke_pac_fallback="proxy squid.firma.local:3128")
    flow = request_to("127.0.0.1", 8080)
    await pac.requestheaders(flow)
    assert flow.response is not None
    assert 'var LEITPLANKE_OTHER = "PROXY squid.firma.local:3128";' in flow.response.get_text()
    with pytest.raises(exceptions.OptionsError, match="leitplanke_pac_fallback: 'squid:3128'"):
        tctx.configure(pac, leitplanke_pac_fallback="squid:3128")


async def test_an_existing_response_is_kept(addon: Any) -> None:
    pac, _ = addon
    flow = request_to("127.0.0.1", 8080)
    flow.response = http.Response.make(403, b"no")
    await pac.requestheaders(flow)
    assert flow.response.status_code == 403


async def test_uses_the_active_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def hosts(policy: object = None, gateway_names: object = ()) -> tuple[str, ...]:
        seen.append(policy)
        return ("api.openai.com",)

    monkeypatch.setattr(serve_pac, "gateway_hosts", hosts)
    policy = load_policy(None).policy
    source = cast(
        PolicySource, SimpleNamespace(active=SimpleNamespace(loaded=SimpleNamespace(policy=policy)))
    )
    not_loaded = cast(PolicySource, SimpleNamespace(active=None))
    for addon, expected in (
        (ServePac(source), policy),
        (ServePac(not_loaded), None),
        (ServePac(), None),
    ):
        with taddons.context(addon):
            flow = request_to("127.0.0.1", 8080)
            await addon.requestheaders(flow)
            assert flow.response is not None and "1 host names" in (flow.response.get_text() or "")
        assert seen.pop() is expected


@needs_node
async def test_served_pac_runs_in_node(addon: Any, tmp_path: Path) -> None:
    pac, _ = addon
    flow = request_to("127.0.0.1", 8080, "/wpad.dat")
    await pac.requestheaders(flow)
    assert flow.response is not None
    answers = run_pac(
        flow.response.get_text() or "",
        ["https://chatgpt.com/", "https://example.com/", "http://127.0.0.1:8080/"],
        tmp_path,
    )
    assert answers == {
        "https://chatgpt.com/": "PROXY 127.0.0.1:8080",
        "https://example.com/": "DIRECT",
        "http://127.0.0.1:8080/": "DIRECT",
    }


async def test_a_host_name_a_pac_cannot_carry_is_a_400(
    addon: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def us(name: str) -> set[Any]:
        return {ipaddress.ip_address("127.0.0.1")}

    monkeypatch.setattr(serve_pac, "resolve", us)
    pac, _ = addon
    flow = request_to("gate_way", 8080)
    await pac.requestheaders(flow)
    assert flow.response is not None and flow.response.status_code == 400


async def test_a_failure_is_answered_not_forwarded_to_ourselves(
    addon: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(policy: object = None, gateway_names: object = ()) -> tuple[str, ...]:
        raise RuntimeError("catalog unreadable")

    monkeypatch.setattr(serve_pac, "gateway_hosts", broken)
    pac, _ = addon
    flow = request_to("127.0.0.1", 8080)
    await pac.requestheaders(flow)
    assert flow.response is not None and flow.response.status_code == 500
