"""Which AI service a request is for, and who sent it.

Runs at `requestheaders`, before MapRemote rewrites the destination at `request`,
so that routing by IT (or by tests) cannot hide the original service.
"""

from __future__ import annotations

from mitmproxy import http

from policy.catalog import Catalog, default_catalog

SERVICE = "leitplanke.service"
HOST = "leitplanke.host"


def candidate_hosts(flow: http.HTTPFlow) -> list[str]:
    """Every name the request claims: TLS SNI, the connect target, the Host header.

    Checking all of them means a mismatched Host header cannot smuggle a prompt
    to an AI host unscanned.
    """
    names = [flow.client_conn.sni, flow.request.host, flow.request.host_header]
    return [n.split(":")[0] for n in names if n]


def user_of(flow: http.HTTPFlow) -> str | None:
    """The proxy-auth user name when the gateway requires login."""
    auth = flow.metadata.get("proxyauth")
    return str(auth[0]) if auth and auth[0] else None


def client_address(flow: http.HTTPFlow) -> str | None:
    peer = flow.client_conn.peername
    return str(peer[0]) if peer else None


class Identify:
    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog or default_catalog()

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        for host in candidate_hosts(flow):
            service = self.catalog.lookup(host)
            if service is not None:
                flow.metadata[SERVICE] = service.id
                flow.metadata[HOST] = host
                return
