"""The ServePac addon: the gateway serves its own PAC file at /proxy.pac and /wpad.dat.

Only requests addressed to the gateway itself are answered, never proxied
requests for other hosts that happen to have the same path.

How a direct request reaches an addon: a browser fetching the PAC file talks
to the proxy port as to a web server, `GET /proxy.pac HTTP/1.1` with
`Host: gateway:8080` (origin-form). mitmproxy 12.2 in regular mode takes the
destination from the Host header (proxy/layers/http, state_wait_for_request_headers),
so the flow looks like a proxied request to gateway:8080, and it would forward
it there: to itself. Its self-connect guard refuses that with 502 "Request
destination unknown" only for loopback and the literal listen address. The
origin-form itself is gone by the time any hook runs (regular mode rewrites
every HTTP/1 request to origin-form first), so the test here is the
destination: the request is for us when its host:port is the local address the
client connected to (`client_conn.sockname`), a loopback address on that port,
a name that resolves to that address, or the name set in `leitplanke_pac_proxy`.
We answer at `requestheaders` by setting `flow.response`; mitmproxy then sends
it without opening any server connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket

from mitmproxy import ctx, exceptions, http

from policy.intercept import gateway_hosts
from policy.model import Policy
from policy.pac import PAC_MEDIA_TYPE, PAC_PATHS, PacError, pac_file, parse_proxy, parse_route
from proxy_addon.intercept import portal_host
from proxy_addon.policy_source import PolicySource

log = logging.getLogger(__name__)

SERVED = "leitplanke.pac"
"""Flow metadata key set on the flows this addon answered."""

_IP = ipaddress.IPv4Address | ipaddress.IPv6Address
_RESOLVE_TIMEOUT_S = 2.0


def _ip(text: str) -> _IP | None:
    try:
        address = ipaddress.ip_address(text.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


async def resolve(host: str) -> set[_IP]:
    """The addresses `host` resolves to; empty when it does not (within 2 s)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), _RESOLVE_TIMEOUT_S
        )
    except (OSError, TimeoutError, UnicodeError, ValueError):
        return set()
    return {ip for *_, sockaddr in infos if (ip := _ip(str(sockaddr[0]))) is not None}


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class ServePac:
    """Answers GET /proxy.pac and GET /wpad.dat sent to the gateway with the PAC file."""

    def __init__(self, source: PolicySource | None = None) -> None:
        self.source = source
        self._public: tuple[str, int] | None = None

    def load(self, loader: object) -> None:
        add = loader.add_option  # type: ignore[attr-defined]
        add(
            "leitplanke_pac",
            bool,
            True,
            "Serve the PAC file at http://<gateway>/proxy.pac and /wpad.dat.",
        )
        add(
            "leitplanke_pac_proxy",
            str,
            "",
            "HOST:PORT the served PAC file names as the proxy (e.g. the gateway's DNS "
            "name); empty: the host and port the client fetched the PAC file from.",
        )
        add(
            "leitplanke_pac_fallback_direct",
            bool,
            False,
            "Served PAC file: go DIRECT (or to leitplanke_pac_fallback) when the gateway "
            "does not answer (fail open).",
        )
        add(
            "leitplanke_pac_fallback",
            str,
            "DIRECT",
            "Served PAC file: where everything but AI hosts goes — DIRECT or the "
            "company's proxy, e.g. 'PROXY squid.firma.local:3128'.",
        )

    def configure(self, updated: set[str]) -> None:
        if "leitplanke_pac_fallback" in updated:
            try:
                parse_route(ctx.options.leitplanke_pac_fallback)
            except PacError as exc:
                raise exceptions.OptionsError(f"leitplanke_pac_fallback: {exc}") from None
        if "leitplanke_pac_proxy" in updated:
            value = ctx.options.leitplanke_pac_proxy
            if not value:
                self._public = None
                return
            try:
                host, port = parse_proxy(value)
            except PacError as exc:
                raise exceptions.OptionsError(f"leitplanke_pac_proxy: {exc}") from None
            self._public = (host.strip("[]"), port)

    async def requestheaders(self, flow: http.HTTPFlow) -> None:
        request = flow.request
        # mitmproxy's ProxyAuth runs first and answers 407 to a request without proxy
        # credentials; browsers and WinHTTP fetch the PAC file without them, and the
        # file holds nothing secret, so our answer replaces that 407.
        answered = flow.response is not None and flow.response.status_code != 407
        if (
            not ctx.options.leitplanke_pac
            or answered
            or request.method != "GET"
            or request.path.split("?", 1)[0] not in PAC_PATHS
            or not await self.addressed_to_gateway(flow)
        ):
            return
        if self._public is not None:
            proxy = _hostport(*self._public)
        else:
            proxy = _hostport(request.host.lower().rstrip("."), request.port)
        try:
            text = pac_file(
                gateway_hosts(self._policy(), gateway_names=[portal_host()]),
                proxy,
                fallback_direct=ctx.options.leitplanke_pac_fallback_direct,
                other=ctx.options.leitplanke_pac_fallback,
            )
        except PacError as exc:  # e.g. a Host header that is no valid host name
            flow.response = http.Response.make(400, f"{exc}\n", {"content-type": "text/plain"})
            return
        except Exception:
            # Addressed to us, so never let it fall through: mitmproxy would forward
            # it to the gateway itself.
            log.exception("cannot build the PAC file")
            flow.response = http.Response.make(
                500, "PAC file unavailable, see the gateway log\n", {"content-type": "text/plain"}
            )
            return
        flow.response = http.Response.make(
            200,
            text,
            {"content-type": PAC_MEDIA_TYPE, "cache-control": "no-cache"},
        )
        flow.metadata[SERVED] = True
        log.debug("served the PAC file (proxy %s)", proxy)

    async def addressed_to_gateway(self, flow: http.HTTPFlow) -> bool:
        """True when the request's destination is this gateway, not some other host."""
        host = flow.request.host.lower().rstrip(".")
        port = flow.request.port
        if self._public is not None and (host, port) == self._public:
            return True
        sockname = flow.client_conn.sockname
        if not sockname or port != sockname[1]:
            return False
        local = _ip(str(sockname[0]))
        if local is None:
            return False
        target = _ip(host)
        if target is not None:
            return target == local or (target.is_loopback and local.is_loopback)
        return local in await resolve(host)

    def _policy(self) -> Policy | None:
        active = self.source.active if self.source is not None else None
        return active.loaded.policy if active is not None else None
