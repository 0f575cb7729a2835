"""The Identify addon: which AI service a request is for, and who sent it.

Runs at `requestheaders`, before MapRemote rewrites the destination at `request`,
so that routing by IT (or by tests) cannot hide the original service; and at
`http_connect`, so that tunnels that are never decrypted have a sender too.

Every flow gets its sender's Identity (policy/identity.py: login, address, keyed
pseudonym) in `flow.metadata[IDENTITY]`; the other addons read it with `identity_of`
and ask it for the group and the recorded name under the policy they act on.
"""

from __future__ import annotations

from collections.abc import Callable

from mitmproxy import http

from policy.catalog import Catalog, default_catalog
from policy.identity import Identity
from store.keys import pseudonym

SERVICE = "leitplanke.service"
HOST = "leitplanke.host"
IDENTITY = "leitplanke.identity"


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


def identity_of(flow: http.HTTPFlow) -> Identity:
    """The sender Identify recorded for this flow."""
    identity = flow.metadata[IDENTITY]
    assert isinstance(identity, Identity), "Identify runs before every other addon's hooks"
    return identity


class Identify:
    def __init__(
        self, catalog: Catalog | None = None, key: Callable[[], bytes] = lambda: b""
    ) -> None:
        self.catalog = catalog or default_catalog()
        # The findings store's key (the Recorder loads it with the database): pseudonyms
        # in the log and coaching links bind to the same keyed name.
        self.key = key

    def identify(self, flow: http.HTTPFlow) -> Identity:
        key = self.key()
        identity = Identity.of(user_of(flow), client_address(flow), lambda u: pseudonym(key, u))
        flow.metadata[IDENTITY] = identity
        return identity

    def http_connect(self, flow: http.HTTPFlow) -> None:
        self.identify(flow)

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        self.identify(flow)
        for host in candidate_hosts(flow):
            service = self.catalog.lookup(host)
            if service is not None:
                flow.metadata[SERVICE] = service.id
                flow.metadata[HOST] = host
                return
